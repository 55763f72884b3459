import XCTest
@testable import TPEngine

/// Optimizer steps against their closed forms from a zero state (torch.optim conventions).
/// 13 elements: one eight-lane block and a five-element tail.
final class OptimizerTests: XCTestCase {
    func makeParameter() -> (Parameter<Double>, [Double], [Double]) {
        let p = Parameter<Double>(name: "w", rows: 1, cols: 13)
        let x0 = (0..<13).map { Double($0) / 7 - 0.9 }, g = (0..<13).map { 0.3 * Double($0 % 5) - 0.55 }
        for i in 0..<13 { p.value.data[i] = x0[i]; p.grad.data[i] = g[i] }
        return (p, x0, g)
    }

    func settings(_ kind: OptimizerKind) -> RunConfig.Optimizer {
        var s = RunConfig.Optimizer()
        s.kind = kind
        s.beta1 = 0.9; s.beta2 = 0.99; s.eps = 1e-8; s.momentum = 0.5; s.alpha = 0.9; s.weightDecay = 0.1
        return s
    }

    /// Adam's bias correction makes the first two steps with a constant gradient exactly
    /// lr·g/(|g| + ε) each (weight decay folds into g).
    func testAdamFirstSteps() {
        let (p, x0, g) = makeParameter(), lr = 0.01
        let adam = Optimizer(settings(.adam), lr: lr, parameters: [p])
        // Stored gradients chosen so that, with weight decay 0.1, the effective gradient is g.
        for i in 0..<13 { p.grad.data[i] = g[i] - 0.1 * x0[i] }
        adam.step()
        var expected = (0..<13).map { x0[$0] - lr * g[$0] / (abs(g[$0]) + 1e-8) }
        for i in 0..<13 { XCTAssertEqual(p.value.data[i], expected[i], accuracy: 1e-12) }
        for i in 0..<13 { p.grad.data[i] = g[i] - 0.1 * p.value.data[i] }
        adam.step()
        expected = (0..<13).map { expected[$0] - lr * g[$0] / (abs(g[$0]) + 1e-8) }
        for i in 0..<13 { XCTAssertEqual(p.value.data[i], expected[i], accuracy: 1e-9, "\(i)") }
    }

    func testSGDMomentumTwoSteps() {
        let (p, x0, g) = makeParameter(), lr = 0.1
        var s = settings(.sgd)
        s.weightDecay = 0
        let sgd = Optimizer(s, lr: lr, parameters: [p])
        sgd.step()
        sgd.step()
        for i in 0..<13 { XCTAssertEqual(p.value.data[i], x0[i] - lr * g[i] - lr * (0.5 * g[i] + g[i]), accuracy: 1e-12) }
    }

    /// Centered RMSprop from zero: the variance estimate is α(1−α)g² after one step.
    func testCenteredRMSpropFirstStep() {
        let (p, x0, g) = makeParameter(), lr = 0.01
        var s = settings(.rmsprop)
        s.weightDecay = 0
        s.momentum = 0
        Optimizer(s, lr: lr, parameters: [p]).step()
        for i in 0..<13 {
            XCTAssertEqual(p.value.data[i], x0[i] - lr * g[i] / ((0.9 * 0.1).squareRoot() * abs(g[i]) + 1e-8), accuracy: 1e-12)
        }
    }
}
