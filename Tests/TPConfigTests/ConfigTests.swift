import Foundation
import XCTest
@testable import TPConfig

final class ConfigTests: XCTestCase {
    // MARK: Reference defaults

    /// One row of methods.md's [M20] Fashion-MNIST table, restated here independently of the source.
    private struct Row {
        let method: Method
        let lr: Double, adam: [Double]
        let beta: Double?
        let lrFb: Double?, adamFb: [Double], sigma: Double, fbWd: Double, fb: [Int]
    }

    private let table: [Row] = [
        Row(method: .bp, lr: 2.88e-4, adam: [0.9, 0.99, 4.73e-8], beta: nil,
            lrFb: nil, adamFb: [], sigma: 0, fbWd: 0, fb: [0, 0]),
        Row(method: .ddtpLinear, lr: 5.05e-4, adam: [0.99, 0.99, 1.73e-8], beta: 0.0173,
            lrFb: 7.96e-4, adamFb: [0.99, 0.9, 3.11e-8], sigma: 0.0986, fbWd: 5.78e-6, fb: [6, 1]),
        Row(method: .ddtpRHL, lr: 1.29e-3, adam: [0.9, 0.99, 3.65e-7], beta: 0.0262,
            lrFb: 1.16e-5, adamFb: [0.9, 0.999, 2.08e-4], sigma: 0.0439, fbWd: 8.5e-4, fb: [6, 1]),
        Row(method: .drl, lr: 8.2e-4, adam: [0.99, 0.999, 1.64e-8], beta: 0.0866,
            lrFb: 9.7e-5, adamFb: [0.99, 0.9, 2.27e-5], sigma: 0.0843, fbWd: 2.14e-5, fb: [6, 1]),
        Row(method: .dtp, lr: 2.6e-4, adam: [0.9, 0.99, 3.18e-8], beta: 0.241,
            lrFb: 3.66e-4, adamFb: [0.99, 0.999, 1.36e-6], sigma: 0.267, fbWd: 0, fb: [0, 0]),
        Row(method: .ddtpControl, lr: 9.3e-4, adam: [0.9, 0.999, 1.33e-8], beta: 0.0323,
            lrFb: 3.12e-5, adamFb: [0.999, 0.99, 3.26e-4], sigma: 0.0849, fbWd: 1.19e-6, fb: [6, 1]),
        Row(method: .dfa, lr: 9.4e-4, adam: [0.9, 0.99, 3.66e-8], beta: 1,
            lrFb: nil, adamFb: [], sigma: 0, fbWd: 0, fb: [0, 0]),
    ]

    /// Rules the [M20] table does not cover; `testDefaultsOutsideTheM20Table` checks their rows.
    private let outsideTable: Set<Method> = [.tp, .dtpLee, .iterative, .gnt, .gait, .ldrl]

    func testEveryMethodHasATableRow() {
        XCTAssertEqual(Set(table.map(\.method)).union(outsideTable), Set(Method.allCases))
        XCTAssertTrue(Set(table.map(\.method)).isDisjoint(with: outsideTable))
    }

    func testDefaultsOutsideTheM20Table() {
        let dtp = RunConfig.defaults(for: .dtp)
        let tp = RunConfig.defaults(for: .tp)
        XCTAssertEqual(tp.loss.reduction, .sum)
        XCTAssertEqual(tp.tp.beta, 10)
        XCTAssertFalse(tp.tp.normalizeLr)
        XCTAssertEqual(tp.effectiveForwardLR, 6e-4)
        XCTAssertEqual(tp.fbOptimizer, dtp.fbOptimizer)
        XCTAssertEqual(tp.tp.sigma, dtp.tp.sigma)
        let lee = RunConfig.defaults(for: .dtpLee)
        XCTAssertEqual(lee.optimizer.kind, .rmsprop)
        XCTAssertEqual(lee.fbOptimizer.kind, .rmsprop)
        XCTAssertFalse(lee.tp.normalizeLr)
        XCTAssertEqual([lee.effectiveForwardLR, lee.fbOptimizer.lr, lee.tp.beta, lee.tp.sigma], [1e-4, 3e-4, 1, 0.267])
        var iterative = RunConfig.defaults(for: .iterative)
        XCTAssertEqual(iterative.tp.iterativeFeedback, .drl)
        XCTAssertEqual(iterative.tp.iterations, 2)
        iterative.method = .drl
        iterative.tp.iterations = 1
        iterative.tp.iterativeFeedback = .dtp
        XCTAssertEqual(iterative, RunConfig.defaults(for: .drl))
        let gnt = RunConfig.defaults(for: .gnt), linear = RunConfig.defaults(for: .ddtpLinear)
        XCTAssertEqual(gnt.tp.damping, [0.1])
        XCTAssertEqual(gnt.optimizer, linear.optimizer)
        XCTAssertEqual(gnt.tp.beta, linear.tp.beta)
        XCTAssertFalse(gnt.method.trainsFeedback)
        let gait = RunConfig.defaults(for: .gait)
        XCTAssertEqual(gait.dtype, .float64)
        XCTAssertEqual(gait.model.hidden, [784, 784, 784, 784])
        XCTAssertEqual([gait.model.activation, gait.model.outputActivation], [.leakyRelu, .leakyRelu])
        XCTAssertEqual([gait.model.leakySlope, gait.tp.gamma, gait.tp.beta], [0.1, 1e-3, 0.5])
        XCTAssertEqual(gait.loss.kind, .mse)
        XCTAssertFalse(gait.tp.normalizeLr)
        XCTAssertEqual(gait.effectiveForwardLR, 5e-5)
        let ldrl = RunConfig.defaults(for: .ldrl)
        XCTAssertEqual([ldrl.optimizer.kind, ldrl.fbOptimizer.kind], [.sgd, .sgd])
        XCTAssertEqual([ldrl.tp.beta, ldrl.effectiveForwardLR, ldrl.optimizer.momentum], [0.7, 0.02, 0.9])
        XCTAssertFalse(ldrl.tp.normalizeLr)
        XCTAssertEqual([ldrl.optimizer.lr, ldrl.optimizer.weightDecay], [0.02, 1e-4])
        XCTAssertEqual(ldrl.loss.reduction, .sum)
        XCTAssertEqual(ldrl.tp.localLoss, .e22)
        XCTAssertEqual(ldrl.tp.fbSteps, [20])
        XCTAssertEqual(ldrl.tp.feedbackLayerSettings(layers: 5).sigma, [Double](repeating: 0.1, count: 5))
    }

    func testPerLayerListsHaveOneValueOrOnePerLayer() throws {
        XCTAssertNoThrow(try RunConfig.resolve(yaml: "model: {hidden: [8, 8, 8]}\ntp: {damping: [0.1, 0.2, 0.3]}", source: "ok"))
        XCTAssertNoThrow(try RunConfig.resolve(yaml: "tp: {damping: [0.1], fb_steps: []}", source: "ok"))
        XCTAssertThrowsError(try RunConfig.resolve(yaml: "model: {hidden: [8, 8, 8]}\ntp: {fb_steps: [1, 2]}", source: "bad")) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("tp.fb_steps = [1, 2]") && text.contains("has 2 values"), text)
        }
        XCTAssertThrowsError(try RunConfig.resolve(yaml: "metrics: {gn_damping: [1, 2]}", source: "bad"))
        XCTAssertThrowsError(try RunConfig.resolve(yaml: "tp: {fb_sigma: [0.1, -1]}", source: "bad"))
        XCTAssertThrowsError(try RunConfig.resolve(yaml: "tp: {damping: []}", source: "bad"))
    }

    func testDefaultsEqualTheReferenceTable() {
        for row in table {
            let c = RunConfig.defaults(for: row.method)
            let name = row.method.rawValue
            XCTAssertEqual(c.method, row.method)
            XCTAssertEqual(c.optimizer.kind, .adam, name)
            XCTAssertEqual([c.optimizer.beta1, c.optimizer.beta2, c.optimizer.eps], row.adam, name)
            XCTAssertEqual(c.optimizer.weightDecay, 0, name)
            // The used rate is the table's; lr/β rounds once, so allow one ulp (drl's 8.2e-4 has no
            // stored double s with s / 0.0866 == 8.2e-4 exactly).
            XCTAssertEqual(c.effectiveForwardLR, row.lr, accuracy: row.lr.ulp, name)
            XCTAssertEqual(c.method.usesTargets, row.beta != nil, name)
            XCTAssertEqual(c.method.trainsFeedback, row.lrFb != nil, name)
            if let beta = row.beta {
                XCTAssertEqual(c.tp.beta, beta, name)
                XCTAssertTrue(c.tp.normalizeLr, name)
                XCTAssertEqual(c.optimizer.lr, row.lr * beta, name)  // stored before normalisation
            } else {
                XCTAssertEqual(c.optimizer.lr, row.lr, name)
            }
            if let lrFb = row.lrFb {
                XCTAssertEqual(c.fbOptimizer.lr, lrFb, name)
                XCTAssertEqual([c.fbOptimizer.beta1, c.fbOptimizer.beta2, c.fbOptimizer.eps], row.adamFb, name)
            }
            XCTAssertEqual(c.fbOptimizer.weightDecay, row.fbWd, name)
            XCTAssertEqual(c.tp.sigma, row.sigma, name)
            XCTAssertEqual([c.tp.epochsFb, c.tp.extraFbEpochs], row.fb, name)
            XCTAssertEqual(c.loss.reduction, .mean, name)
            XCTAssertEqual(c.model.hidden, [256, 256, 256, 256, 256], name)
            XCTAssertEqual([c.epochs, c.batchSize], [100, 128], name)
            XCTAssertNoThrow(try c.validate(), name)
        }
    }

    func testDefaultMethodIsDDTPLinear() throws {
        XCTAssertEqual(RunConfig(), RunConfig.defaults(for: .ddtpLinear))
        XCTAssertEqual(try RunConfig.resolve(yaml: "", source: "empty.yaml"), RunConfig())
        XCTAssertEqual(try RunConfig.resolve(yaml: "seed: 3", source: "s.yaml").method, .ddtpLinear)
    }

    func testNormalizeLrOffUsesStoredRate() throws {
        let c = try RunConfig.resolve(yaml: "tp: {normalize_lr: false}\noptimizer: {lr: 0.002}", source: "x")
        XCTAssertEqual(c.effectiveForwardLR, 0.002)
        XCTAssertEqual(try RunConfig.resolve(yaml: "method: bp\ntp: {beta: 0.5}", source: "x").effectiveForwardLR,
                       2.88e-4)
    }

    // MARK: Precedence and values

    func testFileOverridesMethodDefaultsAndOverridesWinOverFile() throws {
        let yaml = """
            method: drl
            optimizer:
              lr: 1.0e-3
            tp:
              beta: 0.5
            """
        let c = try RunConfig.resolve(yaml: yaml, source: "run.yaml",
                                      overrides: ["tp.beta=0.25", "model.hidden=[128, 64]"])
        XCTAssertEqual(c.method, .drl)
        XCTAssertEqual(c.optimizer.lr, 1e-3)      // file beats method default
        XCTAssertEqual(c.tp.beta, 0.25)           // override beats file
        XCTAssertEqual(c.tp.sigma, 0.0843)        // untouched: drl's default
        XCTAssertEqual(c.fbOptimizer.lr, 9.7e-5)
        XCTAssertEqual(c.model.hidden, [128, 64])
        XCTAssertEqual(c.effectiveForwardLR, 1e-3 / 0.25)
    }

    func testMethodOverrideSwitchesDefaultsButKeepsUserKeys() throws {
        let c = try RunConfig.resolve(yaml: "method: dtp\ntp:\n  sigma: 0.5\n", source: "run.yaml",
                                      overrides: ["method=ddtp-control"])
        XCTAssertEqual(c.method, .ddtpControl)
        XCTAssertEqual(c.tp.sigma, 0.5)                      // the user's key survives
        XCTAssertEqual(c.tp.beta, 0.0323)                    // the rest follows ddtp-control
        XCTAssertEqual(c.fbOptimizer.eps, 3.26e-4)
    }

    func testOverrideValueTypesAndSectionOverride() throws {
        let c = try RunConfig.resolve(yaml: "", source: "x", overrides: [
            "optimizer={kind: sgd, momentum: 0.9}", "prune.enabled=no", "data.dir=/tmp/my data",
            "epochs=20.0", " seed = 7 ", "data.teacher_widths=[4, 8, 2]", "model.init=orthogonal",
        ])
        XCTAssertEqual(c.optimizer.kind, .sgd)
        XCTAssertEqual(c.optimizer.momentum, 0.9)
        XCTAssertFalse(c.prune.enabled)
        XCTAssertEqual(c.data.dir, "/tmp/my data")
        XCTAssertEqual(c.epochs, 20)
        XCTAssertEqual(c.seed, 7)
        XCTAssertEqual(c.data.teacherWidths, [4, 8, 2])
        XCTAssertEqual(c.model.initialization, .orthogonal)
        XCTAssertEqual(try RunConfig.resolve(yaml: "optimizer:\n", source: "x"), RunConfig())
        // Dotted keys work in files too, and YAML anchors are followed.
        let d = try RunConfig.resolve(yaml: "optimizer.lr: 0.5\nmodel:\n  hidden: &w [64, 2]\ndata:\n  teacher_widths: *w\n",
                                      source: "x")
        XCTAssertEqual(d.optimizer.lr, 0.5)
        XCTAssertEqual(d.data.teacherWidths, [64, 2])
    }

    func testSpecParametersForSweeps() throws {
        let base = try ConfigSpec(yaml: "method: dtp\noptimizer: {eps: 1.0e-6}", source: "base.yaml")
        let trial = try base.setting(["method": "drl", "tp.beta": 0.1, "model.hidden": [32, 32]]).resolve()
        XCTAssertEqual(trial.method, .drl)
        XCTAssertEqual(trial.optimizer.eps, 1e-6)         // the base file's key
        XCTAssertEqual(trial.tp.beta, 0.1)
        XCTAssertEqual(trial.tp.sigma, 0.0843)            // drl's default, not dtp's
        XCTAssertEqual(trial.model.hidden, [32, 32])
        XCTAssertThrowsError(try base.setting([(key: "tp.betta", value: 0.1)])) { error in
            XCTAssertTrue("\(error)".contains("did you mean 'tp.beta'"), "\(error)")
        }
        XCTAssertThrowsError(try base.setting(["optimizer": 0.1])) { error in
            XCTAssertTrue("\(error)".hasPrefix("parameter: section 'optimizer' must be a mapping"), "\(error)")
        }
    }

    func testApplyingSetsLiterally() throws {
        let c = try RunConfig.defaults(for: .dtp).applying([(key: "method", value: "drl"), (key: "seed", value: 9)])
        XCTAssertEqual(c.method, .drl)
        XCTAssertEqual(c.seed, 9)
        XCTAssertEqual(c.tp.beta, 0.241)  // dtp's value stays
        XCTAssertThrowsError(try c.applying([(key: "optimizer.lr", value: 0)])) { error in
            XCTAssertEqual("\(error)", "parameter: optimizer.lr: 0 is out of range; expected a number > 0")
        }
    }

    // MARK: Round trips

    func testYAMLRoundTrip() throws {
        for method in Method.allCases {
            var c = RunConfig.defaults(for: method)
            c.seed = 12
            c.data.dir = "/data/fashion mnist: \"v2\"#1"
            c.model.hidden = [300, 100]
            c.optimizer.lr = 1e-5
            c.fbOptimizer.kind = .rmsprop
            let yaml = c.yamlString()
            XCTAssertEqual(try RunConfig.resolve(yaml: yaml, source: "dump.yaml"), c, yaml)
        }
        var tricky = RunConfig()
        tricky.data.dir = "true"  // must come back as a string, not a boolean
        XCTAssertEqual(try RunConfig.resolve(yaml: tricky.yamlString(), source: "dump.yaml"), tricky)
        XCTAssertTrue(RunConfig().yamlString().contains("\nmodel:\n  architecture: mlp\n  hidden: [256, 256, 256, 256, 256]\n"))
    }

    func testJSONIsSortedAndRoundTrips() throws {
        let c = RunConfig.defaults(for: .drl)
        let json = try c.jsonData()
        XCTAssertEqual(try RunConfig(jsonData: json), c)
        XCTAssertEqual(json, try RunConfig(jsonData: json).jsonData())
        let text = String(decoding: json, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("{\"batch_size\":128,\"data\":{"), text)
    }

    /// The YAML keys (schema) and the JSON keys (CodingKeys) are written twice; they must agree.
    func testYAMLAndJSONKeysAgree() throws {
        let object = try JSONSerialization.jsonObject(with: RunConfig().jsonData()) as? [String: Any] ?? [:]
        var jsonKeys: Set<String> = []
        for (key, value) in object {
            if let section = value as? [String: Any] {
                jsonKeys.formUnion(section.keys.map { "\(key).\($0)" })
            } else {
                jsonKeys.insert(key)
            }
        }
        let schemaKeys = ConfigSchema.fields.map(\.key)
        XCTAssertEqual(Set(schemaKeys).count, schemaKeys.count, "duplicate schema key")
        XCTAssertEqual(Set(schemaKeys), jsonKeys)
    }

    // MARK: Errors

    private struct Bad {
        let yaml: String
        var overrides: [String] = []
        let expect: [String]
    }

    private let badConfigs: [Bad] = [
        Bad(yaml: "optimizer:\n  lr: -0.001\n",
            expect: ["bad.yaml:2:7: optimizer.lr: -0.001 is out of range; expected a number > 0"]),
        Bad(yaml: "batch_size: 0", expect: ["bad.yaml:1:13", "batch_size", "0 is out of range", ">= 1"]),
        Bad(yaml: "tp:\n  sigma: -0.1", expect: ["bad.yaml:2:10", "tp.sigma", "-0.1", ">= 0"]),
        Bad(yaml: "data:\n  validation_size: -5", expect: ["bad.yaml:2:", "data.validation_size", "-5", ">= 0"]),
        Bad(yaml: "model:\n  hidden: []", expect: ["bad.yaml:2:11", "model.hidden", "a non-empty list of integers >= 1"]),
        Bad(yaml: "model:\n  hidden: [256, 0, 256]", expect: ["model.hidden", "[256, 0, 256]", "out of range"]),
        Bad(yaml: "model:\n  hidden: [256, {a: 1}]", expect: ["bad.yaml:2:11", "model.hidden", "got a mapping"]),
        Bad(yaml: "model:\n  hidden: 256", expect: ["model.hidden", "expected a non-empty list", "got integer 256"]),
        Bad(yaml: "data:\n  teacher_widths: [6]", expect: ["data.teacher_widths", "at least 2 of integers"]),
        Bad(yaml: "prune:\n  min_train_accuracy: 1.5", expect: ["bad.yaml:2:23", "prune.min_train_accuracy", "in [0, 1]"]),
        Bad(yaml: "optimizer:\n  beta1: 1.0", expect: ["optimizer.beta1", "1.0", "in [0, 1)"]),
        Bad(yaml: "fb_optimizer:\n  lr: .nan", expect: ["fb_optimizer.lr", ".nan is out of range"]),
        Bad(yaml: "model:\n  activation: tahn",
            expect: ["bad.yaml:2:15", "model.activation: unknown value 'tahn'",
                     "expected one of: tanh, relu, leaky-relu, elu, sigmoid, linear"]),
        Bad(yaml: "method: ddtp", expect: ["bad.yaml:1:9", "method", "'ddtp'", "bp, tp, dtp, dtp-lee, drl, ddtp-linear, ddtp-rhl, ddtp-control, dfa, iterative, gnt, gait, ldrl"]),
        Bad(yaml: "dtype: 64", expect: ["dtype: unknown value 64", "float32, float64"]),
        Bad(yaml: "optimizer:\n  lrr: 0.1", expect: ["bad.yaml:2:3", "unknown key 'optimizer.lrr'", "did you mean 'optimizer.lr'?"]),
        Bad(yaml: "batchsize: 64", expect: ["bad.yaml:1:1", "unknown key 'batchsize'", "did you mean 'batch_size'?"]),
        Bad(yaml: "optimizer:\n  learning_rate: 0.1",
            expect: ["unknown key 'optimizer.learning_rate'", "known keys here: kind, lr, beta1"]),
        Bad(yaml: "epochs: many", expect: ["bad.yaml:1:9", "epochs: expected an integer >= 1, got string 'many'"]),
        Bad(yaml: "epochs: 1.5", expect: ["epochs", "got number 1.5"]),
        Bad(yaml: "prune:\n  enabled: maybe", expect: ["prune.enabled: expected true or false, got string 'maybe'"]),
        Bad(yaml: "data:\n  dir: 17", expect: ["data.dir: expected a string, got integer 17"]),
        Bad(yaml: "optimizer: adam", expect: ["bad.yaml:1:12", "section 'optimizer' must be a mapping", "kind, lr", "string 'adam'"]),
        Bad(yaml: "- a\n- b", expect: ["bad.yaml:1:1", "the top level must be a mapping", "method, seed", "list [a, b]"]),
        Bad(yaml: "model:\n  hidden: [256, 256\nseed: 1\n", expect: ["bad.yaml:3:", "malformed YAML", "flow sequence"]),
        Bad(yaml: "seed: 1\nseed: 2\n", expect: ["bad.yaml:", "malformed YAML", "duplicate key 'seed'"]),
        Bad(yaml: "", overrides: ["optimizer.lr"], expect: ["malformed override 'optimizer.lr'", "expected key=value"]),
        Bad(yaml: "", overrides: ["=3"], expect: ["malformed override '=3'", "no key"]),
        Bad(yaml: "", overrides: ["model.hidden=[1, 2"], expect: ["malformed override", "not valid YAML"]),
        Bad(yaml: "", overrides: ["optimizer.learning_rate=1e-3"],
            expect: ["override 'optimizer.learning_rate=1e-3': unknown key 'optimizer.learning_rate'"]),
        Bad(yaml: "", overrides: ["optimiser.lr=1e-3"], expect: ["unknown key 'optimiser.lr'", "did you mean 'optimizer.lr'"]),
        Bad(yaml: "tp:\n  beta: 0.5", overrides: ["tp.beta=abc"],
            expect: ["override 'tp.beta=abc': tp.beta: expected a number > 0, got string 'abc'"]),
        Bad(yaml: "", overrides: ["model=[1]"], expect: ["section 'model' must be a mapping", "hidden, activation"]),
        Bad(yaml: "data:\n  dataset: student-teacher",
            expect: ["loss.kind = cross-entropy (default)", "data.dataset = student-teacher (bad.yaml:2:12)", "loss.kind: mse"]),
        Bad(yaml: "method: drl\ntp:\n  sigma: 0",
            expect: ["method = drl (bad.yaml:1:9)", "tp.sigma = 0.0 (bad.yaml:3:10) must be > 0"]),
        Bad(yaml: "loss: {kind: mse}\ndata:\n  dataset: student-teacher\n  teacher_train_size: 100",
            overrides: ["data.validation_size=100"],
            expect: ["data.validation_size = 100 (override 'data.validation_size=100')",
                     "data.teacher_train_size = 100 (bad.yaml:4:23)"]),
    ]

    func testBadConfigsThrowNamedErrors() {
        XCTAssertGreaterThanOrEqual(badConfigs.count, 15)
        for bad in badConfigs {
            XCTAssertThrowsError(try RunConfig.resolve(yaml: bad.yaml, source: "bad.yaml", overrides: bad.overrides),
                                 "accepted: \(bad.yaml) \(bad.overrides)") { error in
                XCTAssertTrue(error is ConfigError, "\(type(of: error))")
                let message = "\(error)"
                for part in bad.expect {
                    XCTAssertTrue(message.contains(part), "'\(part)' not in: \(message)")
                }
            }
        }
    }

    func testFileErrorsNameTheFile() throws {
        let missing = "/nonexistent/run.yaml"
        XCTAssertThrowsError(try RunConfig.load(yamlFile: missing)) { error in
            XCTAssertEqual(error as? ConfigError, .missingFile(path: missing, reason: "no such file"))
            XCTAssertTrue("\(error)".contains(missing))
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tpsweep-config-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("run.yaml")
        try "method: dtp\ntp:\n  beta: 0\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunConfig.load(yamlFile: file.path)) { error in
            XCTAssertEqual("\(error)", "\(file.path):3:9: tp.beta: 0 is out of range; expected a number > 0")
        }
        try "method: dtp\n".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try RunConfig.load(yamlFile: file.path, overrides: ["seed=5"]).seed, 5)
    }

    /// Floats are written so that YAML 1.1 readers (PyYAML) also read them as numbers.
    func testDoublesAreWrittenWithAMantissaPoint() throws {
        XCTAssertEqual(ConfigValue.double(1e-8).description, "1.0e-08")
        XCTAssertEqual(ConfigValue.double(8.7365e-06).description, "8.7365e-06")
        var config = RunConfig()
        config.optimizer.eps = 1e-8
        XCTAssertEqual(try RunConfig.resolve(yaml: config.yamlString(), source: "round trip"), config)
    }
}
