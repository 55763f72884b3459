import XCTest
@testable import TPEngine

/// Training the feedback path lowers its reconstruction loss and brings the hidden layers'
/// updates closer to BP (the mechanism behind DRL and direct DRL [M20]).
final class FeedbackTrainingTests: XCTestCase {
    func trainFeedback<R: LearningRule>(_: R.Type, method: Method, steps: Int = 400,
                                        adjust: (inout RunConfig) -> Void = { _ in })
        -> (loss: (before: Double, after: Double), angle: (before: Double, after: Double)) where R.T == Double {
        var config = RunConfig()
        config.method = method
        config.tp.beta = 0.01
        config.tp.sigma = 0.05
        adjust(&config)
        let net = TestNet.make([10, 8, 8, 8, 4], batch: 64, seed: 4)
        var g = SeededGenerator(seed: 8)
        let rule = R(net: net, config: config, using: &g)
        let optimizer = Optimizer(config.fbOptimizer, lr: 3e-3, parameters: rule.feedbackParameters)
        let e = Matrix<Double>(rows: 64, cols: 4)
        fillNormal(e.ref, using: &g)
        let metrics = TrainingMetrics(net: net, bpAngles: true)
        func hiddenAngle() -> Double {
            rule.forwardGradients(net, outputGradient: e.ref)
            let angles = metrics.measureBPAngles(net, outputGradient: e.ref)
            return angles.dropLast().reduce(0, +) / Double(angles.count - 1)
        }
        var losses = [Double](repeating: 0, count: rule.reconstructionLayers.count)
        func step() -> Double {
            losses.withUnsafeMutableBufferPointer { rule.feedbackGradients(net, noise: &g, losses: $0) }
            optimizer.step()
            return losses.reduce(0, +)
        }
        let angleBefore = hiddenAngle(), lossBefore = (0..<10).map { _ in step() }.reduce(0, +)
        for _ in 0..<steps { _ = step() }
        let lossAfter = (0..<10).map { _ in step() }.reduce(0, +)
        return ((lossBefore, lossAfter), (angleBefore, hiddenAngle()))
    }

    func testDRLFeedbackTraining() {
        let r = trainFeedback(DRL<Double>.self, method: .drl)
        XCTAssertLessThan(r.loss.after, 0.7 * r.loss.before, "reconstruction loss \(r.loss)")
        XCTAssertLessThan(r.angle.after, r.angle.before - 5, "BP angle \(r.angle)")
    }

    func testDDTPLinearFeedbackTraining() {
        let r = trainFeedback(DDTPLinear<Double>.self, method: .ddtpLinear)
        XCTAssertLessThan(r.loss.after, 0.7 * r.loss.before, "reconstruction loss \(r.loss)")
        XCTAssertLessThan(r.angle.after, r.angle.before - 5, "BP angle \(r.angle)")
    }

    func testDDTPRHLFeedbackTraining() {
        let r = trainFeedback(DDTPRHL<Double>.self, method: .ddtpRHL) { $0.tp.rhlWidth = 64 }
        XCTAssertLessThan(r.loss.after, 0.7 * r.loss.before, "reconstruction loss \(r.loss)")
        XCTAssertLessThan(r.angle.after, r.angle.before - 5, "BP angle \(r.angle)")
    }
}
