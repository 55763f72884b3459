import XCTest
@testable import TPEngine

/// Exact identities the papers prove about the targets.
final class RuleIdentityTests: XCTestCase {
    /// [M20] DTP on an invertible linear network with exact inverses (Q_l = W_l⁻¹, d_l = −W_l⁻¹b_l)
    /// propagates Δ_L to Δ_k = J_k⁻¹ Δ_L, the Gauss–Newton target of the linear network.
    func testDTPWithExactInversesGivesGaussNewtonTargets() {
        let n = 4, batch = 5
        let net = TestNet.make([n, n, n, n], hidden: .linear, batch: batch)
        var config = RunConfig()
        config.method = .dtp
        config.model.fbActivation = .linear
        config.tp.beta = 0.5
        var g = SeededGenerator(seed: 2)
        let rule = DTP<Double>(net: net, config: config, using: &g)
        for l in 1..<net.depth {
            let w = net.layers[l].weight.value.toArray(), b = net.layers[l].bias!.value.toArray()
            let inv = TestNet.inverse(w, n)
            let map = rule.feedback.maps[l]!
            for i in 0..<(n * n) { map.weight.value.data[i] = inv[i] }
            let shift = TestNet.multiply(inv, b, n, n, 1)
            for i in 0..<n { map.bias!.value.data[i] = -shift[i] }
        }
        let e = Matrix<Double>(rows: batch, cols: n)
        fillNormal(e.ref, using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        // Δ_k (rows are samples) = Δ_L (J_k⁻¹)ᵀ with J_k = W_L ⋯ W_{k+1}.
        let top = net.depth - 1
        var jacobian = net.layers[top].weight.value.toArray()
        for k in stride(from: top - 1, through: 0, by: -1) {
            let jInv = TestNet.inverse(jacobian, n)
            let jInvT = (0..<(n * n)).map { jInv[($0 % n) * n + $0 / n] }
            let expected = TestNet.multiply(rule.targets.delta[top].toArray(), jInvT, batch, n, n)
            let got = rule.targets.delta[k].toArray()
            for i in got.indices { XCTAssertEqual(got[i], expected[i], accuracy: 1e-9, "layer \(k) [\(i)]") }
            jacobian = TestNet.multiply(jacobian, net.layers[k].weight.value.toArray(), n, n, n)
        }
    }

    /// [M20] ddtp-linear with Q_o set to the exact transposed Jacobian ∂h_L/∂h_o (one sample, so the
    /// Jacobian is one matrix) updates every layer along the BP gradient.
    func testDDTPLinearWithTransposedJacobianAlignsWithBP() {
        let widths = [6, 5, 5, 5, 3]
        let net = TestNet.make(widths, batch: 1)
        var config = RunConfig()
        config.method = .ddtpLinear
        config.tp.beta = 1e-3
        var g = SeededGenerator(seed: 5)
        let rule = DDTPLinear<Double>(net: net, config: config, using: &g)
        for o in 1..<net.depth {
            let j = outputJacobian(net, level: o)   // n_L × n_o
            let q = rule.feedback.maps[o]!.weight.value // n_o × n_L
            for r in 0..<q.rows { for c in 0..<q.cols { q[r, c] = j[c * q.rows + r] } }
        }
        let e = Matrix<Double>(rows: 1, cols: 3, values: [0.3, -0.5, 0.2])
        rule.forwardGradients(net, outputGradient: e.ref)
        let metrics = TrainingMetrics(net: net, bpAngles: true)
        let angles = metrics.measureBPAngles(net, outputGradient: e.ref)
        XCTAssertEqual(angles.count, net.depth)
        for (l, a) in angles.enumerated() { XCTAssertLessThan(a, 1, "layer \(l + 1)") }
    }

    /// ∂h_L/∂h_o of the single sample in `net`, row-major n_L × n_o, by the chain rule.
    func outputJacobian(_ net: Network<Double>, level o: Int) -> [Double] {
        var j: [Double] = (0..<(net.widths[o] * net.widths[o])).map { $0 / net.widths[o] == $0 % net.widths[o] ? 1 : 0 }
        for l in o..<net.depth {
            let layer = net.layers[l], w = layer.weight.value.toArray()
            var next = TestNet.multiply(w, j, layer.fanOut, layer.fanIn, net.widths[o])
            let d = Matrix<Double>(rows: 1, cols: layer.fanOut, values: Array(repeating: 1, count: layer.fanOut))
            layer.activation.multiplyDerivative(d.ref, a: net.a[l].prefix(1), h: net.h[l + 1].prefix(1))
            for r in 0..<layer.fanOut { for c in 0..<net.widths[o] { next[r * net.widths[o] + c] *= d[0, r] } }
            j = next
        }
        return j
    }
}
