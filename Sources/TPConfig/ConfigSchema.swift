/// Every key a config may set, in the order `yamlString()` writes them. The key names must equal the
/// `CodingKeys` (a test compares them with the JSON encoding).
enum ConfigSchema {
    static let method = ConfigField("method", \.method, .choice)
    static let architecture = ConfigField("model.architecture", \.model.architecture, .choice)

    static let fields: [ConfigField] = [
        method,
        ConfigField("seed", \.seed, .integer(min: 0)),
        ConfigField("dtype", \.dtype, .choice),
        ConfigField("epochs", \.epochs, .integer(min: 1)),
        ConfigField("batch_size", \.batchSize, .integer(min: 1)),

        ConfigField("data.dataset", \.data.dataset, .choice),
        ConfigField("data.dir", \.data.dir, .text),
        ConfigField("data.validation_size", \.data.validationSize, .integer(min: 0)),
        ConfigField("data.train_subset", \.data.trainSubset, .integer(min: 0)),
        ConfigField("data.test_subset", \.data.testSubset, .integer(min: 0)),
        ConfigField("data.teacher_widths", \.data.teacherWidths, .widths(minCount: 2)),
        ConfigField("data.teacher_train_size", \.data.teacherTrainSize, .integer(min: 1)),
        ConfigField("data.teacher_test_size", \.data.teacherTestSize, .integer(min: 1)),
        ConfigField("data.teacher_noise", \.data.teacherNoise, .number(.nonNegative)),
        ConfigField("data.crop_padding", \.data.cropPadding, .integer(min: 0)),
        ConfigField("data.horizontal_flip", \.data.horizontalFlip, .flag),

        architecture,
        ConfigField("model.hidden", \.model.hidden, .widths(minCount: 1)),
        ConfigField("model.activation", \.model.activation, .choice),
        ConfigField("model.leaky_slope", \.model.leakySlope, .number(.nonNegative)),
        ConfigField("model.output_activation", \.model.outputActivation, .choice),
        ConfigField("model.fb_activation", \.model.fbActivation, .choice),
        ConfigField("model.fb_order", \.model.fbOrder, .choice),
        ConfigField("model.init", \.model.initialization, .choice),
        ConfigField("model.last_hidden_bias", \.model.lastHiddenBias, .flag),

        ConfigField("loss.kind", \.loss.kind, .choice),
        ConfigField("loss.reduction", \.loss.reduction, .choice),
    ]
    + optimizer("optimizer", \.optimizer)
    + optimizer("fb_optimizer", \.fbOptimizer)
    + [
        ConfigField("tp.beta", \.tp.beta, .number(.positive)),
        ConfigField("tp.sigma", \.tp.sigma, .number(.nonNegative)),
        ConfigField("tp.normalize_lr", \.tp.normalizeLr, .flag),
        ConfigField("tp.epochs_fb", \.tp.epochsFb, .integer(min: 0)),
        ConfigField("tp.extra_fb_epochs", \.tp.extraFbEpochs, .integer(min: 0)),
        ConfigField("tp.local_loss", \.tp.localLoss, .choice),
        ConfigField("tp.rhl_width", \.tp.rhlWidth, .integer(min: 1)),
        ConfigField("tp.damping", \.tp.damping, .numbers(.nonNegative, minCount: 1)),
        ConfigField("tp.iterations", \.tp.iterations, .integer(min: 1)),
        ConfigField("tp.tolerance", \.tp.tolerance, .number(.nonNegative)),
        ConfigField("tp.iterative_feedback", \.tp.iterativeFeedback, .choice),
        ConfigField("tp.layer_influence", \.tp.layerInfluence, .flag),
        ConfigField("tp.gamma", \.tp.gamma, .number(.positive)),
        ConfigField("tp.ortho_reg", \.tp.orthoReg, .number(.nonNegative)),
        ConfigField("tp.fb_steps", \.tp.fbSteps, .integers(min: 1)),
        ConfigField("tp.fb_sigma", \.tp.fbSigma, .numbers(.positive, minCount: 0)),
        ConfigField("tp.fb_lr", \.tp.fbLr, .numbers(.positive, minCount: 0)),

        ConfigField("prune.enabled", \.prune.enabled, .flag),
        ConfigField("prune.after_epoch", \.prune.afterEpoch, .integer(min: 0)),
        ConfigField("prune.min_train_accuracy", \.prune.minTrainAccuracy, .number(.unitInterval)),

        ConfigField("metrics.log_interval", \.metrics.logInterval, .integer(min: 0)),
        ConfigField("metrics.bp_angles", \.metrics.bpAngles, .flag),
        ConfigField("metrics.diagnostic_interval", \.metrics.diagnosticInterval, .integer(min: 0)),
        ConfigField("metrics.diagnostic_samples", \.metrics.diagnosticSamples, .integer(min: 0)),
        ConfigField("metrics.gnt_angles", \.metrics.gntAngles, .flag),
        ConfigField("metrics.gn_angles", \.metrics.gnAngles, .flag),
        ConfigField("metrics.null_space", \.metrics.nullSpace, .flag),
        ConfigField("metrics.jacobian_matching", \.metrics.jacobianMatching, .flag),
        ConfigField("metrics.gn_damping", \.metrics.gnDamping, .numbers(.nonNegative, minCount: 1)),
        ConfigField("metrics.gn_damping_search", \.metrics.gnDampingSearch, .numbers(.nonNegative, minCount: 0)),
    ]

    private static func optimizer(_ name: String,
                                  _ path: WritableKeyPath<RunConfig, RunConfig.Optimizer> & Sendable)
        -> [ConfigField] {
        [
            ConfigField(name + ".kind", path, \.kind, .choice),
            ConfigField(name + ".lr", path, \.lr, .number(.positive)),
            ConfigField(name + ".beta1", path, \.beta1, .number(.unitHalfOpen)),
            ConfigField(name + ".beta2", path, \.beta2, .number(.unitHalfOpen)),
            // ε = 0 turns a zero gradient into 0/0 in Adam and RMSprop.
            ConfigField(name + ".eps", path, \.eps, .number(.positive)),
            ConfigField(name + ".weight_decay", path, \.weightDecay, .number(.nonNegative)),
            ConfigField(name + ".momentum", path, \.momentum, .number(.unitHalfOpen)),
            ConfigField(name + ".alpha", path, \.alpha, .number(.unitHalfOpen)),
            ConfigField(name + ".lr_schedule", path, \.lrSchedule, .choice),
            ConfigField(name + ".lr_min_fraction", path, \.lrMinFraction, .number(.unitHalfOpen)),
            ConfigField(name + ".lr_period", path, \.lrPeriod, .integer(min: 0)),
        ]
    }

    private static let byKey = Dictionary(fields.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })

    /// Section names, from the dotted keys ("data", "model", …).
    static let sections: [String] = fields.map(\.key).compactMap(section(of:)).reduce(into: []) { names, name in
        if !names.contains(name) { names.append(name) }
    }

    static func field(_ key: String) -> ConfigField? { byKey[key] }

    static func isSection(_ key: String) -> Bool { sections.contains(key) }

    /// The section a dotted key belongs to; nil for top-level keys.
    static func section(of key: String) -> String? {
        key.firstIndex(of: ".").map { String(key[..<$0]) }
    }

    /// The names valid directly under `section` (nil: the top level), for messages.
    static func names(under section: String?) -> [String] {
        guard let section else {
            return fields.filter { Self.section(of: $0.key) == nil }.map(\.key) + sections
        }
        return fields.filter { Self.section(of: $0.key) == section }.map { String($0.key.dropFirst(section.count + 1)) }
    }

    /// The field of a key given from code or resolved later, or the error for a section (a code
    /// value cannot be a mapping) or an unknown key (closest known key, or the keys at its level).
    static func field(_ key: String, settingTo value: ConfigValue, at origin: ConfigOrigin) throws -> ConfigField {
        if let field = field(key) { return field }
        if isSection(key) {
            throw ConfigError.notAMapping(key: key, found: value.typedText, expectedKeys: names(under: key), at: origin)
        }
        throw unknownKey(key, at: origin)
    }

    static func unknownKey(_ key: String, at origin: ConfigOrigin) -> ConfigError {
        let parent = section(of: key).flatMap { isSection($0) ? $0 : nil }
        return .unknownKey(key, suggestion: suggestion(for: key), knownKeys: names(under: parent), at: origin)
    }

    /// The known key or section closest to a mistyped `key`, if one is close enough to be a typo.
    /// A key's last component is compared too, so `lr` finds `optimizer.lr` (at a cost of 1).
    static func suggestion(for key: String) -> String? {
        let typed = key.lowercased()
        func leaf(_ k: String) -> Substring { k.split(separator: ".").last ?? Substring(k) }
        let scored = (fields.map(\.key) + sections).map { candidate in
            (candidate, min(editDistance(typed, candidate),
                            editDistance(String(leaf(typed)), String(leaf(candidate))) + 1))
        }
        guard let (best, distance) = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        // Loose enough for one or two slips, never so loose that a short key matches anything.
        return distance <= max(2, min(3, key.count / 3)) && distance < key.count ? best : nil
    }
}

/// Levenshtein distance between two strings, by characters. Public so that documents around a run
/// config (sweep specs) suggest keys the same way.
public func editDistance(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    var row = Array(0...b.count)  // distances from a's prefix so far to each prefix of b
    for (i, ca) in a.enumerated() {
        var diagonal = row[0]
        row[0] = i + 1
        for (j, cb) in b.enumerated() {
            let above = row[j + 1]
            row[j + 1] = min(above + 1, row[j] + 1, diagonal + (ca == cb ? 0 : 1))
            diagonal = above
        }
    }
    return row[b.count]
}
