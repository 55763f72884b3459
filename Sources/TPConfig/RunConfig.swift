/// Every hyperparameter of one training run, and the only place they live: the trainer, the sweep
/// coordinator and the result store all read this value.
///
/// Build one with `RunConfig.defaults(for:)`, from YAML with `load(yamlFile:overrides:)`, or from
/// layered user settings with `ConfigSpec`. Swift names are camel-case; YAML and JSON use the
/// snake_case `CodingKeys`, and every key is always present in an encoded config.
///
/// The property defaults below are method-neutral; `RunConfig()` and `defaults(for:)` overlay a
/// rule's reference values ([M20] Fashion-MNIST table) on them.
public struct RunConfig: Codable, Equatable, Sendable {
    public var method: Method
    /// Seeds initialisation, the validation split and noise; ≥ 0.
    public var seed = 0
    public var dtype = DType.float32
    public var epochs = 100
    public var batchSize = 128
    public var data = Data()
    public var model = Model()
    public var loss = Loss()
    /// Optimizer of the forward parameters. Its `lr` is stored *before* [M20]'s lr/β normalisation;
    /// `effectiveForwardLR` is the rate actually used.
    public var optimizer = Optimizer()
    /// Optimizer of the feedback parameters; its `lr` is used as is (no normalisation).
    public var fbOptimizer = Optimizer()
    public var tp = TP()
    public var prune = Prune()
    public var metrics = Metrics()

    enum CodingKeys: String, CodingKey {
        case method, seed, dtype, epochs
        case batchSize = "batch_size"
        case data, model, loss, optimizer
        case fbOptimizer = "fb_optimizer"
        case tp, prune, metrics
    }

    public struct Data: Codable, Equatable, Sendable {
        public var dataset = DatasetKind.fashionMNIST
        /// Directory of the data files: IDX files (MNIST-like datasets) or CIFAR-10's binary batches.
        public var dir = "/usr/share/datasets/fashion-mnist"
        /// Samples held out of the training set (seeded) for model selection.
        public var validationSize = 5000
        /// Use only this many training samples; 0 = all.
        public var trainSubset = 0
        /// Use only this many test samples; 0 = all.
        public var testSubset = 0
        /// Layer widths of the random teacher, input first (student-teacher only).
        public var teacherWidths = [6, 1000, 1000, 1000, 1000, 2]
        public var teacherTrainSize = 1000
        public var teacherTestSize = 1000
        /// Std of Gaussian noise added to the teacher's outputs.
        public var teacherNoise = 0.0
        /// Training batches of images are shifted by up to this many pixels on each axis, the
        /// border filled with black (torchvision's RandomCrop(size, padding) [E22]); 0 = off.
        public var cropPadding = 0
        /// Training images are mirrored left–right with probability ½ [E22].
        public var horizontalFlip = false
        public init() {}

        enum CodingKeys: String, CodingKey {
            case dataset, dir
            case validationSize = "validation_size"
            case trainSubset = "train_subset"
            case testSubset = "test_subset"
            case teacherWidths = "teacher_widths"
            case teacherTrainSize = "teacher_train_size"
            case teacherTestSize = "teacher_test_size"
            case teacherNoise = "teacher_noise"
            case cropPadding = "crop_padding"
            case horizontalFlip = "horizontal_flip"
        }
    }

    public struct Model: Codable, Equatable, Sendable {
        /// `mlp`, or one of the papers' CNNs (which fix their own layers and activations: `hidden`
        /// and `activation` apply to `mlp` only).
        public var architecture = Architecture.mlp
        /// Hidden widths; the input and output widths come from the data.
        public var hidden = [256, 256, 256, 256, 256]
        public var activation = ActivationKind.tanh
        /// Negative-side slope of leaky-ReLU, and the scale of ELU.
        public var leakySlope = 0.01
        public var outputActivation = ActivationKind.linear
        /// Activation of layer-to-layer feedback maps (dtp, drl).
        public var fbActivation = ActivationKind.tanh
        /// Whether feedback maps apply `fb_activation` after their linear map (default) or, as
        /// [E22], the forward layer's own activation before it (`fb_activation` then unused).
        public var fbOrder = FeedbackOrder.activationLast
        public var initialization = InitKind.xavierNormal
        /// [M20]'s reference code drops the last hidden layer's forward bias in ddtp-linear and dfa;
        /// `false` reproduces that quirk, `true` (default) keeps the bias like every other layer.
        public var lastHiddenBias = true
        public init() {}

        enum CodingKeys: String, CodingKey {
            case architecture, hidden, activation
            case leakySlope = "leaky_slope"
            case outputActivation = "output_activation"
            case fbActivation = "fb_activation"
            case fbOrder = "fb_order"
            case initialization = "init"
            case lastHiddenBias = "last_hidden_bias"
        }
    }

    public struct Loss: Codable, Equatable, Sendable {
        public var kind = LossKind.crossEntropy
        public var reduction = Reduction.mean
        public init() {}
    }

    /// Shared by the forward and the feedback optimizer; each kind reads the fields it needs.
    /// The neutral defaults are PyTorch's Adam defaults.
    public struct Optimizer: Codable, Equatable, Sendable {
        public var kind = OptimizerKind.adam
        /// Learning rate as stored, > 0. For the *forward* optimizer of a rule with targets and
        /// `tp.normalizeLr` on, the rate used is lr/β ([M20]), so that sweeping β does not rescale
        /// the step; `RunConfig.defaults(for:)` therefore stores the table's used rate times β.
        /// Always read the rate to use from `RunConfig.effectiveForwardLR`.
        public var lr = 1e-3
        public var beta1 = 0.9
        public var beta2 = 0.999
        public var eps = 1e-8
        public var weightDecay = 0.0
        /// SGD momentum; also RMSprop's momentum.
        public var momentum = 0.0
        /// RMSprop smoothing constant.
        public var alpha = 0.99
        /// Learning-rate schedule over the epochs.
        public var lrSchedule = LRSchedule.constant
        /// `cosine`: the rate approached at the last epoch, as a fraction of the starting rate
        /// (PyTorch's eta_min / lr; a fraction, so that [M20]'s lr/β normalisation scales both).
        public var lrMinFraction = 0.0
        /// `cosine`: the period T_max in epochs, after which the rate rises again as PyTorch's does;
        /// 0 = the run's epochs. [E22] anneals over 85 of its 90 epochs.
        public var lrPeriod = 0
        public init() {}

        enum CodingKeys: String, CodingKey {
            case kind, lr, beta1, beta2, eps
            case weightDecay = "weight_decay"
            case momentum, alpha
            case lrSchedule = "lr_schedule"
            case lrMinFraction = "lr_min_fraction"
            case lrPeriod = "lr_period"
        }
    }

    /// Settings of target-based rules; `bp` reads none of them.
    public struct TP: Codable, Equatable, Sendable {
        /// Target step size β > 0: τ_L = h_L − β ∂ℓ/∂h_L.
        public var beta = 1.0
        /// Noise scale σ ≥ 0 of the feedback (reconstruction) losses.
        public var sigma = 0.0
        /// [M20]: the forward optimizer uses `optimizer.lr` / β (see `effectiveForwardLR`).
        public var normalizeLr = false
        /// Feedback-only epochs before the first epoch.
        public var epochsFb = 0
        /// Feedback-only epochs after each epoch.
        public var extraFbEpochs = 0
        public var localLoss = LocalLoss.m20
        /// `ddtp-rhl`: width of the fixed random feedback layer z(y) = tanh(R y + r) [M20].
        public var rhlWidth = 1024
        /// `gnt`: damping λ of the Gauss–Newton targets, one value for every hidden layer or one
        /// per hidden layer; 0 uses the pseudo-inverse.
        public var damping: [Double] = [0]
        /// `iterative`: fixed-point iterations per target [B20] (1 = dtp's target).
        public var iterations = 1
        /// `iterative`: a layer stops iterating once ‖f_l(x) − τ_l‖ ≤ tolerance · ‖τ_l − h_l‖;
        /// 0 always runs `iterations`.
        public var tolerance = 0.0
        /// `iterative`: the feedback maps' training loss, dtp's or drl's.
        public var iterativeFeedback = IterativeFeedback.dtp
        /// `iterative`: scale each hidden layer's update by ‖τ_L − h_L‖² / ‖τ_l − h_l‖² [B20].
        public var layerInfluence = false
        /// `gait`: the target increment γ [A20].
        public var gamma = 1e-3
        /// `gait`: weight λ of the orthogonality regulariser Σ_{i≠j} ((WWᵀ)_ij)² [A20].
        public var orthoReg = 0.0
        /// `ldrl`: feedback SGD steps K per feedback layer per batch, one value for every layer or
        /// one per feedback layer (bottom-up); empty = 1.
        public var fbSteps: [Int] = []
        /// `ldrl`: noise σ per feedback layer (one or one per layer); empty = `sigma`.
        public var fbSigma: [Double] = []
        /// `ldrl`: feedback learning rate per feedback layer (one or one per layer); empty =
        /// `fb_optimizer.lr`.
        public var fbLr: [Double] = []
        public init() {}

        enum CodingKeys: String, CodingKey {
            case beta, sigma
            case normalizeLr = "normalize_lr"
            case epochsFb = "epochs_fb"
            case extraFbEpochs = "extra_fb_epochs"
            case localLoss = "local_loss"
            case rhlWidth = "rhl_width"
            case damping, iterations, tolerance
            case iterativeFeedback = "iterative_feedback"
            case layerInfluence = "layer_influence"
            case gamma
            case orthoReg = "ortho_reg"
            case fbSteps = "fb_steps"
            case fbSigma = "fb_sigma"
            case fbLr = "fb_lr"
        }
    }

    /// [M20]: stop hopeless runs early and record them as pruned.
    public struct Prune: Codable, Equatable, Sendable {
        public var enabled = true
        /// The check happens once this many epochs are done.
        public var afterEpoch = 5
        /// Training accuracy in [0, 1] below which the run is pruned.
        public var minTrainAccuracy = 0.40
        public init() {}

        enum CodingKeys: String, CodingKey {
            case enabled
            case afterEpoch = "after_epoch"
            case minTrainAccuracy = "min_train_accuracy"
        }
    }

    public struct Metrics: Codable, Equatable, Sendable {
        /// Batches between in-epoch metric logs; 0 = per epoch only.
        public var logInterval = 0
        /// Per-layer angle with BP; costs an extra backward pass per logged batch.
        public var bpAngles = false
        /// Batches between measurements of the diagnostics below; 0 = the last batch of each epoch.
        public var diagnosticInterval = 0
        /// Samples of a measured batch the diagnostics below use (the first ones: batches are
        /// shuffled); 0 = the whole batch. Bounds the cost of the Gauss–Newton diagnostics.
        public var diagnosticSamples = 0
        /// Per hidden layer: angle between the rule's update and the update that the ideal damped
        /// Gauss–Newton targets would give [M20].
        public var gntAngles = false
        /// Per layer: angle with the damped Gauss–Newton parameter update of the minibatch [M20].
        public var gnAngles = false
        /// Per layer: share of the update's norm in the null space of ∂h_L/∂W_l over the minibatch.
        public var nullSpace = false
        /// Per layer-to-layer feedback map: ‖J_g − J_fᵀ‖_F / ‖J_fᵀ‖_F [E22].
        public var jacobianMatching = false
        /// Damping λ of the GNT and GN angles: one value, or one per layer.
        public var gnDamping: [Double] = [0]
        /// When non-empty, candidate λ values: each layer's GNT and GN angle is the smallest over
        /// them, and the λ that gave it is reported (a search like [M20]'s).
        public var gnDampingSearch: [Double] = []
        public init() {}

        enum CodingKeys: String, CodingKey {
            case logInterval = "log_interval"
            case bpAngles = "bp_angles"
            case diagnosticInterval = "diagnostic_interval"
            case diagnosticSamples = "diagnostic_samples"
            case gntAngles = "gnt_angles"
            case gnAngles = "gn_angles"
            case nullSpace = "null_space"
            case jacobianMatching = "jacobian_matching"
            case gnDamping = "gn_damping"
            case gnDampingSearch = "gn_damping_search"
        }
    }
}

extension RunConfig {
    /// The reference configuration of `Method.default`.
    public init() {
        self = .defaults(for: .default)
    }

    /// The learning rate the forward optimizer uses: `optimizer.lr / tp.beta` when the rule has
    /// targets and `tp.normalizeLr` is on ([M20]), `optimizer.lr` otherwise (bp; dfa has β = 1).
    public var effectiveForwardLR: Double {
        method.usesTargets && tp.normalizeLr ? optimizer.lr / tp.beta : optimizer.lr
    }
}
