/// `ddtp-control` [M20]: the targets of `ddtp-linear`, but Q_o trained by a plain reconstruction
/// loss without the difference correction, L_o = mean_b ‖Q_o ã_L − h̃_o‖² (no 1/σ²). The control
/// experiment that shows the difference reconstruction loss is what makes DDTP work.
public final class DDTPControl<T: Scalar>: DirectFeedbackRule {
    public let targets: Targets<T>
    let feedback: DirectFeedback<T>
    let probe: NoiseProbe<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = DirectFeedback(net: net, config: config, using: &g)
        probe = NoiseProbe(net: net, sigma: config.tp.sigma)
    }

    /// ddtp-linear's direct feedback and noise probe, which reach conv blocks ([M20]'s CIFAR CNN).
    public static var trainsConvolutionalNetworks: Bool { true }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        let b = net.batch
        probe.run(net, using: &g)
        for o in feedback.levels {
            losses[o - 1] = feedback.reconstructionGradient(
                level: o, input: probe.outputPre(origin: o, batch: b),
                target: probe.block(o, origin: o, batch: b), scale: 1)
        }
    }
}
