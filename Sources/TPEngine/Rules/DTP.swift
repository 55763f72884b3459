/// `dtp`, difference target propagation [L15, M20]: difference-corrected layer-to-layer targets
/// τ_{l−1} = g_l(τ_l) + h_{l−1} − g_l(h_l), feedback trained by layer-wise denoising reconstruction.
public final class DTP<T: Scalar>: LayerFeedbackRule {
    public let targets: Targets<T>
    let feedback: LayerFeedback<T>
    let loss: DenoisingReconstruction<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = LayerFeedback(net: net, config: config, using: &g)
        loss = DenoisingReconstruction(net: net, sigma: config.tp.sigma)
    }

    /// A conv block's feedback is its mirror [E22], trained by the same denoising loss: E22's VanillaDTP.
    public static var trainsConvolutionalNetworks: Bool { true }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        loss.gradients(net, feedback: feedback, noise: &g, losses: losses)
    }
}
