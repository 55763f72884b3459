/// `ldrl`, L-DRL (Ernoult et al., "Towards Scaling Difference Target Propagation by Learning
/// Backprop Targets", ICML 2022 [E22]): dtp's difference targets through layer-to-layer feedback
/// g_n that mirrors the forward layer (a dense map of transposed shape; for a conv block unpooling
/// and a transposed convolution, `ConvMirror`), each map trained on its
/// own layer by the local difference reconstruction loss (`LocalDifferenceReconstruction`), which
/// drives J_g towards J_fᵀ so the targets approach backprop targets.
///
/// E22's order: every batch first runs a feedback phase, layers bottom-up, K_n optimizer steps on
/// layer n with its own noise σ_n and learning rate (`tp.fb_steps`, `tp.fb_sigma`, `tp.fb_lr`), then
/// the forward update from targets of the trained feedback. One feedback group per layer.
public final class LDRL<T: Scalar>: LayerFeedbackRule {
    public let targets: Targets<T>
    let feedback: LayerFeedback<T>
    let loss: LocalDifferenceReconstruction<T>
    /// Per feedback level, bottom-up (index i serves `feedback.levels` element i).
    let steps: [Int], sigma: [T], lr: [Double?]

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = LayerFeedback(net: net, config: config, using: &g)
        loss = LocalDifferenceReconstruction(net: net)
        let settings = config.tp.feedbackLayerSettings(layers: feedback.levels.count)
        (steps, sigma, lr) = (settings.steps, settings.sigma.map { T($0) }, settings.lr)
    }

    public var batchOrder: BatchOrder { .feedbackThenTargets }

    /// A conv block's feedback is its mirror [E22], trained by the same local loss.
    public static var trainsConvolutionalNetworks: Bool { true }

    public var feedbackGroups: [FeedbackGroup<T>] {
        feedback.levels.enumerated().map { i, l in
            FeedbackGroup(parameters: feedback.parameters(level: l), steps: steps[i], lr: lr[i])
        }
    }

    /// The map of group `group` (the group-th level from the bottom); its loss goes to `losses[group]`.
    public func feedbackGradients(_ net: Network<T>, group i: Int, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        let l = feedback.levels.lowerBound + i
        losses[i] = loss.gradients(net, layer: l, feedback: feedback, sigma: sigma[i], noise: &g)
    }

    /// Every map's gradient at once (their parameters are disjoint).
    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        for i in 0..<feedback.levels.count {
            feedbackGradients(net, group: i, noise: &g, losses: losses)
        }
    }
}
