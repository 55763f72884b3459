/// `ddtp-linear`, direct difference target propagation with linear feedback [M20]:
/// τ_o = h_o − β Q_o ∂ℓ/∂h_L, and the direct DRL for Q_o: with h̃_o = h_o + σε and ã_L its output
/// pre-activation, L_o = (1/σ²) mean_b ‖Q_o(ã_L − a_L) − σε‖². At its minimum Q_o approaches the
/// damped pseudo-inverse of ∂a_L/∂h_o.
public final class DDTPLinear<T: Scalar>: TargetRule {
    public let targets: Targets<T>
    let feedback: DirectFeedback<T>
    let probe: NoiseProbe<T>
    let sigma: T
    /// Scratch: ã_L − a_L and the residual.
    let outputShift: Matrix<T>, residual: Matrix<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = DirectFeedback(net: net, config: config, using: &g)
        probe = NoiseProbe(net: net)
        sigma = T(config.tp.sigma)
        outputShift = Matrix(rows: net.maxBatch, cols: net.widths[net.depth])
        residual = Matrix(rows: net.maxBatch, cols: net.widths.max() ?? 1)
    }

    public var feedbackParameters: [Parameter<T>] { feedback.parameters }
    public var reconstructionLayers: [Int] { Array(feedback.levels) }

    public func propagateTargets(_ net: Network<T>) { feedback.propagate(targets) }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        let b = net.batch
        probe.run(net, sigma: sigma, using: &g)
        let shift = outputShift.prefix(b)
        for o in feedback.levels {
            difference(probe.outputPre(origin: o, batch: b), net.a[net.depth - 1].ref, into: shift)
            losses[o - 1] = feedback.reconstructionGradient(
                level: o, input: shift, target: probe.noise[o].prefix(b), scale: 1 / (sigma * sigma),
                residual: residual.view(rows: b, cols: net.widths[o]))
        }
    }
}
