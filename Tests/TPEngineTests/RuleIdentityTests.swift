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

extension RuleIdentityTests {
    /// [M20]'s identity on a conv net: with Q_o the exact transposed Jacobian ∂h_L/∂h_o of each
    /// hidden level (a conv block's flattened, pooled output included) and small β, the
    /// `ddtp-linear` update of every layer, conv blocks through their own local losses, aligns with BP.
    func testDDTPLinearOnAConvNetWithTransposedJacobianAlignsWithBP() throws {
        let net = try TestNet.convNet(batch: 1)
        var config = RunConfig()
        config.method = .ddtpLinear
        config.tp.beta = 1e-3
        var g = SeededGenerator(seed: 5)
        let rule = DDTPLinear<Double>(net: net, config: config, using: &g)
        // Row k of ∂h_L/∂h_o is the gradient at level o of backprop from the unit vector e_k:
        // layer o's input gradient of its δ.
        let backprop = Backpropagation(net: net)
        let weightGrads = net.layers.map { Matrix<Double>(rows: $0.weight.value.rows, cols: $0.weight.value.cols) }
        let biasGrads = net.layers.map { $0.bias.map { Matrix<Double>(rows: 1, cols: $0.value.cols) } }
        let outputs = net.widths[net.depth], row = Matrix<Double>(rows: 1, cols: net.widths.max()!)
        for k in 0..<outputs {
            let unit = Matrix<Double>(rows: 1, cols: outputs)
            unit[0, k] = 1
            backprop.gradients(net, outputGradient: unit.ref, weightGrads: weightGrads, biasGrads: biasGrads)
            for o in 1..<net.depth {
                let q = rule.feedback.maps[o]!.weight.value  // n_o × n_L
                net.layers[o].inputGradient(delta: backprop.deltas[o].ref, into: row.view(rows: 1, cols: q.rows))
                for r in 0..<q.rows { q[r, k] = row.data[r] }
            }
        }
        let e = Matrix<Double>(rows: 1, cols: outputs, values: [0.3, -0.5, 0.2, 0.1])
        rule.forwardGradients(net, outputGradient: e.ref)
        let angles = TrainingMetrics(net: net, bpAngles: true).measureBPAngles(net, outputGradient: e.ref)
        XCTAssertEqual(angles.count, net.depth)
        for (l, a) in angles.enumerated() { XCTAssertLessThan(a, 1, "layer \(l + 1)") }
    }
}
