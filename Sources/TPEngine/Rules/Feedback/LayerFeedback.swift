/// Layer-to-layer feedback maps g_l(h) = s_fb(Q_l h + d_l) that carry level l+1 back to level l
/// [L15, M20], with the difference correction of DTP. Shared by `dtp` and `drl`, which differ
/// only in how they train Q and d. Level 0 (the input) has no feedback map: the first layer's
/// would be unused.
public final class LayerFeedback<T: Scalar> {
    /// `maps[l]` inverts `layers[l]` (l ≥ 1); `maps[0]` is nil.
    let maps: [DenseLayer<T>?]
    /// g_l(h_{l+1}) of the current batch and its pre-activation, computed once per batch and
    /// used by both the targets and the difference reconstruction loss.
    let gOfH: [Matrix<T>?], gOfHPre: [Matrix<T>?]
    /// Scratch: the input handed to a map and its pre-activation/output.
    let input: [Matrix<T>?], pre: [Matrix<T>?], out: [Matrix<T>?]

    /// The levels l that have a map, bottom-up.
    let levels: Range<Int>

    /// Maps for `levels` (default: every level but the input, 1..<L); the others stay nil.
    init(net: Network<T>, config: RunConfig, levels: Range<Int>? = nil, using g: inout SeededGenerator) {
        let levels = levels ?? 1..<net.depth
        precondition(levels.lowerBound >= 1 && levels.upperBound <= net.depth)
        self.levels = levels
        let act = Activation(config.model.fbActivation, slope: config.model.leakySlope)
        let maps: [DenseLayer<T>?] = net.layers.indices.map { l in
            guard levels.contains(l) else { return nil }
            let layer = net.layers[l]
            let map = DenseLayer<T>(name: "feedback\(l + 1)", fanIn: layer.fanOut, fanOut: layer.fanIn,
                                    activation: act, hasBias: true)
            Initialization.fill(map.weight.value, config.model.initialization, using: &g)
            return map
        }
        self.maps = maps
        func perMap(_ cols: (DenseLayer<T>) -> Int) -> [Matrix<T>?] {
            maps.map { $0.map { Matrix(rows: net.maxBatch, cols: cols($0)) } }
        }
        gOfH = perMap(\.fanOut)
        gOfHPre = perMap(\.fanOut)
        input = perMap(\.fanIn)
        pre = perMap(\.fanOut)
        out = perMap(\.fanOut)
        batchSized = (gOfH + gOfHPre + input + pre + out).compactMap { $0 }
    }

    /// Every per-batch buffer, to resize them together without building arrays per batch.
    private let batchSized: [Matrix<T>]

    var parameters: [Parameter<T>] { maps.compactMap { $0 }.flatMap(\.parameters) }

    func setBatch(_ rows: Int) {
        for m in batchSized { m.rows = rows }
    }

    /// Computes g_l(h_{l+1}) for the batch in `net`, for every map.
    func prepare(_ net: Network<T>) {
        setBatch(net.batch)
        for l in levels {
            maps[l]!.forward(net.h[l + 1].ref, a: gOfHPre[l]!.ref, h: gOfH[l]!.ref)
        }
    }

    /// DTP targets [L15]: τ_{l} = g_l(τ_{l+1}) + h_l − g_l(h_{l+1}), i.e.
    /// Δ_{l−1} = g_l(h_{l+1} + Δ_l) − g_l(h_{l+1}), from the top hidden layer down.
    func propagateDifferenceTargets(_ net: Network<T>, _ targets: Targets<T>) {
        prepare(net)
        for l in levels.reversed() {
            let x = input[l]!.ref
            copy(net.h[l + 1].ref, into: x)
            axpy(1, targets.delta[l].ref, x)
            maps[l]!.forward(x, a: pre[l]!.ref, h: out[l]!.ref)
            difference(out[l]!.ref, gOfH[l]!.ref, into: targets.delta[l - 1].ref)
        }
    }

    /// Plain TP targets [L15]: τ_l = g_l(τ_{l+1}), i.e. Δ_{l−1} = g_l(h_{l+1} + Δ_l) − h_l, from the
    /// top hidden layer down. Without the difference correction, an imperfect inverse moves the
    /// target even when the output target equals the output.
    func propagatePlainTargets(_ net: Network<T>, _ targets: Targets<T>) {
        setBatch(net.batch)
        for l in levels.reversed() {
            let x = input[l]!.ref
            copy(net.h[l + 1].ref, into: x)
            axpy(1, targets.delta[l].ref, x)
            maps[l]!.forward(x, a: pre[l]!.ref, h: out[l]!.ref)
            difference(out[l]!.ref, net.h[l].ref, into: targets.delta[l - 1].ref)
        }
    }
}

/// A rule with layer-to-layer feedback and, unless it says otherwise, DTP's difference targets.
protocol LayerFeedbackRule: TargetRule {
    var feedback: LayerFeedback<T> { get }
}

extension LayerFeedbackRule {
    public var feedbackParameters: [Parameter<T>] { feedback.parameters }
    /// The map of `layers[l]` inverts the papers' layer l + 1.
    public var reconstructionLayers: [Int] { feedback.levels.map { $0 + 1 } }
    public var layerFeedback: LayerFeedback<T>? { feedback }
    public func propagateTargets(_ net: Network<T>) { feedback.propagateDifferenceTargets(net, targets) }
}
