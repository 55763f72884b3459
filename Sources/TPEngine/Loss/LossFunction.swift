import RealModule

/// The output loss ℓ and its gradient ∂ℓ/∂h_L.
///
/// `reduction` decides the gradient's scale: `.mean` gives ∂ℓ/∂h_L with the 1/B of a batch mean
/// [M20], `.sum` leaves it out [E22]. Reported loss values are always per-sample means so that
/// runs with different reductions compare.
public struct LossFunction: Sendable {
    public let kind: LossKind
    public let reduction: Reduction

    public init(_ kind: LossKind, reduction: Reduction) {
        self.kind = kind
        self.reduction = reduction
    }

    public struct Evaluation {
        /// Σ over the batch of the per-sample loss.
        public var lossSum: Double
        /// Samples whose arg-max output matches the arg-max target (meaningful for class labels,
        /// with either loss: MSE on one-hot labels is a classification loss too).
        public var correct: Int
    }

    /// Evaluates the batch; when `grad` is given, writes ∂ℓ/∂h_L into it.
    /// Cross-entropy: ℓ_b = logsumexp(z_b) − Σ_j y_bj z_bj, gradient softmax(z) − y.
    /// MSE: ℓ_b = Σ_j (z_bj − y_bj)², gradient 2(z − y).
    public func evaluate<T: Scalar>(output z: MatRef<T>, targets y: MatRef<T>, grad: MatRef<T>?) -> Evaluation {
        precondition(z.rows == y.rows && z.cols == y.cols)
        let scale: T = reduction == .mean ? 1 / T(max(z.rows, 1)) : 1
        var lossSum = 0.0
        var correct = 0
        for r in 0..<z.rows {
            let zr = z.base + r * z.cols, yr = y.base + r * y.cols
            let gr = grad.map { $0.base + r * $0.cols }
            switch kind {
            case .crossEntropy:
                var zmax = zr[0], best = 0, ymax = yr[0], label = 0, yz = 0.0
                for j in 0..<z.cols {
                    if zr[j] > zmax { zmax = zr[j]; best = j }
                    if yr[j] > ymax { ymax = yr[j]; label = j }
                    yz += Double(yr[j]) * Double(zr[j])
                }
                var sum = 0.0
                for j in 0..<z.cols { sum += Double.exp(Double(zr[j] - zmax)) }
                lossSum += Double(zmax) + Double.log(sum) - yz
                if best == label { correct += 1 }
                if let gr {
                    for j in 0..<z.cols {
                        gr[j] = scale * (T(Double.exp(Double(zr[j] - zmax)) / sum) - yr[j])
                    }
                }
            case .mse:
                var zmax = zr[0], best = 0, ymax = yr[0], label = 0
                for j in 0..<z.cols {
                    let d = zr[j] - yr[j]
                    lossSum += Double(d * d)
                    gr?[j] = 2 * scale * d
                    if zr[j] > zmax { zmax = zr[j]; best = j }
                    if yr[j] > ymax { ymax = yr[j]; label = j }
                }
                if best == label { correct += 1 }
            }
        }
        return Evaluation(lossSum: lossSum, correct: correct)
    }

    /// Whether this loss needs class labels (accuracy also means something for MSE on labels: the
    /// trainer asks the data).
    public var isClassification: Bool { kind == .crossEntropy }
}
