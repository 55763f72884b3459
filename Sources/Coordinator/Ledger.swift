import Sweep

/// Rank 0's book-keeping of a sweep: which trials wait, which run where, how many ended how,
/// retries, and the best value of the headline metric so far. Pure state, no MPI, no files: the
/// MPI loop and the serial loop drive the same ledger.
struct Ledger: Sendable {
    enum Disposition: Equatable { case store, retry }

    struct Counts: Codable, Sendable, Equatable {
        var total = 0, stored = 0, running = 0, pending = 0
        var completed = 0, pruned = 0, diverged = 0, failed = 0
        /// Trials found in the store when this session started.
        var resumed = 0
    }

    let maxRetries: Int
    let metric: String
    let maximize: Bool
    /// Waiting trials: `queue[head...]`. A moving head instead of `removeFirst` keeps handing
    /// out a trial O(1) for sweeps of 10⁵ trials.
    private var queue: [Trial]
    private var head = 0
    var pending: ArraySlice<Trial> { queue[head...] }
    private(set) var running: [String: (trial: Trial, attempt: Int, rank: Int)] = [:]
    private var attempts: [String: Int] = [:]
    private(set) var counts = Counts()
    private(set) var best: (value: Double, trialID: String)?
    /// Trials finished in this session and their total seconds, for the estimate of the rest.
    private(set) var finishedHere = 0
    private(set) var secondsHere = 0.0

    /// `stored` maps the ids already in the store to their status; those trials do not run again.
    init(trials: [Trial], stored: [String: String], maxRetries: Int, metric: String, maximize: Bool) {
        self.maxRetries = maxRetries
        self.metric = metric
        self.maximize = maximize
        queue = trials.filter { stored[$0.id] == nil }
        counts.total = trials.count
        counts.pending = pending.count
        for status in stored.values { count(status) }
        counts.resumed = counts.stored
    }

    var isFinished: Bool { pending.isEmpty && running.isEmpty }

    /// The next trial to hand to `rank`, if any is waiting.
    mutating func assign(to rank: Int) -> (trial: Trial, attempt: Int)? {
        guard head < queue.count else { return nil }
        let trial = queue[head]
        head += 1
        let attempt = attempts[trial.id, default: 0] + 1
        attempts[trial.id] = attempt
        running[trial.id] = (trial, attempt, rank)
        counts.pending = pending.count
        counts.running = running.count
        return (trial, attempt)
    }

    /// Records an observed metric value (from an epoch report or a final result).
    mutating func observe(_ value: Double, trialID: String) {
        guard value.isFinite else { return }
        if let b = best, maximize ? value <= b.value : value >= b.value { return }
        best = (value, trialID)
    }

    /// A trial ended with `status`: store it, or (a failure with retries left) queue it again.
    mutating func finished(_ trialID: String, status: String, seconds: Double) -> Disposition {
        guard let entry = running.removeValue(forKey: trialID) else { return .store }
        counts.running = running.count
        if status == "failed" && entry.attempt <= maxRetries {
            queue.append(entry.trial)
            counts.pending = pending.count
            return .retry
        }
        count(status)
        finishedHere += 1
        secondsHere += seconds
        return .store
    }

    /// Gives up on everything still waiting (fail-fast).
    mutating func dropPending() {
        head = queue.count
        counts.pending = 0
    }

    /// Seconds until the waiting and running trials end, at the mean trial length seen so far
    /// spread over `workers`; nil before any trial ended here.
    func estimatedRemaining(workers: Int) -> Double? {
        guard finishedHere > 0 else { return nil }
        let mean = secondsHere / Double(finishedHere)
        return mean * Double(pending.count + running.count) / Double(max(workers, 1))
    }

    private mutating func count(_ status: String) {
        counts.stored += 1
        switch status {
        case "completed": counts.completed += 1
        case "pruned": counts.pruned += 1
        case "diverged": counts.diverged += 1
        default: counts.failed += 1
        }
    }
}
