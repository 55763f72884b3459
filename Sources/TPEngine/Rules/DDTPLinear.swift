/// `ddtp-linear`, direct difference target propagation with linear feedback [M20]:
/// τ_o = h_o − β Q_o ∂ℓ/∂h_L, and the direct DRL for Q_o: with h̃_o = h_o + σε and ã_L its output
/// pre-activation, L_o = (1/σ²) mean_b ‖Q_o(ã_L − a_L) − σε‖². At its minimum Q_o approaches the
/// damped pseudo-inverse of ∂a_L/∂h_o.
public final class DDTPLinear<T: Scalar>: DirectFeedbackRule {
    public let targets: Targets<T>
    let feedback: DirectFeedback<T>
    let probe: NoiseProbe<T>
    /// Scratch: ã_L − a_L.
    let outputShift: Matrix<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = DirectFeedback(net: net, config: config, using: &g)
        probe = NoiseProbe(net: net, sigma: config.tp.sigma)
        outputShift = Matrix(rows: net.maxBatch, cols: net.widths[net.depth])
    }

    /// Q_o reaches a conv block's flattened output like a dense layer's, and the probe runs
    /// through conv blocks [M20].
    public static var trainsConvolutionalNetworks: Bool { true }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        let b = net.batch, sigma = probe.sigma
        probe.run(net, using: &g)
        let shift = outputShift.prefix(b)
        for o in feedback.levels {
            difference(probe.outputPre(origin: o, batch: b), net.a[net.depth - 1].ref, into: shift)
            losses[o - 1] = feedback.reconstructionGradient(
                level: o, input: shift, target: probe.noise[o].prefix(b), scale: 1 / (sigma * sigma))
        }
    }
}
