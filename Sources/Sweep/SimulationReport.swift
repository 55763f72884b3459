/// What a `VirtualClusterSimulation` measured. Counts and virtual times are deterministic given the
/// trials, scheduler and seed; the wall-clock seconds are not.
public struct SimulationReport: Sendable {
    public var trials: Int
    public var workers: Int
    /// Trials the scheduler stopped before their last epoch.
    public var trialsStopped: Int
    public var epochsRun: Int
    /// Epoch reports the scheduler judged (each a continue or stop).
    public var decisions: Int
    /// Wall seconds spent inside the scheduler's `report` and `trialEnded`.
    public var schedulingSeconds: Double
    /// Wall seconds `plan()` took; 0 when the trials were given.
    public var planSeconds: Double
    /// Virtual seconds from the first dispatch to the last trial's end.
    public var makespan: Double
    /// Busy worker-seconds over workers × makespan, in [0, 1].
    public var utilisation: Double

    public var decisionsPerSecond: Double {
        schedulingSeconds > 0 ? Double(decisions) / schedulingSeconds : .infinity
    }
}
