/// One row of the reference table, column for column as in methods.md. `lr` is the rate *used*;
/// nil β means the rule has no targets, nil `lrFb` means its feedback is not trained.
struct ReferenceRow {
    typealias Adam = (beta1: Double, beta2: Double, eps: Double)

    var lr: Double
    /// Forward Adam's (β1, β2, ε); the neutral ones for rows that use another optimizer.
    var adam: Adam = (0.9, 0.999, 1e-8)
    var beta: Double? = nil
    /// Whether the forward optimizer divides lr by β [M20] (rules with targets only): the stored
    /// lr is then the used one times β.
    var normalizeLr = true
    var lrFb: Double? = nil
    var adamFb: Adam = (0.9, 0.999, 1e-8)
    var sigma = 0.0
    var fbWeightDecay = 0.0
    var fbEpochs: (pretrain: Int, extra: Int) = (0, 0)
    /// Settings outside the table's columns (other optimizers, loss conventions, a rule's own
    /// keys), applied last by `defaults(for:)`.
    var extra: (inout RunConfig) -> Void = { _ in }
}

extension RunConfig {
    /// Reference hyperparameters on Fashion-MNIST, 784-256×5-10 tanh, batch 128, 100 epochs, from
    /// Meulemans et al., "A Theoretical Framework for Target Propagation", NeurIPS 2020 [M20]
    /// (methods.md, "Reference hyperparameters"). Adam everywhere; no forward weight decay.
    static func reference(for method: Method) -> ReferenceRow {
        switch method {
        case .bp:
            return ReferenceRow(lr: 2.88e-4, adam: (0.9, 0.99, 4.73e-8))
        case .ddtpLinear:
            return ReferenceRow(lr: 5.05e-4, adam: (0.99, 0.99, 1.73e-8), beta: 0.0173,
                                lrFb: 7.96e-4, adamFb: (0.99, 0.9, 3.11e-8), sigma: 0.0986,
                                fbWeightDecay: 5.78e-6, fbEpochs: (6, 1))
        case .ddtpRHL:
            return ReferenceRow(lr: 1.29e-3, adam: (0.9, 0.99, 3.65e-7), beta: 0.0262,
                                lrFb: 1.16e-5, adamFb: (0.9, 0.999, 2.08e-4), sigma: 0.0439,
                                fbWeightDecay: 8.5e-4, fbEpochs: (6, 1))
        case .drl:
            return ReferenceRow(lr: 8.2e-4, adam: (0.99, 0.999, 1.64e-8), beta: 0.0866,
                                lrFb: 9.7e-5, adamFb: (0.99, 0.9, 2.27e-5), sigma: 0.0843,
                                fbWeightDecay: 2.14e-5, fbEpochs: (6, 1))
        case .dtp:
            return ReferenceRow(lr: 2.6e-4, adam: (0.9, 0.99, 3.18e-8), beta: 0.241,
                                lrFb: 3.66e-4, adamFb: (0.99, 0.999, 1.36e-6), sigma: 0.267,
                                fbWeightDecay: 0, fbEpochs: (0, 0))
        case .tp:
            // methods.md has no row for tp; our choice: dtp's feedback settings (tp shares its maps
            // and loss), and a label signal strong enough to beat the reconstruction error of the
            // top map, which cannot invert 10 outputs into 256 units: E22's summed loss, β = 10,
            // Adam lr 6e-4 without lr/β. With dtp's own β and mean loss, vanilla TP collapses to
            // chance on the 784-256×5-10 network (measured: 10 % after one epoch).
            var row = reference(for: .dtp)
            row.beta = 10
            row.lr = 6e-4
            row.normalizeLr = false
            row.extra = { $0.loss.reduction = .sum }
            return row
        case .dtpLee:
            // methods.md gives no values for dtp-lee; our choice (short Fashion-MNIST runs):
            // centered RMSprop for both paths as in [L15], dtp's σ, mean loss, no lr/β (the output
            // layer's true gradient carries no β).
            return ReferenceRow(lr: 1e-4, beta: 1, normalizeLr: false, lrFb: 3e-4, sigma: 0.267,
                                extra: { config in
                                    config.optimizer.kind = .rmsprop
                                    config.fbOptimizer.kind = .rmsprop
                                })
        case .iterative:
            // methods.md gives no values; our choice: drl's feedback and [M20] row, whose maps
            // approach the damped pseudo-inverses the iteration needs (on dtp's denoising maps
            // the refinement diverged in short Fashion-MNIST runs), two fixed-point steps per
            // target, no tolerance, no layer-influence scaling.
            var row = reference(for: .drl)
            row.extra = { config in
                config.tp.iterativeFeedback = .drl
                config.tp.iterations = 2
            }
            return row
        case .gnt:
            // methods.md gives no values; our choice: ddtp-linear's forward settings (ddtp-linear
            // approximates these targets) and λ = 0.1, the best of {0, 1e-3, 0.1} in one-epoch runs.
            var row = reference(for: .ddtpLinear)
            row.lrFb = nil
            row.sigma = 0
            row.fbWeightDecay = 0
            row.fbEpochs = (0, 0)
            row.extra = { $0.tp.damping = [0.1] }
            return row
        case .gait:
            // [A20] via methods.md: square 784-wide layers (4 hidden + output), leaky-ReLU slope
            // 0.1, orthogonal initialisation, output loss ½‖h_L − t_L‖² whose target t_L is the
            // one-hot label on the read units (summed MSE with β = ½ gives exactly that), the
            // batch-mean update (e22 local loss), γ = 1e-3, Float64. Not in methods.md, our
            // choices: Adam lr 5e-5 (A20 grid-searched theirs) and orthogonality weight λ = 1e-2,
            // which kept the BP angles lowest of {0, 1e-3, 1e-2} in one-epoch runs at equal accuracy.
            return ReferenceRow(lr: 5e-5, beta: 0.5, normalizeLr: false, extra: { config in
                config.dtype = .float64
                config.model.hidden = [784, 784, 784, 784]
                config.model.activation = .leakyRelu
                config.model.outputActivation = .leakyRelu
                config.model.leakySlope = 0.1
                config.model.initialization = .orthogonal
                config.loss.kind = .mse
                config.loss.reduction = .sum
                config.tp.localLoss = .e22
                config.tp.gamma = 1e-3
                config.tp.orthoReg = 1e-2
            })
        case .ldrl:
            // [E22] via methods.md: summed output loss, β = 0.7, E22's local loss ½ Σ (h − τ)², no
            // lr/β; SGD with momentum 0.9 on both paths and forward weight decay 1e-4 (E22's settings
            // in the scalingDTP code). E22 gives no MLP values; our choice for the 784-256×5-10 tanh
            // MLP, one value for every feedback layer (so any depth is valid): K = 20 steps (E22 used
            // 20–55 per layer), σ = 0.1, feedback lr 0.05 (L-DRL's gradient scales with σ²), and a
            // forward lr of 0.02 instead of E22's 0.08, whose steps the feedback could not follow (BP
            // angles 35–40° against 25–30° at 0.02 after two 10k-sample epochs, at equal accuracy).
            return ReferenceRow(lr: 0.02, beta: 0.7, normalizeLr: false, lrFb: 0.05, sigma: 0.1,
                                extra: { config in
                                    config.loss.reduction = .sum
                                    config.tp.localLoss = .e22
                                    config.optimizer.kind = .sgd
                                    config.optimizer.momentum = 0.9
                                    config.optimizer.weightDecay = 1e-4
                                    config.fbOptimizer.kind = .sgd
                                    config.fbOptimizer.momentum = 0.9
                                    config.tp.fbSteps = [20]
                                })
        case .ddtpControl:
            return ReferenceRow(lr: 9.3e-4, adam: (0.9, 0.999, 1.33e-8), beta: 0.0323,
                                lrFb: 3.12e-5, adamFb: (0.999, 0.99, 3.26e-4), sigma: 0.0849,
                                fbWeightDecay: 1.19e-6, fbEpochs: (6, 1))
        case .dfa:
            // Feedback fixed at its random initialisation; β = 1 makes normalize_lr a no-op.
            return ReferenceRow(lr: 9.4e-4, adam: (0.9, 0.99, 3.66e-8), beta: 1)
        }
    }

    /// The reference configuration of `method`: the neutral defaults with the method's table row on
    /// top. The stored forward lr is the row's used lr, times β for rows that normalise, so that
    /// `effectiveForwardLR` (lr/β under normalize_lr) gives back the row's value, up to one rounding
    /// of the division.
    public static func defaults(for method: Method) -> RunConfig {
        let row = reference(for: method)
        var config = RunConfig(method: method)
        config.optimizer.beta1 = row.adam.beta1
        config.optimizer.beta2 = row.adam.beta2
        config.optimizer.eps = row.adam.eps
        if let beta = row.beta {
            config.tp.beta = beta
            config.tp.normalizeLr = row.normalizeLr
            config.optimizer.lr = row.normalizeLr ? row.lr * beta : row.lr
        } else {
            config.optimizer.lr = row.lr
        }
        if let lrFb = row.lrFb {
            config.fbOptimizer.lr = lrFb
            config.fbOptimizer.beta1 = row.adamFb.beta1
            config.fbOptimizer.beta2 = row.adamFb.beta2
            config.fbOptimizer.eps = row.adamFb.eps
            config.fbOptimizer.weightDecay = row.fbWeightDecay
            config.tp.sigma = row.sigma
            config.tp.epochsFb = row.fbEpochs.pretrain
            config.tp.extraFbEpochs = row.fbEpochs.extra
        }
        row.extra(&config)
        return config
    }
}

extension RunConfig {
    /// The reference configuration of `method` on `architecture`: `defaults(for:)` with the
    /// architecture set and, where a paper tuned the rule on that network, the paper's values on top
    /// (`architectureReference`).
    public static func defaults(for method: Method, architecture: Architecture) -> RunConfig {
        var config = defaults(for: method)
        config.model.architecture = architecture
        architectureReference(method, architecture)?(&config)
        return config
    }

    /// [E22]'s CIFAR-10 settings of ldrl on its two networks, per feedback layer bottom-up: on LeNet
    /// the values of its code's tuned `dtp_lenet` config (batch 256), on SimpleVGG those of its
    /// README's reproduction command (batch 128). Both: SGD with momentum 0.9, forward weight decay
    /// 1e-4 (ldrl's defaults already), PyTorch's CosineAnnealingLR(T_max = 85, eta_min = 1e-5)
    /// over 90 epochs on the forward rate, and feedback maps that undo a layer's operations in
    /// reverse, its own activation first (`activation-first`), as E22's code inverts its networks.
    /// Other pairs keep the MLP reference.
    static func architectureReference(_ method: Method, _ architecture: Architecture) -> ((inout RunConfig) -> Void)? {
        func e22(forwardLR: Double, beta: Double, batch: Int, steps: [Int], sigma: [Double], fbLR: [Double])
            -> (inout RunConfig) -> Void {
            { config in
                config.epochs = 90
                config.batchSize = batch
                config.tp.beta = beta
                config.optimizer.lr = forwardLR
                config.optimizer.lrSchedule = .cosine
                config.optimizer.lrPeriod = 85
                config.optimizer.lrMinFraction = 1e-5 / forwardLR
                config.tp.fbSteps = steps
                config.tp.fbSigma = sigma
                config.tp.fbLr = fbLR
                config.model.fbOrder = .activationFirst
            }
        }
        switch (method, architecture) {
        case (.ldrl, .lenet):
            return e22(forwardLR: 0.03618, beta: 0.4655, batch: 256, steps: [41, 51, 24],
                       sigma: [0.4164, 0.3826, 0.1395], fbLR: [7.188e-4, 1.251e-4, 3.541e-2])
        case (.ldrl, .simpleVGG):
            return e22(forwardLR: 0.08, beta: 0.7, batch: 128, steps: [20, 30, 35, 55, 20],
                       sigma: [0.4, 0.4, 0.2, 0.2, 0.08], fbLR: [1e-4, 3.5e-4, 8e-3, 8e-3, 0.18])
        default:
            return nil
        }
    }
}

extension Method {
    /// Whether the rule trains hidden layers on targets (everything but `bp`); read off the table.
    public var usesTargets: Bool { RunConfig.reference(for: self).beta != nil }

    /// Whether the rule trains feedback parameters (not `bp`, not `dfa`); read off the table.
    public var trainsFeedback: Bool { RunConfig.reference(for: self).lrFb != nil }
}
