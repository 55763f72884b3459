/// A setting with a fixed set of spellings: the raw value is what YAML and JSON say, and `allCases`
/// is the list an error message offers when a config says something else.
public protocol ConfigEnum: RawRepresentable, CaseIterable, Codable, Sendable, Hashable
where RawValue == String {}

/// The learning rule of a run (methods.md, "Learning rules").
/// Adding one is a case here plus its row in `RunConfig.reference(for:)`; the compiler insists on the row.
public enum Method: String, ConfigEnum {
    case bp
    case tp
    case dtp
    case dtpLee = "dtp-lee"
    case drl
    case ddtpLinear = "ddtp-linear"
    case ddtpRHL = "ddtp-rhl"
    case ddtpControl = "ddtp-control"
    case dfa
    case iterative
    case gnt
    case gait
    case ldrl

    /// The rule a config gets when neither its file nor its overrides name one: [M20]'s main rule.
    public static let `default`: Method = .ddtpLinear
}

public enum DType: String, ConfigEnum {
    case float32, float64
}

public enum DatasetKind: String, ConfigEnum {
    case fashionMNIST = "fashion-mnist"
    case mnist
    case cifar10
    case imagenet32
    case studentTeacher = "student-teacher"

    /// Whether samples carry class labels (so accuracy and cross-entropy make sense).
    public var isClassification: Bool { self != .studentTeacher }
    /// Whether samples are images (so convolutional architectures apply).
    public var hasImages: Bool { self != .studentTeacher }
}

public enum ActivationKind: String, ConfigEnum {
    case tanh, relu
    case leakyRelu = "leaky-relu"
    case elu, sigmoid, linear
}

/// The network's shape (methods.md, "Architectures"). `mlp` stacks `model.hidden` dense layers of
/// `model.activation`; the others are the fixed CNNs of the papers, on image data:
/// `m20-cnn` [M20]: conv 5×5 (32) tanh, max-pool 3/2/1, conv 5×5 (64) tanh, max-pool 3/2/1, FC 512 tanh, FC;
/// `lenet` [E22]: the same shape with ELU; `simple-vgg` [E22]: five blocks conv 3×3 ELU, max-pool 2,
/// of 128, 128, 256, 256, 512 channels, then one linear layer.
public enum Architecture: String, ConfigEnum {
    case mlp
    case m20CNN = "m20-cnn"
    case lenet
    case simpleVGG = "simple-vgg"

    public var isConvolutional: Bool { self != .mlp }

    /// Layers below the output layer of a CNN (its conv blocks and dense hidden layers, as
    /// TPEngine's `CNNPlan` builds them; a test holds the two together); nil for `mlp`, whose
    /// count is `model.hidden`'s.
    public var convolutionalHiddenLayers: Int? {
        switch self {
        case .mlp: return nil
        case .m20CNN, .lenet: return 3
        case .simpleVGG: return 5
        }
    }
}

/// Where a layer-to-layer feedback map applies its nonlinearity: `activation-last`,
/// g_l(y) = s_fb(Q_l y + d_l) as [L15] and [M20] build them, or `activation-first`, the reverse of
/// the forward layer's own operations as [E22]'s code inverts a network: unpool (a conv block),
/// then layer l's activation, then the map's own linear part, g_l(y) = Q_l s_l(u(y)) + d_l.
public enum FeedbackOrder: String, ConfigEnum {
    case activationLast = "activation-last"
    case activationFirst = "activation-first"
}

public enum InitKind: String, ConfigEnum {
    case xavierNormal = "xavier-normal"
    case orthogonal
}

public enum LossKind: String, ConfigEnum {
    case crossEntropy = "cross-entropy"
    case mse
}

/// How the output loss reduces over the batch: [M20] averages, [E22] sums (changes β's scale).
public enum Reduction: String, ConfigEnum {
    case mean, sum
}

/// `rmsprop` is the centered variant of [L15].
public enum OptimizerKind: String, ConfigEnum {
    case adam, sgd, rmsprop
}

/// How an optimizer's learning rate changes over the epochs: `constant`, or `cosine` annealing
/// from the configured rate towards `lr_min_fraction` of it over the run [E22].
public enum LRSchedule: String, ConfigEnum {
    case constant, cosine
}

/// The local forward loss of a layer: `m20` is mean_b ‖τ − h‖² (gradient 2 s'⊙(h − τ)),
/// `e22` is mean_b ½ Σ (h − τ)² (no factor 2).
public enum LocalLoss: String, ConfigEnum {
    case m20, e22
}

/// The feedback training under which `iterative` refines its targets: dtp's layer-wise denoising
/// reconstruction or drl's difference reconstruction loss.
public enum IterativeFeedback: String, ConfigEnum {
    case dtp, drl
}
