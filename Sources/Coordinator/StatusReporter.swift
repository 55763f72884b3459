import Foundation

/// Live progress of a sweep on rank 0: a line on stdout every `interval` seconds, and the same
/// facts in DIR/status.json (replaced atomically) so `tpsweep status DIR` can show them from
/// another terminal while the sweep runs.
final class StatusReporter {
    struct Snapshot: Codable {
        var name: String
        var state: String
        var counts: Ledger.Counts
        var bestMetric: String
        var bestValue: Double?
        var bestTrial: String?
        var elapsedSeconds: Double
        var remainingSeconds: Double?
        var workers: Int
        /// Running trials: id → (rank, last epoch reported).
        var running: [String: RunningTrial]
        var updatedAt: Double
        var pid: Int32
    }

    struct RunningTrial: Codable {
        var rank: Int
        var epoch: Int
    }

    let directory: String
    let name: String
    let workers: Int
    let interval: Double
    let startedAt = Date()
    private var running: [String: RunningTrial] = [:]
    private var lastLine = Date.distantPast
    private var lastFile = Date.distantPast

    init(directory: String, name: String, workers: Int, interval: Double) {
        (self.directory, self.name, self.workers, self.interval) = (directory, name, workers, interval)
    }

    func started(_ id: String, rank: Int) { running[id] = RunningTrial(rank: rank, epoch: 0) }
    func epoch(_ id: String, _ epoch: Int) { running[id]?.epoch = epoch }
    func ended(_ id: String) { running[id] = nil }

    func log(_ message: String) {
        print("[\(elapsedText)] \(message)")
        fflush(nil)
    }

    /// Writes status.json at most once a second and a progress line every `interval` seconds
    /// (both at once when forced).
    func report(_ ledger: Ledger, force: Bool = false) {
        let now = Date()
        let fileDue = force || now.timeIntervalSince(lastFile) >= 1
        let lineDue = force || (interval > 0 && now.timeIntervalSince(lastLine) >= interval)
        guard fileDue || lineDue else { return }
        let snapshot = make(ledger, state: ledger.isFinished ? "finished" : "running")
        if fileDue {
            write(snapshot)
            lastFile = now
        }
        if lineDue {
            print("[\(elapsedText)] " + Self.line(snapshot))
            fflush(nil)
            lastLine = now
        }
    }

    func make(_ ledger: Ledger, state: String) -> Snapshot {
        Snapshot(name: name, state: state, counts: ledger.counts, bestMetric: ledger.metric,
                 bestValue: ledger.best?.value, bestTrial: ledger.best?.trialID,
                 elapsedSeconds: Date().timeIntervalSince(startedAt),
                 remainingSeconds: ledger.estimatedRemaining(workers: workers), workers: workers,
                 running: running, updatedAt: Date().timeIntervalSince1970, pid: getpid())
    }

    /// "12/40 done (10 completed, 1 pruned, 0 diverged, 1 failed), 3 running, 25 waiting | best …"
    static func line(_ s: Snapshot) -> String {
        let c = s.counts
        var text = "\(c.stored)/\(c.total) done (\(c.completed) completed, \(c.pruned) pruned, "
            + "\(c.diverged) diverged, \(c.failed) failed"
            + (c.resumed > 0 ? ", \(c.resumed) from before" : "") + "), \(c.running) running, \(c.pending) waiting"
        if let v = s.bestValue, let t = s.bestTrial {
            text += String(format: " | best %@ %.4f (trial %@)", s.bestMetric, v, t)
        }
        if let r = s.remainingSeconds, s.state == "running" { text += " | about \(duration(r)) left" }
        return text
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600) h \(t % 3600 / 60) min" : t >= 60 ? "\(t / 60) min \(t % 60) s" : "\(t) s"
    }

    private var elapsedText: String { Self.duration(Date().timeIntervalSince(startedAt)) }

    static func path(in directory: String) -> String { directory + "/status.json" }

    private func write(_ snapshot: Snapshot) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(snapshot) else { return }
        let url = URL(fileURLWithPath: Self.path(in: directory))
        // Atomic replacement: a reader never sees half a file.
        try? data.write(to: url, options: .atomic)
    }
}
