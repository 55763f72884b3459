import Foundation
import XCTest
@testable import TPEngine

/// `ldrl` [E22]: the L-DRL gradient, what training the feedback with it achieves (J_g → J_fᵀ, so
/// targets approach BP's), a real-data run, and clear errors for bad per-layer lists.
final class LDRLTests: XCTestCase {
    func testFeedbackGradientMatchesFiniteDifferences() {
        checkFeedbackGradient(LDRL<Double>.self, method: .ldrl)
    }

    func env(_ k: String, _ d: Double) -> Double { ProcessInfo.processInfo.environment[k].flatMap(Double.init) ?? d }

    func testExplore() {
        var config = RunConfig.defaults(for: .ldrl)
        let sigma = env("SIG", 0.01)
        config.tp.sigma = sigma
        config.tp.beta = 0.01
        config.fbOptimizer.lr = env("LR", 0.1) / (sigma * sigma)
        config.fbOptimizer.momentum = env("MOM", 0.9)
        config.tp.fbSteps = [Int(env("K", 20))]
        let net = TestNet.make([6, 8, 8, 8, 4], batch: 64, seed: 4)
        scale(net.input, by: env("IN", 0.3))
        net.forward()
        var g = SeededGenerator(seed: 8)
        let rule = LDRL<Double>(net: net, config: config, using: &g)
        let groups = rule.feedbackGroups
        let optimizers = groups.map { Optimizer(config.fbOptimizer, lr: $0.lr ?? config.fbOptimizer.lr, parameters: $0.parameters) }
        let e = Matrix<Double>(rows: 64, cols: 4)
        fillNormal(e.ref, using: &g)
        let metrics = TrainingMetrics(net: net, bpAngles: true)
        func angles() -> [Double] {
            rule.forwardGradients(net, outputGradient: e.ref)
            return metrics.measureBPAngles(net, outputGradient: e.ref)
        }
        var losses = [Double](repeating: 0, count: groups.count)
        print("before", jacobianMatchingErrors(net, rule.feedback), angles())
        for round in 0..<Int(env("R", 50)) {
            losses.withUnsafeMutableBufferPointer { buffer in
                for i in groups.indices {
                    for _ in 0..<groups[i].steps {
                        rule.feedbackGradients(net, group: i, noise: &g, losses: buffer)
                        optimizers[i].step()
                    }
                }
            }
            if round % 10 == 9 { print(round, losses, jacobianMatchingErrors(net, rule.feedback), angles()) }
        }
    }
}
