import XCTest
@testable import TPEngine

/// `ldrl` [E22]: the L-DRL gradient, what training the feedback with it achieves (J_g → J_fᵀ, so
/// the targets approach BP's), a real-data run, and clear errors for bad per-layer lists.
final class LDRLTests: XCTestCase {
    /// Central differences of each layer's L-DRL loss, the noise draw held fixed (Float64).
    func testFeedbackGradientMatchesFiniteDifferences() {
        checkFeedbackGradient(LDRL<Double>.self, method: .ldrl)
    }

    /// On a small tanh MLP, the feedback phase as the trainer runs it (one group per layer,
    /// bottom-up, K steps each with its own optimizer) brings every map's Jacobian to the
    /// transposed forward Jacobian and the hidden layers' updates close to BP.
    ///
    /// Inputs of scale 0.1 keep the units near their linear range: the diagnostic is a per-sample
    /// error, and one map g(y) = tanh(Qy + d) cannot follow the per-sample slopes of f exactly, so
    /// with saturating units its floor would sit above a tenth of the initial error (measured:
    /// ~0.16 at input scale 0.3, ~0.08 at 0.1, from ~1.4).
    func testFeedbackTrainingMatchesJacobiansAndAlignsWithBP() {
        var config = RunConfig.defaults(for: .ldrl)
        config.tp.beta = 0.01  // first-order targets: compare directions, not curvature
        config.tp.sigma = 0.01
        config.fbOptimizer.lr = 20  // L-DRL's gradient scales with σ²
        config.tp.fbSteps = [10]
        let net = TestNet.make([6, 8, 8, 8, 4], batch: 64, seed: 4)
        scale(net.input, by: 0.1)
        net.forward()
        var g = SeededGenerator(seed: 8)
        let rule = LDRL<Double>(net: net, config: config, using: &g)
        let groups = rule.feedbackGroups
        XCTAssertEqual(groups.map(\.steps), [10, 10, 10])
        let optimizers = groups.map {
            Optimizer(config.fbOptimizer, lr: $0.lr ?? config.fbOptimizer.lr, parameters: $0.parameters)
        }
        let e = Matrix<Double>(rows: 64, cols: 4)
        fillNormal(e.ref, using: &g)
        let metrics = TrainingMetrics(net: net, bpAngles: true)
        func hiddenAngles() -> [Double] {
            rule.forwardGradients(net, outputGradient: e.ref)
            return metrics.measureBPAngles(net, outputGradient: e.ref).dropLast()
        }
        var losses = [Double](repeating: 0, count: groups.count)
        let before = jacobianMatchingErrors(net, rule.feedback), anglesBefore = hiddenAngles()
        for _ in 0..<40 {
            losses.withUnsafeMutableBufferPointer { buffer in
                for i in groups.indices {
                    for _ in 0..<groups[i].steps {
                        rule.feedbackGradients(net, group: i, noise: &g, losses: buffer)
                        optimizers[i].step()
                    }
                }
            }
        }
        let after = jacobianMatchingErrors(net, rule.feedback), anglesAfter = hiddenAngles()
        for (b, a) in zip(before, after) { XCTAssertLessThan(a, b / 10, "Jacobian matching \(before) → \(after)") }
        for a in anglesAfter { XCTAssertLessThan(a, 15, "hidden BP angles \(anglesBefore) → \(anglesAfter)") }
        XCTAssertTrue(losses.allSatisfy { $0 < 0 }, "at J_g ≈ J_fᵀ the loss is ≈ −σ²‖J_f‖²: \(losses)")
    }

    /// Linear f(x) = Wx + b and g(y) = Qy + d with Q = Wᵀ: r_ε − r = WᵀWε and r_η − r = Wᵀη, so
    /// the loss is mean_b (−2‖Wε_b‖² + ‖Wᵀη_b‖²) for the noise drawn (ε of the batch, then η, from
    /// the generator handed in).
    func testLossOfLinearMapsEqualsTheClosedForm() {
        var config = RunConfig.defaults(for: .ldrl)
        config.model.fbActivation = .linear
        let sigma = 0.3
        config.tp.fbSigma = [sigma]
        let batch = 3, net = TestNet.make([4, 5, 3, 2], hidden: .linear, batch: batch, seed: 12)
        var g = SeededGenerator(seed: 13)
        let rule = LDRL<Double>(net: net, config: config, using: &g)
        var losses = [Double](repeating: .nan, count: rule.feedbackGroups.count)
        for (i, l) in rule.feedback.levels.enumerated() {
            let w = net.layers[l].weight.value, q = rule.feedback.maps[l]!.weight.value
            for r in 0..<q.rows { for c in 0..<q.cols { q[r, c] = w[c, r] } }
            var noise = SeededGenerator(seed: 14), drawn = SeededGenerator(seed: 14)
            losses.withUnsafeMutableBufferPointer { rule.feedbackGradients(net, group: i, noise: &noise, losses: $0) }
            let eps = Matrix<Double>(rows: batch, cols: w.cols), eta = Matrix<Double>(rows: batch, cols: w.rows)
            fillNormal(eps.ref, std: sigma, using: &drawn)
            fillNormal(eta.ref, std: sigma, using: &drawn)
            var expected = 0.0
            for b in 0..<batch {
                let wEps = (0..<w.rows).map { r in (0..<w.cols).reduce(0.0) { $0 + w[r, $1] * eps[b, $1] } }
                let wtEta = (0..<w.cols).map { c in (0..<w.rows).reduce(0.0) { $0 + w[$1, c] * eta[b, $1] } }
                expected += -2 * wEps.reduce(0) { $0 + $1 * $1 } + wtEta.reduce(0) { $0 + $1 * $1 }
            }
            expected /= Double(batch)
            XCTAssertEqual(losses[i], expected, accuracy: 1e-12 * abs(expected), "level \(l)")
        }
    }

    /// One epoch of the defaults (fewer feedback steps, to stay quick) on a Fashion-MNIST subset.
    /// Chance is 10 %; measured: 63 % (bp: 77 %).
    func testLearnsOnFashionMNIST() throws {
        var config = RunConfig.defaults(for: .ldrl)
        config.epochs = 1
        config.data.trainSubset = 5_000
        config.data.testSubset = 2_000
        config.tp.fbSteps = [5]
        let result = try train(config)
        XCTAssertEqual(result.status, .completed, result.message)
        XCTAssertGreaterThan(result.testAccuracyAtBest ?? 0, 0.5)
        XCTAssertEqual(result.epochs.first?.reconstructionLoss.count, 5)
    }

    /// Per-feedback-layer lists: a bare number or a list of one serves every layer, a full list one
    /// per layer, anything else names the key and the lengths it accepts.
    func testPerLayerListsExpandOrExplain() throws {
        let ok = try RunConfig.resolve(yaml: "method: ldrl\nmodel: {hidden: [8, 8, 8]}", source: "ok.yaml",
                                       overrides: ["tp.fb_steps=5", "tp.fb_sigma=[0.1, 0.2, 0.3]", "tp.fb_lr=[0.01]"])
        let settings = ok.tp.feedbackLayerSettings(layers: 3)
        XCTAssertEqual(settings.steps, [5, 5, 5])
        XCTAssertEqual(settings.sigma, [0.1, 0.2, 0.3])
        XCTAssertEqual(settings.lr, [0.01, 0.01, 0.01])
        var fallback = ok
        (fallback.tp.fbSteps, fallback.tp.fbSigma, fallback.tp.fbLr) = ([], [], [])
        XCTAssertEqual(fallback.tp.feedbackLayerSettings(layers: 2).steps, [1, 1])
        XCTAssertEqual(fallback.tp.feedbackLayerSettings(layers: 2).sigma, [0.1, 0.1])
        XCTAssertEqual(fallback.tp.feedbackLayerSettings(layers: 2).lr, [nil, nil])

        for key in ["tp.fb_steps", "tp.fb_sigma", "tp.fb_lr"] {
            XCTAssertThrowsError(try RunConfig.resolve(yaml: "method: ldrl\nmodel: {hidden: [8, 8, 8]}", source: "bad.yaml",
                                                       overrides: ["\(key)=[1, 2]"])) {
                let text = "\($0)"
                for part in ["\(key) = [1", "has 2 values", "expected 1 (for every feedback layer) or 3"] {
                    XCTAssertTrue(text.contains(part), "'\(part)' not in: \(text)")
                }
            }
        }
        XCTAssertThrowsError(try RunConfig.resolve(yaml: "method: ldrl", source: "bad.yaml",
                                                   overrides: ["tp.sigma=0", "tp.fb_sigma=[]"])) {
            XCTAssertTrue("\($0)".contains("tp.sigma = 0"), "\($0)")
        }
    }
}
