/// The part every target-based rule shares [M20]: the output target, the local forward losses,
/// and the buffers that hold the targets.
///
/// Targets are kept as differences Δ_l = τ_l − h_l (row l+1 of the network's activations). In
/// Float32 an output target τ_L = h_L − β ∂ℓ/∂h_L differs from h_L by ~β/B; storing τ itself
/// and subtracting h again would cancel most of the digits of that difference.
public final class Targets<T: Scalar> {
    /// Δ_l for the output of layer l.
    public let delta: [Matrix<T>]
    /// Scratch for the local-loss backward pass, one per layer (as wide as its pre-activation).
    let teaching: [Matrix<T>]
    let beta: T
    /// 2 for M20's (1/B) Σ‖τ − h‖², 1 for E22's ½ Σ (τ − h)² averaged over the batch.
    let lossFactor: T

    init(net: Network<T>, config: RunConfig) {
        delta = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
        teaching = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.preActivationWidth) }
        beta = T(config.tp.beta)
        lossFactor = config.tp.localLoss == .m20 ? 2 : 1
    }

    /// Δ_L = −β ∂ℓ/∂h_L: the output target [M20] (E22's summed loss comes in through `e`).
    func setOutput(_ e: MatRef<T>, batch: Int) {
        for m in delta { m.rows = batch }
        for m in teaching { m.rows = batch }
        let out = delta[delta.count - 1].ref
        copy(e, into: out)
        scale(out, by: -beta)
    }

    /// Gradients of each layer's local loss with τ_l and h_{l−1} held constant:
    /// δ = c s'(a_l) ⊙ (h_l − τ_l), ∇W = δᵀ h_{l−1} / B, ∇b = mean_b δ, c = `lossFactor`. A conv
    /// block's h_l is its pooled output, so (h_l − τ_l) goes back through its own pooling indices
    /// first: each block learns from its local loss through its own backward pass.
    func localLossGradients(_ net: Network<T>, layers: Range<Int>? = nil) {
        let scaleByBatch = -lossFactor / T(net.batch)
        for l in layers ?? 0..<net.depth {
            let t = teaching[l].ref, layer = net.layers[l]
            layer.preActivationGradient(delta[l].ref, a: net.a[l].ref, h: net.h[l + 1].ref, trace: net.traces[l], into: t)
            layer.accumulateGradients(delta: t, input: net.h[l].ref, scale: scaleByBatch, ones: net.ones.ref)
        }
    }
}

/// A rule whose forward gradients come from targets: it only says how the output target's
/// difference travels down to the hidden layers.
public protocol TargetRule: LearningRule {
    var targets: Targets<T> { get }
    /// Fills `targets.delta[l]` for every hidden layer from the output difference already in place.
    func propagateTargets(_ net: Network<T>)
}

extension TargetRule {
    public func forwardGradients(_ net: Network<T>, outputGradient e: MatRef<T>) {
        targets.setOutput(e, batch: net.batch)
        propagateTargets(net)
        targets.localLossGradients(net)
    }
}
