import XCTest
@testable import TPEngine

/// [B20]'s iterated approximate inverses: one step is dtp, and on a contractive example the
/// residual shrinks at least geometrically.
final class IterativeTests: XCTestCase {
    func config(iterations: Int, feedback: IterativeFeedback = .dtp) -> RunConfig {
        var c = RunConfig.defaults(for: .iterative)
        c.tp.iterativeFeedback = feedback
        c.tp.iterations = iterations
        c.tp.beta = 0.2
        return c
    }

    func testOneIterationEqualsDTP() {
        let batch = 6
        let net = TestNet.make([5, 6, 7, 6, 3], batch: batch, seed: 6)
        let e = Matrix<Double>(rows: batch, cols: 3)
        var ge = SeededGenerator(seed: 40)
        fillNormal(e.ref, using: &ge)
        var g1 = SeededGenerator(seed: 31), g2 = SeededGenerator(seed: 31)
        let iterative = Iterative<Double>(net: net, config: config(iterations: 1), using: &g1)
        let dtp = DTP<Double>(net: net, config: config(iterations: 1), using: &g2)
        func gradients() -> [[Double]] { net.parameters.map { $0.grad.toArray() } }
        iterative.forwardGradients(net, outputGradient: e.ref)
        let (targets, grads) = (iterative.targets.delta.map { $0.toArray() }, gradients())
        dtp.forwardGradients(net, outputGradient: e.ref)
        XCTAssertEqual(targets, dtp.targets.delta.map { $0.toArray() })
        XCTAssertEqual(grads, gradients())
        // And the feedback losses are dtp's (same noise).
        var n1 = SeededGenerator(seed: 5), n2 = SeededGenerator(seed: 5)
        var l1 = [Double](repeating: 0, count: 4), l2 = l1
        l1.withUnsafeMutableBufferPointer { iterative.feedbackGradients(net, noise: &n1, losses: $0) }
        let fb = iterative.feedbackParameters.map { $0.grad.toArray() }
        l2.withUnsafeMutableBufferPointer { dtp.feedbackGradients(net, noise: &n2, losses: $0) }
        XCTAssertEqual(l1, l2)
        XCTAssertEqual(fb, dtp.feedbackParameters.map { $0.grad.toArray() })
    }

    func testOneIterationOnDRLFeedbackEqualsDRL() {
        let batch = 6
        let net = TestNet.make([5, 6, 7, 6, 3], batch: batch, seed: 7)
        let e = Matrix<Double>(rows: batch, cols: 3)
        var ge = SeededGenerator(seed: 41)
        fillNormal(e.ref, using: &ge)
        var g1 = SeededGenerator(seed: 32), g2 = SeededGenerator(seed: 32)
        let c = config(iterations: 1, feedback: .drl)
        let iterative = Iterative<Double>(net: net, config: c, using: &g1)
        let drl = DRL<Double>(net: net, config: c, using: &g2)
        iterative.forwardGradients(net, outputGradient: e.ref)
        let grads = net.parameters.map { $0.grad.toArray() }
        drl.forwardGradients(net, outputGradient: e.ref)
        XCTAssertEqual(grads, net.parameters.map { $0.grad.toArray() })
        var n1 = SeededGenerator(seed: 5), n2 = SeededGenerator(seed: 5)
        var l1 = [Double](repeating: 0, count: 3), l2 = l1
        l1.withUnsafeMutableBufferPointer { iterative.feedbackGradients(net, noise: &n1, losses: $0) }
        l2.withUnsafeMutableBufferPointer { drl.feedbackGradients(net, noise: &n2, losses: $0) }
        XCTAssertEqual(l1, l2)
    }

    /// Linear layers with approximate inverses Q_l = (W_l + P_l)⁻¹: the residual of level l obeys
    /// r⁽ᵏ⁺¹⁾ = (I − W_l Q_l) r⁽ᵏ⁾, so ‖r⁽ᵏ⁾‖ ≤ ρ_l^k ‖r⁽⁰⁾‖ with ρ_l = ‖I − W_l Q_l‖₂ < 1.
    func testResidualShrinksGeometricallyOnAContractiveExample() {
        let n = 5, batch = 4, iterations = 12
        let net = TestNet.make([n, n, n, n], hidden: .linear, batch: batch, seed: 8)
        var c = config(iterations: iterations)
        c.model.fbActivation = .linear
        var g = SeededGenerator(seed: 33)
        let rule = Iterative<Double>(net: net, config: c, using: &g)
        rule.trackResiduals = true
        var rho = [Double](repeating: 0, count: net.depth)
        for l in rule.feedback.levels {
            let w = net.layers[l].weight.value.toArray()
            var perturbed = w
            for i in perturbed.indices { perturbed[i] += 0.08 * Double(Int(g.next() % 21) - 10) / 10 }
            let q = TestNet.inverse(perturbed, n)
            let map = rule.feedback.maps[l]!
            for i in 0..<(n * n) { map.weight.value.data[i] = q[i] }
            fillNormal(map.bias!.value.ref, std: 0.3, using: &g)
            let wq = TestNet.multiply(w, q, n, n, n)
            let m = (0..<(n * n)).map { ($0 / n == $0 % n ? 1 : 0) - wq[$0] }
            rho[l] = spectralNorm(m, n)
            XCTAssertLessThan(rho[l], 0.9, "level \(l) is not contractive; pick another perturbation")
        }
        let e = Matrix<Double>(rows: batch, cols: n)
        fillNormal(e.ref, using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        for l in rule.feedback.levels {
            let r = rule.residualNorms[l]
            XCTAssertEqual(rule.iterationsUsed[l], iterations)
            XCTAssertGreaterThan(r[0], 0)
            for k in 1...iterations {
                XCTAssertLessThanOrEqual(r[k], pow(rho[l], Double(k)) * r[0] * (1 + 1e-9) + 1e-13,
                                         "level \(l), iteration \(k): \(r)")
            }
            XCTAssertLessThan(r[iterations], 1e-2 * r[0], "level \(l): \(r)")
        }
    }

    /// With a tolerance, a layer stops as soon as its residual is small enough.
    func testToleranceStopsEarly() {
        let n = 5, batch = 4
        let net = TestNet.make([n, n, n, n], hidden: .linear, batch: batch, seed: 8)
        var c = config(iterations: 50)
        c.model.fbActivation = .linear
        c.tp.tolerance = 1e-4
        var g = SeededGenerator(seed: 34)
        let rule = Iterative<Double>(net: net, config: c, using: &g)
        rule.trackResiduals = true
        for l in rule.feedback.levels {
            let w = net.layers[l].weight.value.toArray()
            let q = TestNet.inverse(w.map { $0 * 1.1 }, n)   // g∘f − I = −(1/11)·I
            for i in 0..<(n * n) { rule.feedback.maps[l]!.weight.value.data[i] = q[i] }
        }
        let e = Matrix<Double>(rows: batch, cols: n)
        fillNormal(e.ref, using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        for l in rule.feedback.levels {
            let used = rule.iterationsUsed[l], r = rule.residualNorms[l]
            XCTAssertLessThan(used, 10, "level \(l)")
            XCTAssertLessThanOrEqual(r[used], 1e-4 * r[0])
            XCTAssertGreaterThan(r[used - 1], 1e-4 * r[0])
        }
    }

    /// ‖M‖₂ of a row-major n×n matrix by power iteration on MᵀM.
    func spectralNorm(_ m: [Double], _ n: Int) -> Double {
        let mt = (0..<(n * n)).map { m[($0 % n) * n + $0 / n] }
        let mtm = TestNet.multiply(mt, m, n, n, n)
        var v = [Double](repeating: 1, count: n), lambda = 0.0
        for _ in 0..<500 {
            let w = TestNet.multiply(mtm, v, n, n, 1)
            lambda = w.map { $0 * $0 }.reduce(0, +).squareRoot()
            v = w.map { $0 / lambda }
        }
        return lambda.squareRoot()
    }
}
