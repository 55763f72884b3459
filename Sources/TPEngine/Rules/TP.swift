/// `tp`, vanilla target propagation [L15]: each hidden target is the feedback map's image of the
/// target above, τ_{l−1} = g_l(τ_l), with no difference correction, so an imperfect inverse moves
/// the targets even when τ_L = h_L. Feedback is trained like `dtp`'s, by layer-wise denoising
/// reconstruction.
public final class TP<T: Scalar>: LayerFeedbackRule {
    public let targets: Targets<T>
    let feedback: LayerFeedback<T>
    let loss: DenoisingReconstruction<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = LayerFeedback(net: net, config: config, using: &g)
        loss = DenoisingReconstruction(net: net, sigma: config.tp.sigma)
    }

    /// A conv block's feedback is its mirror [E22], trained by the same denoising loss.
    public static var trainsConvolutionalNetworks: Bool { true }

    public func propagateTargets(_ net: Network<T>) { feedback.propagatePlainTargets(net, targets) }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        loss.gradients(net, feedback: feedback, noise: &g, losses: losses)
    }
}
