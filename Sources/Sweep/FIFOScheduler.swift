/// Runs every trial to its last epoch: the scheduler for plain grid and random searches.
public struct FIFOScheduler: TrialScheduler {
    public init() {}

    public mutating func report(trial: String, epoch: Int, metrics: [String: Double]) -> SchedulerDecision {
        .continue
    }

    public mutating func trialEnded(trial: String) {}
}
