/// Which epochs of a trial keep a snapshot of the network (spec: `snapshots:`). `best` (the epoch
/// with the best scheduler metric) and `final` (the last epoch run, stopped or not) can only be
/// decided when the trial ends, by whoever runs it.
public struct SnapshotPolicy: Codable, Sendable, Equatable {
    /// Epochs (1-based) to keep.
    public var epochs: [Int]
    /// Also keep every `every`-th epoch; 0 = none.
    public var every: Int
    public var best: Bool
    public var final: Bool

    /// The defaults of a spec without `snapshots`: the final network only.
    public init(epochs: [Int] = [], every: Int = 0, best: Bool = false, final: Bool = true) {
        self.epochs = epochs
        self.every = every
        self.best = best
        self.final = final
    }

    public func keepsEpoch(_ epoch: Int) -> Bool {
        epochs.contains(epoch) || (every > 0 && epoch % every == 0)
    }
}
