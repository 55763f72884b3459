import XCTest
@testable import TPEngine

/// Each rule's feedback gradient against central finite differences of its own reconstruction
/// loss (Float64, same noise draw for every evaluation).
final class FeedbackGradientTests: XCTestCase {
    func testDTP() { checkFeedbackGradient(DTP<Double>.self, method: .dtp) }
    func testDRL() { checkFeedbackGradient(DRL<Double>.self, method: .drl) }
    func testDDTPLinear() { checkFeedbackGradient(DDTPLinear<Double>.self, method: .ddtpLinear) }
    func testDDTPControl() { checkFeedbackGradient(DDTPControl<Double>.self, method: .ddtpControl) }
    func testDDTPRHL() { checkFeedbackGradient(DDTPRHL<Double>.self, method: .ddtpRHL) { $0.tp.rhlWidth = 9 } }

    /// Maps of [E22]'s order, g_l(y) = Q s_l(y) + d, through tanh hidden layers.
    func testActivationFirstMaps() {
        let first: (inout RunConfig) -> Void = { $0.model.fbOrder = .activationFirst }
        checkFeedbackGradient(DTP<Double>.self, method: .dtp, adjust: first)
        checkFeedbackGradient(DRL<Double>.self, method: .drl, adjust: first)
        checkFeedbackGradient(LDRL<Double>.self, method: .ldrl, adjust: first)
    }
}

extension XCTestCase {
    /// Asserts that rule R's feedback gradients equal central finite differences of its
    /// reconstruction losses, every third entry of every feedback parameter, on a small tanh network.
    func checkFeedbackGradient<R: LearningRule>(_: R.Type, method: Method, sigma: Double = 0.3,
                                                adjust: (inout RunConfig) -> Void = { _ in },
                                                file: StaticString = #filePath, line: UInt = #line)
    where R.T == Double {
        var config = RunConfig()
        config.method = method
        config.tp.sigma = sigma
        adjust(&config)
        var g = SeededGenerator(seed: 7)
        let net = Network<Double>(widths: [4, 5, 6, 3], hidden: Activation(.tanh), output: Activation(.linear),
                                  maxBatch: 6, initialization: .xavierNormal, using: &g)
        let rule = R(net: net, config: config, using: &g)
        fillNormal(net.input, using: &g)
        net.forward()
        assertFeedbackGradientsMatchFiniteDifferences(rule, net, every: 3, file: file, line: line)
    }

    /// `checkFeedbackGradient` on conv nets: `TestNet.conv`, plain and `deep` (two pooling blocks),
    /// batch 4, σ = 0.3, every fifth entry, maps in `order`; `inspect` sees each rule and whether
    /// the net is deep.
    func checkConvFeedbackGradients<R: LearningRule>(_: R.Type, method: Method,
                                                     order: FeedbackOrder = .activationLast,
                                                     inspect: (R, Bool) throws -> Void = { _, _ in },
                                                     file: StaticString = #filePath, line: UInt = #line) throws
    where R.T == Double {
        for deep in [false, true] {
            let net = try TestNet.conv(batch: 4, deep: deep)
            var config = RunConfig.defaults(for: method)
            config.tp.sigma = 0.3
            config.model.fbOrder = order
            var g = SeededGenerator(seed: 5)
            let rule = R(net: net, config: config, using: &g)
            try inspect(rule, deep)
            assertFeedbackGradientsMatchFiniteDifferences(rule, net, every: 5, file: file, line: line)
        }
    }

    /// Asserts that `rule`'s feedback gradients, for the batch held in `net`, equal central finite
    /// differences of its reconstruction losses, every `stride`-th entry of every feedback
    /// parameter, the noise draw the same for every evaluation.
    func assertFeedbackGradientsMatchFiniteDifferences<R: LearningRule>(
        _ rule: R, _ net: Network<Double>, every stride: Int,
        file: StaticString = #filePath, line: UInt = #line) where R.T == Double {
        var losses = [Double](repeating: 0, count: rule.reconstructionLayers.count)
        func evaluate() -> [Double] {
            var noise = SeededGenerator(seed: 99)
            losses.withUnsafeMutableBufferPointer { rule.feedbackGradients(net, noise: &noise, losses: $0) }
            return losses
        }
        _ = evaluate()
        let analytic = rule.feedbackParameters.map { $0.grad.copy() }
        XCTAssertFalse(rule.feedbackParameters.isEmpty, file: file, line: line)
        for (k, p) in rule.feedbackParameters.enumerated() {
            // Feedback parameters are named after the layer they serve, as the losses are.
            let level = rule.reconstructionLayers.firstIndex { p.name.hasPrefix("feedback\($0).") }!
            for i in Swift.stride(from: 0, to: p.value.count, by: stride) {
                let numeric = centralDifference(p.value.data, i) { evaluate()[level] }
                XCTAssertEqual(analytic[k].data[i], numeric, accuracy: 1e-6 * max(1, abs(numeric)),
                               "\(p.name)[\(i)]", file: file, line: line)
            }
        }
    }
}
