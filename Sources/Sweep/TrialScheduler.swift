/// Decides, from the metrics a trial reports after each epoch, whether it goes on: Optuna's pruner,
/// Ray Tune's trial scheduler. The coordinator calls it on rank 0 for every epoch report, so a call
/// must be cheap (it is O(log n) for ASHA).
public protocol TrialScheduler: Sendable {
    /// Epoch `epoch` (1-based) of `trial` (its id) is done with `metrics` (the names of
    /// `TrialMetric`). Each epoch is reported once; nothing is reported after a stop.
    mutating func report(trial: String, epoch: Int, metrics: [String: Double]) -> SchedulerDecision
    /// The trial finished, was stopped or failed; its per-trial state may go.
    mutating func trialEnded(trial: String)
}
