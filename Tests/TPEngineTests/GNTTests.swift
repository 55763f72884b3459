import Foundation
import XCTest
@testable import TPEngine

/// [M20]'s ideal Gauss–Newton targets: the per-sample dual solve the rule does equals the primal
/// damped least-squares solve, and without damping on an invertible network it is exact inversion.
final class GNTTests: XCTestCase {
    func rule(_ net: Network<Double>, beta: Double, damping: [Double]) -> GNT<Double> {
        var c = RunConfig.defaults(for: .gnt)
        c.tp.beta = beta
        c.tp.damping = damping
        var g = SeededGenerator(seed: 50)
        return GNT<Double>(net: net, config: c, using: &g)
    }

    /// ∂h_L/∂h_k of sample b (n_L × n_k, row-major) by the chain rule, one layer at a time.
    func jacobian(_ net: Network<Double>, level k: Int, sample b: Int) -> [Double] {
        let n = net.widths[k]
        var j: [Double] = (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 }
        for l in k..<net.depth {
            let layer = net.layers[l], w = layer.weight.value.toArray()
            var next = TestNet.multiply(w, j, layer.fanOut, layer.fanIn, n)
            for r in 0..<layer.fanOut {
                let d = Naive.derivative(layer.activation.kind, net.a[l][b, r], slope: layer.activation.slope)
                for c in 0..<n { next[r * n + c] *= d }
            }
            j = next
        }
        return j
    }

    /// Δh = argmin ‖J Δh − Δ_L‖² + λ‖Δh‖² = (JᵀJ + λI)⁻¹ JᵀΔ_L, solved in the hidden space.
    func testTargetsEqualDampedLeastSquares() {
        let batch = 3, widths = [4, 6, 7, 5, 3]
        let net = TestNet.make(widths, batch: batch, seed: 9)
        let damping = [0.2, 0.05, 0.5]
        let gnt = rule(net, beta: 0.3, damping: damping)
        let e = Matrix<Double>(rows: batch, cols: 3)
        var g = SeededGenerator(seed: 51)
        fillNormal(e.ref, using: &g)
        gnt.forwardGradients(net, outputGradient: e.ref)
        for k in 1..<net.depth {
            let n = widths[k], lambda = damping[k - 1]
            for b in 0..<batch {
                let j = jacobian(net, level: k, sample: b)
                let jt = (0..<(n * 3)).map { j[($0 % 3) * n + $0 / 3] }   // n × 3
                var normal = TestNet.multiply(jt, j, n, 3, n)
                for i in 0..<n { normal[i * n + i] += lambda }
                let rhs = TestNet.multiply(jt, (0..<3).map { -0.3 * e[b, $0] }, n, 3, 1)
                let expected = TestNet.multiply(TestNet.inverse(normal, n), rhs, n, n, 1)
                let got = Naive.row(gnt.targets.delta[k - 1], b)
                let scale = expected.map(abs).max()!
                XCTAssertLessThan(Naive.maxDifference(got, expected), 1e-10 * scale, "level \(k), sample \(b)")
            }
        }
    }

    /// Square invertible tanh network, λ = 0: the target is the output target pulled back through
    /// the exact inverses x_{l} = W_l⁻¹(s⁻¹(x_{l+1}) − b_l), up to O(β²).
    func testUndampedTargetsOnAnInvertibleNetworkAreExactInversion() {
        let batch = 4, n = 4
        for (hidden, beta, tolerance) in [(ActivationKind.linear, 0.5, 1e-9), (.tanh, 1e-6, 1e-4)] {
            let net = TestNet.make([n, n, n, n], hidden: hidden, batch: batch, seed: 10)
            let e = Matrix<Double>(rows: batch, cols: n)
            var g = SeededGenerator(seed: 52)
            fillNormal(e.ref, using: &g)
            // λ = 0 is the pseudo-inverse itself; a tiny λ converges to it (error ~ λ/s_min).
            for (lambda, floor) in [(0.0, 0.0), (1e-10, 1e-6)] {
                let gnt = rule(net, beta: beta, damping: [lambda])
                gnt.forwardGradients(net, outputGradient: e.ref)
                for b in 0..<batch {
                    var x = Naive.add(Naive.row(net.h[net.depth], b), Naive.row(e, b), -beta)
                    for l in stride(from: net.depth - 1, through: 1, by: -1) {
                        let layer = net.layers[l]
                        let pre = x.map { layer.activation.kind == .tanh ? atanh($0) : $0 }
                        let shifted = (0..<n).map { pre[$0] - layer.bias!.value[0, $0] }
                        x = TestNet.multiply(TestNet.inverse(layer.weight.value.toArray(), n), shifted, n, n, 1)
                        let exact = Naive.add(x, Naive.row(net.h[l], b), -1)
                        let got = Naive.row(gnt.targets.delta[l - 1], b)
                        let scale = exact.map(abs).max()!
                        XCTAssertLessThan(Naive.maxDifference(got, exact), max(tolerance, floor) * scale,
                                          "\(hidden) λ=\(lambda) level \(l) sample \(b)")
                    }
                }
            }
        }
    }
}
