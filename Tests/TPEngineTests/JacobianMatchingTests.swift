import XCTest
@testable import TPEngine

/// ∂f/∂x at `x` by central differences (step 1e-6): rows are the `outputs` outputs.
func centralDifferenceJacobian(outputs: Int, at x: [Double], _ f: ([Double]) -> [Double]) -> [[Double]] {
    let eps = 1e-6
    var jacobian = [[Double]](repeating: [Double](repeating: 0, count: x.count), count: outputs)
    for j in x.indices {
        var up = x, down = x
        up[j] += eps
        down[j] -= eps
        let (fu, fd) = (f(up), f(down))
        for i in 0..<outputs { jacobian[i][j] = (fu[i] - fd[i]) / (2 * eps) }
    }
    return jacobian
}

/// ∂out/∂in of `layer` at row `x`, by central differences: rows are outputs.
func numericJacobian(_ layer: Layer<Double>, at x: [Double]) -> [[Double]] {
    let a = Matrix<Double>(rows: 1, cols: layer.preActivationWidth), h = Matrix<Double>(rows: 1, cols: layer.fanOut)
    let trace = layer.makeTrace(maxRows: 1)
    func f(_ x: [Double]) -> [Double] {
        let input = Matrix(rows: 1, cols: x.count, values: x)
        withExtendedLifetime(input) { layer.forward(input.ref, a: a.ref, h: h.ref, trace: trace) }
        return h.toArray()
    }
    return centralDifferenceJacobian(outputs: layer.fanOut, at: x, f)
}

/// The Jacobian-matching diagnostic [E22] against Jacobians taken by central finite differences of
/// the forward layers and the feedback maps themselves.
final class JacobianMatchingTests: XCTestCase {
    func row(_ m: Matrix<Double>, _ r: Int) -> [Double] { (0..<m.cols).map { m[r, $0] } }

    func testMatchesFiniteDifferenceJacobians() {
        let net = TestNet.make([7, 6, 5, 4], batch: 3, seed: 2)
        var g = SeededGenerator(seed: 5)
        let feedback = LayerFeedback(net: net, config: RunConfig(), using: &g)
        let measured = jacobianMatchingErrors(net, feedback)
        XCTAssertEqual(measured.count, feedback.levels.count)
        for (k, l) in feedback.levels.enumerated() {
            var total = 0.0
            for b in 0..<net.batch {
                let jf = numericJacobian(net.layers[l], at: row(net.h[l], b))
                let jg = numericJacobian(.dense(feedback.maps[l]!), at: row(net.h[l + 1], b))
                var difference = 0.0, reference = 0.0
                for i in jg.indices {
                    for j in jg[i].indices {
                        difference += (jg[i][j] - jf[j][i]) * (jg[i][j] - jf[j][i])
                        reference += jf[j][i] * jf[j][i]
                    }
                }
                total += (difference / reference).squareRoot()
            }
            XCTAssertEqual(measured[k], total / Double(net.batch), accuracy: 1e-6, "level \(l)")
        }
    }

    /// Linear layers with Q = Wᵀ match exactly; scaling Q by 1 + c leaves a relative error of |c|.
    func testTransposedLinearFeedbackMatches() {
        let net = TestNet.make([5, 4, 4, 3], hidden: .linear, batch: 2, seed: 3)
        var config = RunConfig()
        config.model.fbActivation = .linear
        var g = SeededGenerator(seed: 6)
        let feedback = LayerFeedback(net: net, config: config, using: &g)
        for l in feedback.levels {
            let w = net.layers[l].weight.value, q = feedback.maps[l]!.weight.value
            for i in 0..<q.rows { for j in 0..<q.cols { q[i, j] = w[j, i] } }
        }
        for error in jacobianMatchingErrors(net, feedback) { XCTAssertEqual(error, 0, accuracy: 1e-12) }
        for l in feedback.levels { scale(feedback.maps[l]!.weight.value.ref, by: 1.25) }
        for error in jacobianMatchingErrors(net, feedback) { XCTAssertEqual(error, 0.25, accuracy: 1e-12) }
    }

    /// A ReLU layer whose units are all off for one sample has J_f = 0 there, and no relative
    /// error: that sample is left out and the others are averaged, where it used to make the layer NaN.
    func testSampleWithZeroForwardJacobianIsLeftOut() {
        let batch = 4
        let net = TestNet.make([5, 8, 8, 8, 3], hidden: .relu, batch: batch, seed: 8)
        for layer in net.layers { if let b = layer.bias { fill(b.value.ref, -0.1) } }
        fill(net.input.rows(batch - 1, 1), 0)   // the last sample: every hidden pre-activation is −0.1
        net.forward()
        var g = SeededGenerator(seed: 9)
        let feedback = LayerFeedback(net: net, config: RunConfig(), using: &g)
        let all = jacobianMatchingErrors(net, feedback), others = jacobianMatchingErrors(net, feedback, samples: batch - 1)
        for (k, l) in feedback.levels.enumerated() where l < net.depth - 1 {   // hidden (ReLU) layers
            XCTAssertTrue(all[k].isFinite, "level \(l): \(all)")
            XCTAssertEqual(all[k], others[k], accuracy: 1e-12, "level \(l)")
        }
    }
}
