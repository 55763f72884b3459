import XCTest
@testable import TPEngine

/// Each rule's targets on a small network against its paper's formula, evaluated sample by sample
/// with the scalar code of `Naive` (Float64).
final class TargetFormulaTests: XCTestCase {
    func config(_ method: Method, beta: Double = 0.3) -> RunConfig {
        var c = RunConfig.defaults(for: method)
        c.tp.beta = beta
        return c
    }

    /// The output target of every rule: τ_L = h_L − β e.
    func outputTarget(_ net: Network<Double>, _ e: Matrix<Double>, beta: Double, sample b: Int) -> [Double] {
        Naive.add(Naive.row(net.h[net.depth], b), Naive.row(e, b), -beta)
    }

    /// `tp` [L15]: τ_{l−1} = g_l(τ_l) = tanh(Q_l τ_l + d_l), all the way down, no difference term.
    func testTPTargetsAreFeedbackImagesOfTheTargetAbove() {
        let batch = 3
        let net = TestNet.make([4, 5, 6, 5, 3], batch: batch, seed: 3)
        var g = SeededGenerator(seed: 21)
        let rule = TP<Double>(net: net, config: config(.tp), using: &g)
        for l in rule.feedback.levels { fillNormal(rule.feedback.maps[l]!.bias!.value.ref, std: 0.2, using: &g) }
        let e = Matrix<Double>(rows: batch, cols: 3)
        fillNormal(e.ref, using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        for b in 0..<batch {
            var tau = outputTarget(net, e, beta: 0.3, sample: b)
            for l in stride(from: net.depth - 1, through: 1, by: -1) {
                tau = Naive.apply(rule.feedback.maps[l]!, tau)
                let got = Naive.add(Naive.row(rule.targets.delta[l - 1], b), Naive.row(net.h[l], b))
                XCTAssertLessThan(Naive.maxDifference(got, tau), 1e-12, "level \(l), sample \(b)")
            }
        }
    }

    /// `ddtp-rhl` [M20]: τ_o = h_o + g_o(z(τ_L)) − g_o(z(h_L)) with z(y) = tanh(R y + r); the last
    /// hidden level reads the output directly.
    func testDDTPRHLTargetsGoThroughTheRandomLayer() {
        let batch = 3
        let net = TestNet.make([4, 5, 6, 5, 3], batch: batch, seed: 4)
        var g = SeededGenerator(seed: 22)
        var c = config(.ddtpRHL)
        c.tp.rhlWidth = 7
        let rule = DDTPRHL<Double>(net: net, config: c, using: &g)
        for o in rule.levels { fillNormal(rule.maps[o]!.bias!.value.ref, std: 0.2, using: &g) }
        let e = Matrix<Double>(rows: batch, cols: 3)
        fillNormal(e.ref, using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        XCTAssertEqual(rule.randomLayer.fanOut, 7)
        for b in 0..<batch {
            let tau = outputTarget(net, e, beta: 0.3, sample: b), h = Naive.row(net.h[net.depth], b)
            for o in 1..<net.depth {
                let map = rule.maps[o]!
                let (inT, inH) = o == net.depth - 1 ? (tau, h)
                    : (Naive.apply(rule.randomLayer, tau), Naive.apply(rule.randomLayer, h))
                let expected = Naive.add(Naive.apply(map, inT), Naive.apply(map, inH), -1)
                let got = Naive.row(rule.targets.delta[o - 1], b)
                XCTAssertLessThan(Naive.maxDifference(got, expected), 1e-12, "level \(o), sample \(b)")
            }
        }
    }

    /// `dtp-lee` [L15]: the output layer gets its true gradient, the top hidden target is
    /// h_{L−1} − β W_Lᵀ δ_L, and the layers below get difference targets g_l(τ_l) + h_{l−1} − g_l(h_l).
    func testDTPLeeTopTargetIsAGradientStepAndOutputLayerGetsItsGradient() {
        let batch = 3
        let net = TestNet.make([4, 5, 6, 5, 3], batch: batch, seed: 5)
        var g = SeededGenerator(seed: 23)
        let rule = DTPLee<Double>(net: net, config: config(.dtpLee), using: &g)
        XCTAssertEqual(rule.feedback.levels, 1..<3)
        XCTAssertNil(rule.feedback.maps[3])
        for l in rule.feedback.levels { fillNormal(rule.feedback.maps[l]!.bias!.value.ref, std: 0.2, using: &g) }
        let e = Matrix<Double>(rows: batch, cols: 3)
        fillNormal(e.ref, using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        let top = net.depth - 1, w = net.layers[top].weight.value
        for b in 0..<batch {
            // Linear output: δ_L = e.
            let grad = (0..<w.cols).map { j in (0..<w.rows).reduce(0.0) { $0 + w[$1, j] * e[b, $1] } }
            var tau = Naive.add(Naive.row(net.h[top], b), grad, -0.3)
            XCTAssertLessThan(Naive.maxDifference(Naive.add(Naive.row(rule.targets.delta[top - 1], b), Naive.row(net.h[top], b)), tau), 1e-12)
            for l in stride(from: top - 1, through: 1, by: -1) {
                let map = rule.feedback.maps[l]!
                tau = Naive.add(Naive.add(Naive.apply(map, tau), Naive.row(net.h[l], b)), Naive.apply(map, Naive.row(net.h[l + 1], b)), -1)
                let got = Naive.add(Naive.row(rule.targets.delta[l - 1], b), Naive.row(net.h[l], b))
                XCTAssertLessThan(Naive.maxDifference(got, tau), 1e-12, "level \(l), sample \(b)")
            }
        }
        // ∇W_L = Σ_b e_b h_{L−1,b}ᵀ, ∇b_L = Σ_b e_b.
        let gw = net.layers[top].weight.grad, gb = net.layers[top].bias!.grad
        for i in 0..<w.rows {
            XCTAssertEqual(gb[0, i], (0..<batch).reduce(0.0) { $0 + e[$1, i] }, accuracy: 1e-12)
            for j in 0..<w.cols {
                XCTAssertEqual(gw[i, j], (0..<batch).reduce(0.0) { $0 + e[$1, i] * net.h[top][$1, j] }, accuracy: 1e-12)
            }
        }
    }
}
