/// The knobs of asynchronous successive halving (spec: `scheduler: {kind: asha, …}`).
public struct ASHASettings: Sendable, Equatable {
    /// What trials are ranked by at each rung.
    public var metric: TrialMetric
    public var mode: MetricMode
    /// Epochs every trial gets before its first comparison (the minimum resource r).
    public var graceEpochs: Int
    /// η: at each rung about 1/η of the trials go on.
    public var reductionFactor: Int
    /// Epochs a trial that is never stopped runs for (the maximum resource R). It replaces the
    /// run config's `epochs` of every trial.
    public var maxEpochs: Int

    /// Values are checked where the spec is read (grace ≥ 1, η ≥ 2, maxEpochs > grace).
    public init(metric: TrialMetric, mode: MetricMode, graceEpochs: Int, reductionFactor: Int, maxEpochs: Int) {
        self.metric = metric
        self.mode = mode
        self.graceEpochs = graceEpochs
        self.reductionFactor = reductionFactor
        self.maxEpochs = maxEpochs
    }

    /// The epochs grace·η^k below `maxEpochs` at which trials are compared. There is no rung at
    /// `maxEpochs` itself: a trial that gets there is done anyway.
    public var rungEpochs: [Int] {
        var epochs: [Int] = []
        var epoch = graceEpochs
        while epoch < maxEpochs {
            epochs.append(epoch)
            let (next, overflow) = epoch.multipliedReportingOverflow(by: reductionFactor)
            if overflow { break }
            epoch = next
        }
        return epochs
    }
}
