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

    /// When the feedback trains relative to the forward weights (see `BatchOrder`). Default: [M20]'s.
    var batchOrder: BatchOrder { get }
    /// The feedback parameters in the groups the trainer steps separately, each with its own
    /// optimizer, number of steps per batch and learning rate. Default: one group of every
    /// feedback parameter, one step per batch at `fb_optimizer.lr` [M20].
    var feedbackGroups: [FeedbackGroup<T>] { get }
    /// Fills the gradients of group `group`'s parameters for the batch in `net`, writing the losses
    /// of that group's reconstruction layers into `losses`. Default: `feedbackGradients` (one group).
    func feedbackGradients(_ net: Network<T>, group: Int, noise g: inout SeededGenerator,
                           losses: UnsafeMutableBufferPointer<Double>)
    /// The layer-to-layer feedback maps, for the Jacobian-matching diagnostic; nil without them.
    var layerFeedback: LayerFeedback<T>? { get }

    /// Width of the output layer for samples `input` wide and targets `target` wide. Default:
    /// `target`. A rule that needs a wider output (GAIT-prop's square network) is read on its first
    /// `target` units, and the loss gradient of the others is zero.
    static func outputWidth(input: Int, target: Int) -> Int
    /// Throws `ConfigError` when the network `widths` (input first) cannot run this rule.
    static func check(widths: [Int], config: RunConfig) throws
    /// Whether the rule trains networks with conv blocks (`model.architecture` other than mlp).
    /// Default: false — a rule says so once its targets and feedback know conv blocks.
    static var trainsConvolutionalNetworks: Bool { get }
}

/// Where, relative to the forward weights, a rule's feedback weights train. The trainer consults
/// this once per batch or epoch; rules state it, so the per-batch orders of the papers are not
/// special cases in the trainer.
public enum BatchOrder: Sendable, Equatable {
    /// [M20]: forward pass → forward gradients from targets of the current feedback (no step yet)
    /// → metrics → feedback step(s) on the same batch and stored activations → forward step. [M20]
    /// logs after the feedback step; the metrics come first here so that what they recompute uses
    /// the feedback that made the forward gradients (the feedback step does not change those).
    case targetsThenFeedback
    /// [E22]: forward pass → feedback phase on the batch (groups bottom-up, K steps each) → forward
    /// gradients from targets of the trained feedback → metrics → forward step. E22 runs a fresh
    /// forward pass before the forward step; the feedback phase leaves the forward weights and the
    /// stored activations untouched, so that pass would reproduce them bit for bit and is skipped.
    case feedbackThenTargets
    /// [L15]: every epoch is a full feedback-only epoch followed by a full forward-only epoch.
    case alternatingEpochs
}

/// Feedback parameters the trainer steps together with one optimizer, `steps` times per batch.
public struct FeedbackGroup<T: Scalar> {
    public var parameters: [Parameter<T>]
    public var steps: Int
    /// The group optimizer's learning rate; nil: `fb_optimizer.lr`.
    public var lr: Double?

    public init(parameters: [Parameter<T>], steps: Int = 1, lr: Double? = nil) {
        (self.parameters, self.steps, self.lr) = (parameters, steps, lr)
    }
}

extension LearningRule {
    public var feedbackParameters: [Parameter<T>] { [] }
    public var reconstructionLayers: [Int] { [] }
    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {}
    public var batchOrder: BatchOrder { .targetsThenFeedback }
    public var feedbackGroups: [FeedbackGroup<T>] {
        let p = feedbackParameters
        return p.isEmpty ? [] : [FeedbackGroup(parameters: p)]
    }
    public func feedbackGradients(_ net: Network<T>, group: Int, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        feedbackGradients(net, noise: &g, losses: losses)
    }
    public var layerFeedback: LayerFeedback<T>? { nil }
    public static func outputWidth(input: Int, target: Int) -> Int { target }
    public static func check(widths: [Int], config: RunConfig) throws {}
    public static var trainsConvolutionalNetworks: Bool { false }

    /// Throws `ConfigError` when `config` asks for a convolutional architecture this rule cannot train.
    static func checkArchitecture(_ config: RunConfig) throws {
        guard config.model.architecture.isConvolutional && !trainsConvolutionalNetworks else { return }
        throw ConfigError.inconsistent(
            keys: ["method", "model.architecture"],
            problem: "method = \(config.method.rawValue) does not train convolutional networks, but"
                + " model.architecture = \(config.model.architecture.rawValue) is one; use model.architecture: mlp"
                + " or a method that trains conv nets (\(Method.trainingConvolutionalNetworks.map(\.rawValue).joined(separator: ", ")))")
    }
}

/// Work to do with the rule type of a method (`Method.withRule`) that computes in `T`: generic over
/// the rule, so each use is compiled for the concrete rule it receives.
protocol RuleVisitor {
    associatedtype T: Scalar
    associatedtype Result
    func visit<Rule: LearningRule>(_ rule: Rule.Type) throws -> Result where Rule.T == T
}

extension Method {
    /// Calls `visitor` with this method's rule: the one place that maps methods to rules, so the
    /// trainers (`makeTrainer`) and what rules say of themselves follow the same table.
    func withRule<V: RuleVisitor>(_ visitor: V) throws -> V.Result {
        typealias T = V.T
        switch self {
        case .bp: return try visitor.visit(BP<T>.self)
        case .tp: return try visitor.visit(TP<T>.self)
        case .dtp: return try visitor.visit(DTP<T>.self)
        case .dtpLee: return try visitor.visit(DTPLee<T>.self)
        case .drl: return try visitor.visit(DRL<T>.self)
        case .ddtpLinear: return try visitor.visit(DDTPLinear<T>.self)
        case .ddtpRHL: return try visitor.visit(DDTPRHL<T>.self)
        case .ddtpControl: return try visitor.visit(DDTPControl<T>.self)
        case .iterative: return try visitor.visit(Iterative<T>.self)
        case .gnt: return try visitor.visit(GNT<T>.self)
        case .gait: return try visitor.visit(GAIT<T>.self)
        case .dfa: return try visitor.visit(DFA<T>.self)
        case .ldrl: return try visitor.visit(LDRL<T>.self)
        }
    }

    /// The methods whose rules train conv nets, in declaration order.
    static var trainingConvolutionalNetworks: [Method] {
        struct TrainsConvolutionalNetworks: RuleVisitor {
            typealias T = Float
            func visit<Rule: LearningRule>(_: Rule.Type) -> Bool where Rule.T == Float { Rule.trainsConvolutionalNetworks }
        }
        return allCases.filter { (try? $0.withRule(TrainsConvolutionalNetworks())) == true }
    }
}
