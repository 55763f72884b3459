/// The epoch reports of a trial stored by an earlier session of a sweep, read back from its metric
/// curves, so that a resumed sweep's scheduler can be brought to the state the uninterrupted one
/// would be in.
public struct StoredReports: Sendable, Equatable {
    public var trial: String
    /// Unix seconds at which the trial started.
    public var startedAt: Double
    /// Per-epoch values by metric name (the names of `TrialMetric`); index 0 is epoch 1. Curves
    /// may differ in length; an epoch's report holds the curves that reach it.
    public var metrics: [String: [Double]]
    /// Wall-clock seconds of each epoch (the `seconds` curve); empty if unknown.
    public var epochSeconds: [Double]

    public init(trial: String, startedAt: Double, metrics: [String: [Double]], epochSeconds: [Double]) {
        (self.trial, self.startedAt, self.metrics, self.epochSeconds) = (trial, startedAt, metrics, epochSeconds)
    }

    var epochs: Int { metrics.values.map(\.count).max() ?? 0 }

    /// When epoch `epoch` (1-based) was reported: the start plus the epochs' durations.
    func reportedAt(epoch: Int) -> Double {
        startedAt + epochSeconds.prefix(epoch).reduce(0, +)
    }

    func report(epoch: Int) -> [String: Double] {
        var values: [String: Double] = [:]
        for (name, curve) in metrics where curve.count >= epoch { values[name] = curve[epoch - 1] }
        return values
    }
}

extension TrialScheduler {
    /// Feeds the stored trials' epoch reports to the scheduler, in the order they reached rank 0
    /// (estimated from each trial's start and epoch durations), and ends each trial after its last
    /// report. A trial's curves stop where the scheduler stopped it, so replaying them records
    /// exactly what the original reports recorded (ASHA's rung values) and the decisions come out
    /// the same. With one worker the order is exact; with several it is the order of the reports'
    /// estimated times, which is the real order unless two reports came within the error of the
    /// estimate (the trial's set-up before its first epoch is not in its epoch durations).
    public mutating func replay(_ trials: [StoredReports]) {
        var events: [(time: Double, trial: Int, epoch: Int)] = []
        for (i, trial) in trials.enumerated() where trial.epochs > 0 {
            for epoch in 1...trial.epochs { events.append((trial.reportedAt(epoch: epoch), i, epoch)) }
        }
        events.sort { ($0.time, $0.trial, $0.epoch) < ($1.time, $1.trial, $1.epoch) }
        for event in events {
            let trial = trials[event.trial]
            _ = report(trial: trial.trial, epoch: event.epoch, metrics: trial.report(epoch: event.epoch))
            if event.epoch == trial.epochs { trialEnded(trial: trial.trial) }
        }
    }
}
