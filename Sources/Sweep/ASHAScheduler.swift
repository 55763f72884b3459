/// Asynchronous successive halving (Li et al. 2018, "A System for Massively Parallel
/// Hyperparameter Tuning"), in the stopping form Ray Tune uses: when a trial reaches a rung epoch
/// grace·η^k, its metric is recorded there and the trial goes on only if it is among the best
/// 1/η of all values recorded at that rung so far (ties go on); otherwise it stops. No trial waits
/// for others, so workers never idle; early trials are judged against few peers (the first at a
/// rung always goes on), which is the price of asynchrony the paper accepts.
///
/// A report whose metric is missing, NaN or infinite stops the trial as diverged, and is not
/// recorded: a broken run says nothing about how good the others are, and must not lower the bar.
public struct ASHAScheduler: TrialScheduler {
    public let settings: ASHASettings
    private var rungs: [RungRecord]
    /// For each running trial, the index of the first rung it has not yet passed.
    private var nextRung: [String: Int] = [:]

    public init(settings: ASHASettings) {
        self.settings = settings
        rungs = settings.rungEpochs.map { RungRecord(epoch: $0, reductionFactor: settings.reductionFactor) }
    }

    public mutating func report(trial: String, epoch: Int, metrics: [String: Double]) -> SchedulerDecision {
        let name = settings.metric.rawValue
        guard let value = metrics[name] else {
            return .stop(reason: "\(name) missing from the epoch-\(epoch) report; ASHA cannot rank the trial")
        }
        guard value.isFinite else {
            return .stop(reason: "\(name) is \(value) at epoch \(epoch) (diverged)")
        }
        // A report past a rung the trial has not passed (epochs reported sparsely) is judged there.
        var rung = nextRung[trial] ?? 0
        while rung < rungs.count && rungs[rung].epoch <= epoch {
            let score = settings.mode.score(value)
            let cutoff = rungs[rung].record(score)
            guard score >= cutoff else {
                nextRung[trial] = rung
                // Scoring is its own inverse (x or −x), so this gives the cutoff back in metric units.
                return .stop(reason: reason(rung: rung, value: value, cutoff: settings.mode.score(cutoff)))
            }
            rung += 1
        }
        nextRung[trial] = rung
        return .continue
    }

    public mutating func trialEnded(trial: String) {
        nextRung[trial] = nil
    }

    /// "ASHA rung 1 at epoch 3: validation_accuracy 0.41 is below the cutoff 0.52 (rank 2 of 7
    /// recorded there; the top 1/3 go on)". `cutoff` is in the metric's own units.
    private func reason(rung: Int, value: Double, cutoff: Double) -> String {
        let record = rungs[rung]
        let k = max(1, record.count / settings.reductionFactor)
        let side = settings.mode == .max ? "below" : "above"
        return "ASHA rung \(rung) at epoch \(record.epoch): \(settings.metric.rawValue) \(value) is \(side)"
            + " the cutoff \(cutoff) (rank \(k) of \(record.count) recorded there; the top 1/\(settings.reductionFactor) go on)"
    }
}
