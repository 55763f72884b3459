extension RunConfig {
    /// Checks every key's range and the rules that tie keys together. Loading does this already;
    /// call it on a config built or edited in code. Throws `ConfigError`.
    public func validate() throws {
        try validate(origins: [:])
    }

    /// `origins` tells, for keys the user set, where; messages say "(default)" for the others.
    func validate(origins: [String: ConfigOrigin]) throws {
        for field in ConfigSchema.fields { try field.check(self) }

        func setting(_ key: String) -> String {
            let value = ConfigSchema.field(key)?.read(self).description ?? "?"
            return "\(key) = \(value) (\(origins[key].map(\.description) ?? "default"))"
        }
        // Mean-squared error on one-hot labels is a legitimate classification loss; the converse
        // has no labels to work with.
        if loss.kind == .crossEntropy && !data.dataset.isClassification {
            throw ConfigError.inconsistent(
                keys: ["loss.kind", "data.dataset"],
                problem: "\(setting("loss.kind")) needs class labels, but \(setting("data.dataset"))"
                    + " is a regression task; use loss.kind: mse")
        }
        if feedbackLossDividesBySigmaSquared && tp.sigma == 0 {
            throw ConfigError.inconsistent(
                keys: ["tp.sigma", "method"],
                problem: "\(setting("method")) trains its feedback with a difference reconstruction loss"
                    + " scaled by 1/σ², so \(setting("tp.sigma")) must be > 0")
        }
        if model.architecture.isConvolutional && !data.dataset.hasImages {
            throw ConfigError.inconsistent(
                keys: ["model.architecture", "data.dataset"],
                problem: "\(setting("model.architecture")) is a convolutional network and needs images, but"
                    + " \(setting("data.dataset")) has none; use model.architecture: mlp")
        }
        if (data.cropPadding > 0 || data.horizontalFlip) && !data.dataset.hasImages {
            let key = data.cropPadding > 0 ? "data.crop_padding" : "data.horizontal_flip"
            throw ConfigError.inconsistent(
                keys: [key, "data.dataset"],
                problem: "\(setting(key)) augments images, but \(setting("data.dataset")) has none;"
                    + " use data.crop_padding: 0 and data.horizontal_flip: false")
        }
        // The Gauss–Newton diagnostics and Jacobian matching are written for dense layers; the BP
        // angle runs through conv blocks.
        let denseOnly = ["metrics.gnt_angles": metrics.gntAngles, "metrics.gn_angles": metrics.gnAngles,
                         "metrics.null_space": metrics.nullSpace, "metrics.jacobian_matching": metrics.jacobianMatching]
        if model.architecture.isConvolutional, let key = denseOnly.filter(\.value).keys.sorted().first {
            throw ConfigError.inconsistent(
                keys: [key, "model.architecture"],
                problem: "\(setting(key)) measures dense layers only, but \(setting("model.architecture")) has conv"
                    + " blocks; of the per-layer metrics, conv nets have metrics.bp_angles")
        }
        // The fixed-point iteration and Jacobian matching read the maps' weights and slopes in the
        // activation-last form.
        if model.fbOrder == .activationFirst, let key = method == .iterative ? "method"
            : metrics.jacobianMatching ? "metrics.jacobian_matching" : nil {
            throw ConfigError.inconsistent(
                keys: [key, "model.fb_order"],
                problem: "\(setting(key)) works with feedback maps of the form s_fb(Q y + d), but"
                    + " \(setting("model.fb_order")) applies the activation first; use model.fb_order: activation-last")
        }
        try checkLayerLists(setting)
        if method == .ldrl && tp.fbSigma.isEmpty && tp.sigma == 0 {
            throw ConfigError.inconsistent(
                keys: ["tp.sigma", "tp.fb_sigma", "method"],
                problem: "\(setting("method")) trains its feedback on noise, and without noise the loss is 0:"
                    + " with \(setting("tp.fb_sigma")), \(setting("tp.sigma")) must be > 0")
        }
        // The validation rows come out of the generated training pool; `train_subset` counts what
        // is left after them, so it needs no such check (an image set's pool size is in its file).
        if data.dataset == .studentTeacher && data.validationSize >= data.teacherTrainSize {
            throw ConfigError.inconsistent(
                keys: ["data.validation_size", "data.teacher_train_size"],
                problem: "\(setting("data.validation_size")) holds out all of \(setting("data.teacher_train_size"));"
                    + " it must be smaller than data.teacher_train_size")
        }
        try checkSchedules(setting)
    }
}

extension RunConfig {
    /// Per-layer lists hold one value for every layer or one per layer: per hidden layer for the
    /// targets' damping, per feedback layer (one for each hidden layer: the first layer's feedback
    /// would be unused) for ldrl's settings, per layer for the metrics' damping. A CNN's layers
    /// are its architecture's, not `model.hidden`'s.
    fileprivate func checkLayerLists(_ setting: (String) -> String) throws {
        let hidden = model.hiddenLayerCount
        let source = model.architecture.isConvolutional ? "model.architecture" : "model.hidden"
        let lists: [(key: String, count: Int, layers: Int, unit: String, mayBeEmpty: Bool)] = [
            ("tp.damping", tp.damping.count, hidden, "hidden layer", false),
            ("tp.fb_steps", tp.fbSteps.count, hidden, "feedback layer", true),
            ("tp.fb_sigma", tp.fbSigma.count, hidden, "feedback layer", true),
            ("tp.fb_lr", tp.fbLr.count, hidden, "feedback layer", true),
            ("metrics.gn_damping", metrics.gnDamping.count, hidden + 1, "layer", false),
        ]
        for list in lists where !(list.count == 1 || list.count == list.layers || (list.mayBeEmpty && list.count == 0)) {
            throw ConfigError.inconsistent(
                keys: [list.key, source],
                problem: "\(setting(list.key)) has \(list.count) values; expected 1 (for every \(list.unit))"
                    + " or \(list.layers) (one per \(list.unit): \(setting(source)) gives"
                    + " \(list.layers) \(list.unit)s)")
        }
    }
}

extension RunConfig.Model {
    /// Layers below the output layer, each with a feedback layer in the layer-to-layer rules.
    public var hiddenLayerCount: Int { architecture.convolutionalHiddenLayers ?? hidden.count }
}

extension RunConfig {
    /// DRL and direct DRL divide by σ² and vanish without noise; the layer-wise denoising loss of
    /// dtp caps its factor at 1/0.02² and ddtp-control has none.
    fileprivate var feedbackLossDividesBySigmaSquared: Bool {
        switch method {
        case .drl, .ddtpLinear, .ddtpRHL: return true
        case .iterative: return tp.iterativeFeedback == .drl
        case .bp, .tp, .dtp, .dtpLee, .ddtpControl, .dfa, .gnt, .gait, .ldrl: return false
        }
    }
}
