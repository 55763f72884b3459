/// `drl` (DTPDRL) [M20]: DTP's difference targets, with feedback trained by the difference
/// reconstruction loss (`DifferenceReconstruction`).
public final class DRL<T: Scalar>: LayerFeedbackRule {
    public let targets: Targets<T>
    let feedback: LayerFeedback<T>
    let loss: DifferenceReconstruction<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = LayerFeedback(net: net, config: config, using: &g)
        loss = DifferenceReconstruction(net: net, sigma: config.tp.sigma)
    }

    /// A conv block's feedback is its mirror [E22], trained by the same difference reconstruction
    /// loss, whose noise probe runs through conv blocks.
    public static var trainsConvolutionalNetworks: Bool { true }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        loss.gradients(net, feedback: feedback, noise: &g, losses: losses)
    }
}
