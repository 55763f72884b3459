/// `dfa`, direct feedback alignment: the targets of `ddtp-linear` with Q_o frozen at its random
/// initialisation (β = 1 by default), so the hidden update is s'(a_o) ⊙ Q_o e. Nothing to train
/// in the feedback path.
public final class DFA<T: Scalar>: TargetRule {
    public let targets: Targets<T>
    let feedback: DirectFeedback<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = DirectFeedback(net: net, config: config, using: &g)
    }

    public func propagateTargets(_ net: Network<T>) { feedback.propagate(targets) }

    /// ddtp-linear's direct feedback, frozen: it reaches conv blocks as there ([M20]'s CIFAR CNN).
    public static var trainsConvolutionalNetworks: Bool { true }
}
