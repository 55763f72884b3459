/// A learning rule: how the forward parameters' gradients of a batch are obtained and, for the TP
/// family, how the feedback pathway is trained. Shared machinery — the output target, the local
/// forward loss, the per-batch order, optimizers, pre-training epochs — lives elsewhere, once;
/// a rule's own file says only what makes it that rule.
///
/// The trainer is generic over the concrete rule type so every rule's inner loops are compiled
/// for the concrete scalar type (no existential dispatch per element).
public protocol LearningRule<T>: AnyObject {
    associatedtype T: Scalar
    /// Builds the rule's buffers and feedback parameters for `net`.
    init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator)
    /// Feedback parameters trained by the feedback optimizer (empty when there are none).
    var feedbackParameters: [Parameter<T>] { get }
    /// The layers (numbered from 1, as in the papers) whose feedback reports a reconstruction
    /// loss, in the order `feedbackGradients` writes the losses.
    var reconstructionLayers: [Int] { get }
    /// Fills the forward parameters' gradients for the batch held in `net` after a forward pass,
    /// given e = ∂ℓ/∂h_L.
    func forwardGradients(_ net: Network<T>, outputGradient e: MatRef<T>)
    /// Fills the feedback parameters' gradients for the batch held in `net`, writing each
    /// reconstruction-layer's loss into `losses`.
    func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator, losses: UnsafeMutableBufferPointer<Double>)
}

extension LearningRule {
    public var feedbackParameters: [Parameter<T>] { [] }
    public var reconstructionLayers: [Int] { [] }
    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {}
}
