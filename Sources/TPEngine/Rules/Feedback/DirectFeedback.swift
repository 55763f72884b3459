/// Direct linear feedback [M20]: one matrix Q_o per hidden level o, carrying the output
/// difference straight down: τ_o = h_o + Q_o(τ_L − h_L). Shared by `ddtp-linear`, `ddtp-control`
/// (trained, with different losses) and `dfa` (frozen at its random initialisation).
public final class DirectFeedback<T: Scalar> {
    /// `maps[o]` for hidden level o (index 0 unused): linear, no bias, n_o × n_L.
    let maps: [DenseLayer<T>?]
    /// Scratch for the reconstruction residual.
    let residual: Matrix<T>

    init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        residual = Matrix(rows: net.maxBatch, cols: net.widths.max() ?? 1)
        let outputWidth = net.widths[net.depth]
        maps = net.widths.indices.map { o in
            guard o > 0 && o < net.depth else { return nil }
            let q = DenseLayer<T>(name: "feedback\(o)", fanIn: outputWidth, fanOut: net.widths[o],
                                  activation: Activation(.linear), hasBias: false)
            Initialization.fill(q.weight.value, config.model.initialization, using: &g)
            return q
        }
    }

    var levels: Range<Int> { 1..<(maps.count - 1) }
    var parameters: [Parameter<T>] { levels.flatMap { maps[$0]!.parameters } }

    /// Δ_{o} = Δ_L Q_oᵀ for every hidden level: layer o−1 produces level o.
    func propagate(_ targets: Targets<T>) {
        let top = targets.delta[targets.delta.count - 1].ref
        for o in levels {
            gemm(targets.delta[o - 1].ref, top, maps[o]!.weight.value.ref, transB: true)
        }
    }

    /// The direct feedback losses of `ddtp-linear` and `ddtp-control` have one shape:
    /// L_o = (c/B) ‖X_o Q_oᵀ − Y_o‖², gradient (2c/B) (X_o Q_oᵀ − Y_o)ᵀ X_o, where the rule
    /// chooses the probe input X_o and the reconstruction target Y_o.
    func reconstructionGradient(level o: Int, input x: MatRef<T>, target y: MatRef<T>, scale c: T) -> Double {
        let b = x.rows, r = residual.view(rows: b, cols: y.cols)
        gemm(r, x, maps[o]!.weight.value.ref, transB: true)
        axpy(-1, y, r)
        let loss = Double(c) * sumOfSquares(r) / Double(b)
        gemm(maps[o]!.weight.grad.ref, r, transA: true, x, alpha: 2 * c / T(b))
        return loss
    }
}

/// A rule with trained direct feedback: its targets come from `DirectFeedback`, its feedback
/// parameters are the Q_o; only the feedback loss is its own.
protocol DirectFeedbackRule: TargetRule {
    var feedback: DirectFeedback<T> { get }
}

extension DirectFeedbackRule {
    public var feedbackParameters: [Parameter<T>] { feedback.parameters }
    /// Q_o reconstructs hidden layer o (the papers' numbering).
    public var reconstructionLayers: [Int] { Array(feedback.levels) }
    public func propagateTargets(_ net: Network<T>) { feedback.propagate(targets) }
}
