/// `ddtp-rhl`, direct difference target propagation through a random hidden feedback layer [M20]:
/// a fixed random layer z(y) = tanh(R y + r) (`tp.rhl_width` units, 1024 in [M20]) re-encodes the
/// output, and each hidden level o has a trained map g_o(z) = s_fb(Q_o z + d_o) from it:
/// τ_o = h_o + g_o(z(τ_L)) − g_o(z(h_L)). The last hidden level takes the output directly,
/// g_{L−1}(y) = s_fb(Q y + d), as in the reference code (its GN target is a plain linear map of the
/// output). Feedback is trained by the direct DRL through z: with h̃_o = h_o + σε and h̃_L its
/// output, L_o = (1/σ²) mean_b ‖g_o(z(h̃_L)) − g_o(z(h_L)) − σε‖².
///
/// R and r are drawn once, U(−1/√n_L, 1/√n_L) like the reference code's untouched torch Linear,
/// and never trained.
public final class DDTPRHL<T: Scalar>: TargetRule {
    public let targets: Targets<T>
    /// z(y) = tanh(R y + r): n_L → `width`, fixed.
    let randomLayer: DenseLayer<T>
    /// `maps[o]` for hidden level o (index 0 and L unused).
    let maps: [DenseLayer<T>?]
    let probe: NoiseProbe<T>
    let depth: Int
    /// Inputs of z, stacked: the perturbed outputs of every origin (or τ_L) then h_L; z's
    /// pre-activation and value on them.
    let zInput: Matrix<T>, zPre: Matrix<T>, z: Matrix<T>
    /// Scratch for one map over two stacked blocks, and the loss residual and its copy.
    let mapPre: Matrix<T>, mapOut: Matrix<T>, error: Matrix<T>, errorAtNoisy: Matrix<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        depth = net.depth
        let outputWidth = net.widths[depth], width = config.tp.rhlWidth, b = net.maxBatch
        targets = Targets(net: net, config: config)
        randomLayer = DenseLayer(name: "rhl", fanIn: outputWidth, fanOut: width,
                                 activation: Activation(.tanh), hasBias: true)
        let bound = T(1 / Double(outputWidth).squareRoot())
        fillUniform(randomLayer.weight.value.ref, low: -bound, high: bound, using: &g)
        fillUniform(randomLayer.bias!.value.ref, low: -bound, high: bound, using: &g)
        let act = Activation(config.model.fbActivation, slope: config.model.leakySlope)
        let depth = self.depth
        maps = net.widths.indices.map { o in
            guard o > 0 && o < depth else { return nil }
            let map = DenseLayer<T>(name: "feedback\(o)", fanIn: o == depth - 1 ? outputWidth : width,
                                    fanOut: net.widths[o], activation: act, hasBias: true)
            Initialization.fill(map.weight.value, config.model.initialization, using: &g)
            return map
        }
        probe = NoiseProbe(net: net, sigma: config.tp.sigma)
        zInput = Matrix(rows: b * depth, cols: outputWidth)
        zPre = Matrix(rows: b * depth, cols: width)
        z = Matrix(rows: b * depth, cols: width)
        let hiddenMax = net.widths.dropFirst().dropLast().max() ?? 1
        mapPre = Matrix(rows: 2 * b, cols: hiddenMax)
        mapOut = Matrix(rows: 2 * b, cols: hiddenMax)
        error = Matrix(rows: b, cols: hiddenMax)
        errorAtNoisy = Matrix(rows: b, cols: hiddenMax)
    }

    var levels: Range<Int> { 1..<depth }
    public var feedbackParameters: [Parameter<T>] { levels.flatMap { maps[$0]!.parameters } }
    public var reconstructionLayers: [Int] { Array(levels) }

    /// Rows `start..<start+count` of the input to level o's map: z, or the output itself for L−1.
    func mapInput(_ o: Int, _ start: Int, _ count: Int) -> MatRef<T> {
        o == depth - 1 ? zInput.prefix(start + count).rows(start, count) : z.prefix(start + count).rows(start, count)
    }

    /// z of the first `rows` rows of `zInput`.
    func encode(rows: Int) {
        randomLayer.forward(zInput.prefix(rows), a: zPre.prefix(rows), h: z.prefix(rows))
    }

    public func propagateTargets(_ net: Network<T>) {
        let b = net.batch, hL = net.h[depth].ref
        // [τ_L; h_L] through z in one GEMM, then each map on both blocks at once.
        let tau = zInput.prefix(b)
        copy(hL, into: tau)
        axpy(1, targets.delta[depth - 1].ref, tau)
        copy(hL, into: zInput.prefix(2 * b).rows(b, b))
        encode(rows: 2 * b)
        for o in levels {
            let map = maps[o]!, width = map.fanOut
            let u = mapPre.view(rows: 2 * b, cols: width), out = mapOut.view(rows: 2 * b, cols: width)
            map.forward(mapInput(o, 0, 2 * b), a: u, h: out)
            difference(out.rows(0, b), out.rows(b, b), into: targets.delta[o - 1].ref)
        }
    }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        let b = net.batch, origins = depth - 1, sigma = probe.sigma, c = 1 / (sigma * sigma)
        probe.run(net, using: &g)
        // The perturbed outputs of all origins, then h_L, through z in one GEMM.
        copy(probe.stacked[depth].prefix(b * origins), into: zInput.prefix(b * origins))
        copy(net.h[depth].ref, into: zInput.prefix(b * depth).rows(b * origins, b))
        encode(rows: b * depth)
        for o in levels {
            let map = maps[o]!, width = map.fanOut
            let noisy = mapInput(o, (o - 1) * b, b), clean = mapInput(o, origins * b, b)
            let uN = mapPre.view(rows: 2 * b, cols: width).rows(0, b), gN = mapOut.view(rows: 2 * b, cols: width).rows(0, b)
            let uC = mapPre.view(rows: 2 * b, cols: width).rows(b, b), gC = mapOut.view(rows: 2 * b, cols: width).rows(b, b)
            map.forward(noisy, a: uN, h: gN)
            map.forward(clean, a: uC, h: gC)
            // r_o − h̃_o = g_o(z̃) − g_o(z) − σε
            let e = error.view(rows: b, cols: width)
            difference(gN, gC, into: e)
            axpy(-1, probe.noise[o].prefix(b), e)
            losses[o - 1] = Double(c) * sumOfSquares(e) / Double(b)
            scale(e, by: 2 * c / T(b))
            let eN = errorAtNoisy.view(rows: b, cols: width)
            copy(e, into: eN)
            map.activation.multiplyDerivative(eN, a: uN, h: gN)
            map.activation.multiplyDerivative(e, a: uC, h: gC)
            map.accumulateGradients(delta: eN, input: noisy, scale: 1, ones: net.ones.ref)
            map.accumulateGradients(delta: e, input: clean, scale: -1, ones: net.ones.ref, accumulate: true)
        }
    }
}
