import XCTest
@testable import TPEngine

/// BP gradients against central finite differences of the loss, in Float64, for every activation
/// and both losses.
final class BackpropTests: XCTestCase {
    func testGradientsMatchFiniteDifferences() {
        let kinds: [ActivationKind] = [.tanh, .relu, .leakyRelu, .elu, .sigmoid, .linear]
        for kind in kinds {
            for lossKind in [LossKind.crossEntropy, .mse] {
                for reduction in [Reduction.mean, .sum] {
                    checkGradients(hidden: kind, loss: LossFunction(lossKind, reduction: reduction))
                }
            }
        }
    }

    func checkGradients(hidden: ActivationKind, loss: LossFunction) {
        let net = TestNet.make([5, 4, 6, 3], hidden: hidden, batch: 7, seed: 3)
        var g = SeededGenerator(seed: 11)
        let targets = Matrix<Double>(rows: 7, cols: 3)
        if loss.kind == .crossEntropy {
            for r in 0..<7 { targets[r, Int(g.next() % 3)] = 1 }
        } else {
            fillNormal(targets.ref, using: &g)
        }
        let e = Matrix<Double>(rows: 7, cols: 3)
        func objective() -> Double {
            net.forward()
            let sum = loss.evaluate(output: net.output, targets: targets.ref, grad: e.ref).lossSum
            return loss.reduction == .mean ? sum / 7 : sum
        }
        _ = objective()
        let bp = BP<Double>(net: net, config: RunConfig(), using: &g)
        bp.forwardGradients(net, outputGradient: e.ref)
        for p in net.parameters {
            let analytic = p.grad.copy()
            for i in 0..<p.value.count {
                XCTAssertEqual(analytic.data[i], centralDifference(p.value.data, i, objective), accuracy: 1e-6,
                               "\(hidden) \(loss.kind) \(loss.reduction) \(p.name)[\(i)]")
            }
        }
    }
}
