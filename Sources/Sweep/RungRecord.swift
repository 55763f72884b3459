/// The scores recorded at one ASHA rung and the cutoff they set: the k-th best of the n recorded,
/// k = max(1, ⌊n/η⌋). The best k sit in a min-heap and the rest in a max-heap (stored negated), so
/// recording a score and reading the cutoff cost O(log n) even with 10⁵ trials at a rung.
/// Scores are oriented so that larger is better (`MetricMode.score`).
struct RungRecord: Sendable {
    let epoch: Int
    private let reductionFactor: Int
    private var top = MinHeap<Double>()
    private var rest = MinHeap<Double>()  // negated scores, so its min is the best of the rest

    init(epoch: Int, reductionFactor: Int) {
        self.epoch = epoch
        self.reductionFactor = reductionFactor
    }

    var count: Int { top.count + rest.count }

    /// Records `score` and returns the cutoff that now holds (a score equal to it passes).
    mutating func record(_ score: Double) -> Double {
        if let cutoff = top.min, score < cutoff {
            rest.push(-score)
        } else {
            top.push(score)
        }
        let k = max(1, count / reductionFactor)
        while top.count > k, let worst = top.popMin() { rest.push(-worst) }
        while top.count < k, let best = rest.popMin() { top.push(-best) }
        return top.min!  // k ≥ 1 and one score was just recorded
    }
}
