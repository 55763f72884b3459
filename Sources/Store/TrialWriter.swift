import Foundation
import HDF5Kit

/// Stores finished trials on a background thread, so that whoever produces them (rank 0's MPI
/// loop) never waits for the disk. Trials handed to `submit` queue up in memory; the writer thread
/// takes everything queued at once and stores it with one group commit (`SweepStore.write(_:)`
/// for an array: one disk flush per batch, however many trials it holds), so the slower the disk,
/// the larger the batches. It also owns the index: `sweep.h5` is rewritten from headers kept in
/// memory (no rereading of trial files), at most every `indexInterval` seconds and never more
/// often than ten times its own cost, and once more at `close()`.
///
/// A trial counts as stored once its batch is committed; a kill before that loses it, and a
/// resumed sweep runs it again (its file is not there). Errors (a trial file that cannot be
/// written, an index that cannot be) are kept and thrown by the next `submit`, `check` or `close`;
/// the writer goes on storing the other trials.
public final class TrialWriter: @unchecked Sendable {
    public struct Settings: Sendable {
        /// Shortest time between two index rewrites, in seconds.
        public var indexInterval = 2.0
        /// `submit` waits while this many trials, or this many bytes of them, wait to be written:
        /// memory stays bounded when trials finish faster than the disk takes them.
        public var maxQueuedTrials = 4096
        public var maxQueuedBytes = 256 << 20

        public init() {}
    }

    /// The store's complete trials when the writer started, as headers (no snapshots; curves only
    /// when the writer was made `readingCurves`).
    public let initiallyStored: [TrialRecord]
    /// Trial files the writer found unreadable when it started, by trial id, with why: not stored,
    /// so a resumed sweep runs them again and their new files replace these.
    public let initiallyCorrupt: [String: String]

    private let store: SweepStore
    private let index: SweepIndex
    private let settings: Settings
    private let condition = NSCondition()
    // Shared with the writer thread, under `condition`:
    private var queue: [TrialRecord] = []
    private var queuedBytes = 0
    private var closing = false
    private var done = false
    private var firstError: Error?
    // The writer thread's own:
    private var headers: [String: (record: TrialRecord, epochs: Int)] = [:]
    private var indexDirty = true
    private var nextIndexWrite = 0.0

    /// Reads the headers and curves of the stored trials (a file whose curves do not read counts as
    /// corrupt, so its trial runs again whatever the scheduler), keeps the curves in
    /// `initiallyStored` when `readingCurves` (a resumed scheduler replays them: one read of each
    /// file), and starts the writer thread, which writes the index (`index`, with the time of each
    /// write as `updatedAt`) at once.
    public init(store: SweepStore, index: SweepIndex, settings: Settings = Settings(), readingCurves: Bool = false) throws {
        self.store = store
        self.index = index
        self.settings = settings
        HDF5Library.initialize()  // here, on the caller's thread, not first on the writer's
        let (scan, stored) = try store.scan(reading: .curves)
        initiallyStored = stored.map { record, _ in
            var header = record
            if !readingCurves { header.epochMetrics = [:] }
            return header
        }
        initiallyCorrupt = scan.corrupt
        for (record, epochs) in stored {
            var header = record
            header.epochMetrics = [:]
            headers[record.id] = (header, epochs)
        }
        let thread = Thread { [self] in run() }
        thread.name = "tpsweep-trial-writer"
        thread.start()
    }

    /// Queues `trial` for writing and returns at once, unless the queue is full (then it waits for
    /// room). Throws the first error the writer met, if any.
    public func submit(_ trial: TrialRecord) throws {
        let bytes = Self.approximateBytes(trial)
        condition.lock()
        defer { condition.unlock() }
        while !queue.isEmpty && !done && firstError == nil
                && (queue.count >= settings.maxQueuedTrials || queuedBytes + bytes > settings.maxQueuedBytes) {
            condition.wait()
        }
        if let firstError { throw firstError }
        guard !closing else { throw StoreError(path: store.directory, reason: "the trial writer is closed") }
        queue.append(trial)
        queuedBytes += bytes
        condition.broadcast()
    }

    /// Throws the first error the writer met, if any.
    public func check() throws {
        condition.lock()
        defer { condition.unlock() }
        if let firstError { throw firstError }
    }

    /// Writes everything queued and the index, stops the thread, and throws the first error the
    /// writer met, if any. Call it once, at the end of the sweep.
    public func close() throws {
        condition.lock()
        defer { condition.unlock() }
        closing = true
        condition.broadcast()
        while !done { condition.wait() }
        if let firstError { throw firstError }
    }

    // MARK: The writer thread

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !closing && !indexDue() {
                if indexDirty {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: max(0, nextIndexWrite - Self.now())))
                } else {
                    condition.wait()
                }
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            queuedBytes = 0
            let last = closing && batch.isEmpty
            condition.broadcast()  // a full queue has room again
            condition.unlock()

            if !batch.isEmpty { commit(batch) }
            if indexDirty && (last || indexDue()) { writeIndex() }
            if last {
                condition.lock()
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }

    private func indexDue() -> Bool { indexDirty && Self.now() >= nextIndexWrite }

    private func commit(_ batch: [TrialRecord]) {
        let failures = store.write(batch)
        let failed = Set(failures.map(\.id))
        for trial in batch where !failed.contains(trial.id) {
            var header = trial
            header.epochMetrics = [:]
            header.layerMetrics = [:]
            header.snapshots = []
            headers[trial.id] = (header, trial.epochs)
            indexDirty = true
        }
        if let failure = failures.first { record(failure.error) }
    }

    private func writeIndex() {
        let start = Self.now()
        var current = index
        current.updatedAt = Date().timeIntervalSince1970
        do {
            try store.writeIndex(current, trials: Array(headers.values))
            indexDirty = false
        } catch {
            record(error)
        }
        let end = Self.now()
        nextIndexWrite = end + max(settings.indexInterval, 10 * (end - start))
    }

    private func record(_ error: Error) {
        condition.lock()
        if firstError == nil { firstError = error }
        condition.broadcast()
        condition.unlock()
    }

    /// What a queued trial holds in memory, roughly: its snapshots and curves.
    private static func approximateBytes(_ trial: TrialRecord) -> Int {
        let tensors = trial.snapshots.reduce(0) { sum, snapshot in
            snapshot.tensors.reduce(sum) { sum, tensor in
                switch tensor.values {
                case .float32(let v): sum + 4 * v.count
                case .float64(let v): sum + 8 * v.count
                }
            }
        }
        let curves = trial.epochMetrics.values.reduce(0) { $0 + 8 * $1.count }
            + trial.layerMetrics.values.reduce(0) { $0 + $1.reduce(0) { $0 + 8 * $1.count } }
        return 1024 + tensors + curves + trial.configJSON.utf8.count
    }

    private static func now() -> Double { ProcessInfo.processInfo.systemUptime }
}
