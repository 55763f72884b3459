import RealModule

extension RunConfig.Optimizer {
    /// The rate of 1-based `epoch` of `epochs` for a run that starts at `base`.
    ///
    /// `cosine` is PyTorch's CosineAnnealingLR stepped once per epoch, as [E22] trains its CIFAR-10
    /// networks: lr_e = m + (base − m)(1 + cos(π(e − 1)/T))/2 with m = `lrMinFraction`·base and
    /// T = `lrPeriod` (0: the run's epochs), so the first epoch runs at `base`, the rate falls
    /// towards m over T epochs and, past T, rises again as PyTorch's closed form does.
    public func learningRate(base: Double, epoch: Int, of epochs: Int) -> Double {
        precondition(epoch >= 1 && epoch <= max(epochs, 1), "epoch \(epoch) of \(epochs)")
        switch lrSchedule {
        case .constant:
            return base
        case .cosine:
            let floor = lrMinFraction * base
            let progress = Double(epoch - 1) / Double(lrPeriod > 0 ? lrPeriod : epochs)
            return floor + (base - floor) * (1 + Double.cos(Double.pi * progress)) / 2
        }
    }
}

extension Optimizer {
    /// Sets the rate for `epoch` (1-based) of `epochs` by the configured schedule. Feedback-only
    /// epochs before training keep the starting rate.
    public func startEpoch(_ epoch: Int, of epochs: Int) {
        learningRate = settings.learningRate(base: baseLearningRate, epoch: epoch, of: epochs)
    }
}
