import XCTest
@testable import TPConfig
@testable import TPEngine

/// The layer-feedback rules on conv nets: a conv block's feedback is its mirror (unpool →
/// transposed conv → activation) in `ldrl` and, trained by each rule's own feedback loss, in `tp`,
/// `dtp`, `dtp-lee` and `drl` — [E22]'s VanillaDTP and DRL baselines.
final class LayerFeedbackConvTests: XCTestCase {
    /// Central differences of each level's feedback loss of rule R (mirrors and dense map, noise held
    /// fixed) on `TestNet.conv`, plain and `deep`, whose conv blocks with feedback have mirrors, with
    /// the maps in either order.
    func checkMirrorFeedbackGradients<R: LearningRule>(_: R.Type, method: Method,
                                                       file: StaticString = #filePath, line: UInt = #line) throws
    where R.T == Double {
        for order in FeedbackOrder.allCases {
            try checkConvFeedbackGradients(R.self, method: method, order: order, inspect: { rule, deep in
                let feedback = try XCTUnwrap(rule.layerFeedback, file: file, line: line)
                XCTAssertEqual(feedback.levels.filter { feedback.mirrors[$0] != nil }, deep ? [1, 2] : [1], file: file, line: line)
            }, file: file, line: line)
        }
    }

    func testLDRLMirrorFeedbackGradientMatchesFiniteDifferences() throws {
        try checkMirrorFeedbackGradients(LDRL<Double>.self, method: .ldrl)
    }

    func testDTPMirrorFeedbackGradientMatchesFiniteDifferences() throws {
        try checkMirrorFeedbackGradients(DTP<Double>.self, method: .dtp)
    }

    func testTPMirrorFeedbackGradientMatchesFiniteDifferences() throws {
        try checkMirrorFeedbackGradients(TP<Double>.self, method: .tp)
    }

    /// dtp-lee has no map at the output layer, so on the plain net its only map is the mirror.
    func testDTPLeeMirrorFeedbackGradientMatchesFiniteDifferences() throws {
        try checkMirrorFeedbackGradients(DTPLee<Double>.self, method: .dtpLee)
    }

    /// On the deep net the upper mirror takes two probe blocks (origins 1 and 2), one at a time.
    func testDRLMirrorFeedbackGradientMatchesFiniteDifferences() throws {
        try checkMirrorFeedbackGradients(DRL<Double>.self, method: .drl)
    }

    /// A few epochs of `method` on [E22]'s LeNet lower the training loss below `fraction` of the first
    /// epoch's (`checkTrainingReducesTheLoss`), with a feedback level per conv block and hidden layer.
    func checkTrainingLeNetReducesTheLoss(_ method: Method, epochs: Int, fraction: Double,
                                          adjust: (inout RunConfig) -> Void = { _ in },
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try checkTrainingReducesTheLoss(method, .lenet, epochs: epochs, fraction: fraction, adjust: adjust,
                                                     file: file, line: line)
        // LeNet's feedback levels: both conv blocks and the dense hidden layer; dtp-lee has none at the top.
        XCTAssertEqual(result.reconstructionLayers, method == .dtpLee ? [2, 3] : [2, 3, 4], file: file, line: line)
    }

    /// [E22]'s forward setup, under which it compares these rules with L-DRL on LeNet: `ldrl`'s
    /// defaults (SGD with momentum, summed loss, β = 0.7, E22's local loss, no lr/β) at the forward
    /// lr of the ldrl test, 0.005.
    static func e22Forward(_ config: inout RunConfig) {
        let ldrl = RunConfig.defaults(for: .ldrl)
        (config.optimizer, config.loss) = (ldrl.optimizer, ldrl.loss)
        (config.tp.beta, config.tp.localLoss, config.tp.normalizeLr) = (ldrl.tp.beta, ldrl.tp.localLoss, ldrl.tp.normalizeLr)
        config.optimizer.lr = 0.005
    }

    /// [M20]'s Adam defaults made dtp's loss wander here (2.23, 2.06, 1.97, 2.01); E22's setup
    /// lowers it every epoch (measured 2.31, 2.26, 2.11, 1.86, 1.79).
    func testTrainingLeNetWithDTPReducesTheLoss() throws {
        try checkTrainingLeNetReducesTheLoss(.dtp, epochs: 5, fraction: 0.9, adjust: Self.e22Forward)
    }

    /// tp's targets carry the maps' whole reconstruction error, so under E22's SGD they diverged
    /// here; [M20]'s Adam defaults lower the loss slowly for 5 epochs (measured 2.26, 2.22, 2.16,
    /// 2.08, 2.02), then it wanders (2.02, 2.07, 2.10).
    func testTrainingLeNetWithTPReducesTheLoss() throws {
        try checkTrainingLeNetReducesTheLoss(.tp, epochs: 5, fraction: 0.92)
    }

    /// dtp-lee's own defaults (centered RMSprop, alternating epochs).
    func testTrainingLeNetWithDTPLeeReducesTheLoss() throws {
        try checkTrainingLeNetReducesTheLoss(.dtpLee, epochs: 4, fraction: 0.9)
    }

    /// [M20]'s Adam defaults made drl's loss grow here (2.29 → 4.28 in 4 epochs); E22's setup lowers
    /// it every epoch (measured 2.31, 2.25, 2.13, 1.91, 1.77). Without the 6 feedback pre-training
    /// epochs, which changed little here (…, 1.81) and took half the test's time.
    func testTrainingLeNetWithDRLReducesTheLoss() throws {
        try checkTrainingLeNetReducesTheLoss(.drl, epochs: 5, fraction: 0.9) { config in
            Self.e22Forward(&config)
            config.tp.epochsFb = 0
        }
    }

    /// [E22]'s order is the activation-last map, made linear, applied to s_l(y): unpooling puts
    /// values in place and zeros elsewhere, and tanh(0) = 0, so s(unpool(y)) = unpool(s(y)). Same
    /// seed, same initial weights; every level of the deep conv net (two mirrors, the dense output
    /// map) and of a tanh MLP.
    func testActivationFirstIsTheLinearMapAfterTheLayersActivation() throws {
        var g = SeededGenerator(seed: 2)
        let mlp = Network<Double>(widths: [4, 6, 5, 3], hidden: Activation(.tanh), output: Activation(.linear),
                                  maxBatch: 3, initialization: .xavierNormal, using: &g)
        fillNormal(mlp.input, using: &g)
        mlp.forward()
        for net in [try TestNet.conv(batch: 3, deep: true), mlp] {
            var config = RunConfig.defaults(for: .dtp)
            config.model.fbOrder = .activationFirst
            var seed = SeededGenerator(seed: 9)
            let first = LayerFeedback(net: net, config: config, using: &seed)
            config.model.fbOrder = .activationLast
            config.model.fbActivation = .linear
            seed = SeededGenerator(seed: 9)
            let last = LayerFeedback(net: net, config: config, using: &seed)
            for l in first.levels {
                let y = net.h[l + 1], width = net.layers[l].fanIn
                let sy = Matrix<Double>(rows: y.rows, cols: y.cols)
                net.layers[l].activation.apply(y.ref, bias: nil, into: sy.ref)
                func output(_ feedback: LayerFeedback<Double>, _ input: Matrix<Double>) -> [Double] {
                    let (a, h) = (Matrix<Double>(rows: y.rows, cols: width), Matrix<Double>(rows: y.rows, cols: width))
                    feedback.apply(level: l, input.ref, a: a.ref, h: h.ref)
                    return h.toArray()
                }
                let expected = output(last, sy)
                for (u, v) in zip(output(first, y), expected) { XCTAssertEqual(u, v, accuracy: 1e-12, "level \(l)") }
                if net.layers[l].activation.kind != .linear {
                    XCTAssertNotEqual(output(last, y), expected, "the activation matters at level \(l)")
                }
            }
        }
    }
}
