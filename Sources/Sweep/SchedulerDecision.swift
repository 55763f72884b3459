/// What a scheduler tells a running trial after an epoch report.
public enum SchedulerDecision: Sendable, Equatable {
    case `continue`
    /// End the trial now; `reason` is recorded with it ("ASHA rung 0 at epoch 1: …").
    case stop(reason: String)
}
