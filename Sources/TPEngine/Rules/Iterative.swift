/// `iterative`, targets refined by iterating approximate inverses [B20] *(check: the paper's full
/// text was not at hand; this is methods.md's stated form)*. To find x with f_l(x) = τ_l, start at
/// x⁽⁰⁾ = h_{l−1} and iterate x⁽ᵏ⁺¹⁾ = x⁽ᵏ⁾ + g_l(τ_l) − g_l(f_l(x⁽ᵏ⁾)), top-down, each layer from
/// the refined target above. One step is exactly dtp's target; when Lip(g_l∘f_l − I) < 1 the
/// residual f_l(x⁽ᵏ⁾) − τ_l shrinks geometrically. `tp.iterations` caps the steps and
/// `tp.tolerance` > 0 stops a layer once ‖f_l(x) − τ_l‖ ≤ tolerance · ‖τ_l − h_l‖ (whole batch).
/// With `tp.layer_influence` each hidden layer's update is scaled by ‖τ_L − h_L‖² / ‖τ_l − h_l‖².
///
/// The maps are dtp's layer-to-layer g_l, trained by dtp's denoising reconstruction or by drl's
/// difference reconstruction loss (`tp.iterative_feedback`).
public final class Iterative<T: Scalar>: LayerFeedbackRule {
    public let targets: Targets<T>
    let feedback: LayerFeedback<T>
    enum FeedbackLoss {
        case dtp(DenoisingReconstruction<T>)
        case drl(DifferenceReconstruction<T>)
    }
    let loss: FeedbackLoss
    let iterations: Int, tolerance: Double, layerInfluence: Bool
    /// Per level l: g_l(τ_{l+1}); the iterate h_l + D; f_l of it (pre-activation and value); the
    /// residual f_l(x) − τ_{l+1}.
    let gOfTarget: [Matrix<T>?], iterate: [Matrix<T>?], fPre: [Matrix<T>?], fOut: [Matrix<T>?], residual: [Matrix<T>?]
    private let batchSized: [Matrix<T>]
    /// For analysis and tests: when set, `residualNorms[l][k]` = ‖f_l(x⁽ᵏ⁾) − τ_{l+1}‖_F of the last
    /// batch for k = 0...iterations (NaN after an early stop), and `iterationsUsed[l]` the steps taken.
    var trackResiduals = false
    var residualNorms: [[Double]], iterationsUsed: [Int]

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = LayerFeedback(net: net, config: config, using: &g)
        switch config.tp.iterativeFeedback {
        case .dtp: loss = .dtp(DenoisingReconstruction(net: net, sigma: config.tp.sigma))
        case .drl: loss = .drl(DifferenceReconstruction(net: net, sigma: config.tp.sigma))
        }
        iterations = config.tp.iterations
        tolerance = config.tp.tolerance
        layerInfluence = config.tp.layerInfluence
        let levels = feedback.levels, b = net.maxBatch
        func perLevel(_ width: (Int) -> Int) -> [Matrix<T>?] {
            net.widths.indices.map { levels.contains($0) ? Matrix(rows: b, cols: width($0)) : nil }
        }
        gOfTarget = perLevel { net.widths[$0] }
        iterate = perLevel { net.widths[$0] }
        fPre = perLevel { net.widths[$0 + 1] }
        fOut = perLevel { net.widths[$0 + 1] }
        residual = perLevel { net.widths[$0 + 1] }
        batchSized = (gOfTarget + iterate + fPre + fOut + residual).compactMap { $0 }
        residualNorms = net.widths.map { _ in Array(repeating: .nan, count: config.tp.iterations + 1) }
        iterationsUsed = Array(repeating: 0, count: net.widths.count)
    }

    public func propagateTargets(_ net: Network<T>) {
        feedback.prepare(net)
        for m in batchSized { m.rows = net.batch }
        for l in feedback.levels.reversed() {
            refine(net, level: l)
        }
    }

    /// Writes D = x − h_l into `targets.delta[l − 1]` by the fixed-point iteration at level l.
    func refine(_ net: Network<T>, level l: Int) {
        let map = feedback.maps[l]!, layer = net.layers[l]
        let d = targets.delta[l - 1].ref, above = targets.delta[l].ref
        let gTau = gOfTarget[l]!.ref, x = iterate[l]!.ref, fx = fOut[l]!.ref, r = residual[l]!.ref
        let input = feedback.input[l]!.ref, gx = feedback.out[l]!.ref
        // g_l(τ_{l+1}).
        copy(net.h[l + 1].ref, into: input)
        axpy(1, above, input)
        map.forward(input, a: feedback.pre[l]!.ref, h: gTau)
        let targetNorm = sumOfSquares(above).squareRoot()
        if trackResiduals {
            for k in residualNorms[l].indices { residualNorms[l][k] = .nan }
            residualNorms[l][0] = targetNorm   // f_l(h_l) − τ_{l+1} = −Δ_l
        }
        // Step 1 from x⁽⁰⁾ = h_l, where f_l(x⁽⁰⁾) = h_{l+1}: D⁽¹⁾ = g_l(τ) − g_l(h_{l+1}), dtp's target.
        difference(gTau, feedback.gOfH[l]!.ref, into: d)
        var used = 1
        while true {
            let last = used == iterations
            let needResidual = trackResiduals || (!last && tolerance > 0)
            if !last || needResidual {
                copy(net.h[l].ref, into: x)
                axpy(1, d, x)
                layer.forward(x, a: fPre[l]!.ref, h: fx)
            }
            if needResidual {
                difference(fx, net.h[l + 1].ref, into: r)
                axpy(-1, above, r)
                let norm = sumOfSquares(r).squareRoot()
                if trackResiduals { residualNorms[l][used] = norm }
                if tolerance > 0 && norm <= tolerance * targetNorm { break }
            }
            if last { break }
            // D ← D + g_l(τ) − g_l(f_l(x)).
            map.forward(fx, a: feedback.pre[l]!.ref, h: gx)
            axpy(1, gTau, d)
            axpy(-1, gx, d)
            used += 1
        }
        iterationsUsed[l] = used
    }

    public func forwardGradients(_ net: Network<T>, outputGradient e: MatRef<T>) {
        targets.setOutput(e, batch: net.batch)
        propagateTargets(net)
        targets.localLossGradients(net)
        guard layerInfluence else { return }
        let top = sumOfSquares(targets.delta[net.depth - 1].ref)
        for l in 0..<(net.depth - 1) {
            let own = sumOfSquares(targets.delta[l].ref)
            guard own > 0 else { continue }
            let factor = T(top / own)
            scale(net.layers[l].weight.grad.ref, by: factor)
            if let b = net.layers[l].bias { scale(b.grad.ref, by: factor) }
        }
    }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        switch loss {
        case .dtp(let denoising): denoising.gradients(net, feedback: feedback, noise: &g, losses: losses)
        case .drl(let drl): drl.gradients(net, feedback: feedback, noise: &g, losses: losses)
        }
    }
}
