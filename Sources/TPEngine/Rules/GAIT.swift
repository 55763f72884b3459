/// `gait`, GAIT-prop [A20]: target propagation through the exact inverses of square invertible
/// layers, with targets that are γ-small increments of the forward pass. Going down from the
/// output, layer l's incremental target h_l + γ s'(a_l)² ⊙ (τ_l − h_l) is pulled back through the
/// exact inverse g_l(z) = W_l⁻¹(s⁻¹(z) − b_l) to give τ_{l−1}, and layer l learns from the
/// γ-rescaled error e_l = γ^{−(L−l)} (h_l − τ_l) ⊙ s'(a_l), ∇W_l = (c/B) Σ_b e_l h_{l−1}ᵀ (c from
/// `tp.local_loss`; A20's mean over the batch is c = 1), plus λ ∇R(W_l) for the orthogonality
/// regulariser R(W) = Σ_{i≠j} ((WWᵀ)_ij)², ∇R = 4(WWᵀ − diag(WWᵀ))W. With orthogonal weights and no
/// activation crossing its kink, the update is exactly the BP gradient (times cβ/B, the scale every
/// local loss here carries).
///
/// Every layer is square (the input width; the loss reads the first n_classes output units). The
/// LU factors of each W_l are recomputed at every batch, i.e. after every update. Targets are held
/// as differences, and τ_{l−1} − h_{l−1} = W_l⁻¹(s⁻¹(h_l + x) − s⁻¹(h_l)) is evaluated without
/// forming s⁻¹(h_l + x) − b_l: the perturbations reach γ^{L−l} (1e-12 at the bottom of [A20]'s
/// network) and the plain form would cancel away most of their digits even in Float64. Run it in
/// Float64 (the method's default dtype).
public final class GAIT<T: Scalar>: LearningRule {
    public let targets: Targets<T>
    /// LU factors of W_l, l ≥ 1 (the first layer's inverse is never needed).
    let factors: [LUFactors<T>?]
    let gamma: T, orthoReg: T
    /// Scratch: the error e_l; WWᵀ for the regulariser.
    let error: Matrix<T>, gram: Matrix<T>?

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        let n = net.widths[0]
        factors = net.layers.indices.map { $0 == 0 ? nil : LUFactors(n: n) }
        gamma = T(config.tp.gamma)
        orthoReg = T(config.tp.orthoReg)
        error = Matrix(rows: net.maxBatch, cols: n)
        gram = config.tp.orthoReg > 0 ? Matrix(rows: n, cols: n) : nil
    }

    public static func outputWidth(input: Int, target: Int) -> Int { input }

    public static func check(widths: [Int], config: RunConfig) throws {
        if let width = widths.first, widths.contains(where: { $0 != width }) {
            throw ConfigError.inconsistent(
                keys: ["method", "model.hidden"],
                problem: "method = gait needs square layers as wide as the input (\(width)); model.hidden = "
                    + "\(config.model.hidden) gives widths \(widths). Use model.hidden = "
                    + "[\(Array(repeating: String(width), count: max(config.model.hidden.count, 1)).joined(separator: ", "))]")
        }
        for (key, kind) in [("model.activation", config.model.activation), ("model.output_activation", config.model.outputActivation)]
        where !(kind == .linear || (kind == .leakyRelu && config.model.leakySlope > 0)) {
            throw ConfigError.inconsistent(
                keys: ["method", key],
                problem: "method = gait inverts its layers exactly; \(key) = \(kind.rawValue) is not supported"
                    + " (leaky-relu with model.leaky_slope > 0, or linear)")
        }
    }

    public func forwardGradients(_ net: Network<T>, outputGradient e: MatRef<T>) {
        targets.setOutput(e, batch: net.batch)
        let top = net.depth - 1, c = targets.lossFactor / T(net.batch)
        for l in 1...max(top, 1) where l <= top { factors[l]!.factor(net.layers[l].weight.value.ref) }
        var rescale: T = 1
        for l in stride(from: top, through: 0, by: -1) {
            let layer = net.layers[l], delta = targets.delta[l].ref
            let a = net.a[l].ref, h = net.h[l + 1].ref
            // e_l = γ^{−(L−l)} (h_l − τ_l) ⊙ s'(a_l), then the local-loss form of the update.
            error.rows = net.batch
            let err = error.ref
            copy(delta, into: err)
            layer.activation.multiplyDerivative(err, a: a, h: h)
            layer.accumulateGradients(delta: err, input: net.h[l].ref, scale: -c * rescale, ones: net.ones.ref)
            if let gram, orthoReg > 0 {
                let w = layer.weight.value.ref
                gemm(gram.ref, w, w, transB: true)
                for i in 0..<gram.rows { gram[i, i] = 0 }
                gemm(layer.weight.grad.ref, gram.ref, w, alpha: 4 * orthoReg, beta: 1)
            }
            guard l > 0 else { break }
            // x = γ s'(a_l)² ⊙ Δ_l; Δ_{l−1} = W_l⁻¹ (s⁻¹(h_l + x) − s⁻¹(h_l)).
            let below = targets.delta[l - 1].ref
            copy(delta, into: below)
            layer.activation.multiplyDerivative(below, a: a, h: h)
            layer.activation.multiplyDerivative(below, a: a, h: h)
            scale(below, by: gamma)
            inverseDifference(layer.activation, at: h, step: below)
            guard factors[l]!.isValid else { fill(below, .nan); continue }
            factors[l]!.solveRows(below)
            rescale /= gamma
        }
    }

    /// x ← s⁻¹(h + x) − s⁻¹(h) for an invertible piecewise-linear s, exactly: x/s'(h) when h and
    /// h + x lie on the same side of the kink, the two branches otherwise.
    func inverseDifference(_ activation: Activation, at h: MatRef<T>, step x: MatRef<T>) {
        guard activation.kind == .leakyRelu else { return }   // linear: s⁻¹ is the identity
        let slope = T(activation.slope), (ph, px) = (h.base, x.base)
        for i in 0..<x.count {
            let y = ph[i], z = y + px[i]
            if (y > 0) == (z > 0) {
                px[i] = y > 0 ? px[i] : px[i] / slope
            } else {
                px[i] = (z > 0 ? z : z / slope) - (y > 0 ? y : y / slope)
            }
        }
    }
}
