import XCTest
@testable import TPEngine

/// GAIT-prop [A20]: with orthogonal weights its update is the BP gradient.
final class GAITTests: XCTestCase {
    func makeNet(width n: Int, layers: Int, batch: Int, seed: UInt64) -> Network<Double> {
        var g = SeededGenerator(seed: seed)
        let act = Activation(.leakyRelu, slope: 0.1)
        let net = Network<Double>(widths: Array(repeating: n, count: layers + 1), hidden: act, output: act,
                                  maxBatch: batch, initialization: .orthogonal, using: &g)
        for layer in net.layers { fillNormal(layer.bias!.value.ref, std: 0.1, using: &g) }
        fillNormal(net.input, using: &g)
        net.forward()
        return net
    }

    func testOrthogonalWeightsGiveTheBPUpdate() {
        let (n, batch) = (6, 5)
        let net = makeNet(width: n, layers: 5, batch: batch, seed: 12)
        for layer in net.layers {   // orthogonal to rounding
            let w = layer.weight.value.toArray()
            let wwt = TestNet.multiply(w, (0..<(n * n)).map { w[($0 % n) * n + $0 / n] }, n, n, n)
            for i in 0..<n { for j in 0..<n { XCTAssertEqual(wwt[i * n + j], i == j ? 1 : 0, accuracy: 1e-14) } }
        }
        var config = RunConfig.defaults(for: .gait)
        config.tp.orthoReg = 0
        var g = SeededGenerator(seed: 13)
        let gait = GAIT<Double>(net: net, config: config, using: &g)
        let e = Matrix<Double>(rows: batch, cols: n)
        fillNormal(e.ref, using: &g)
        gait.forwardGradients(net, outputGradient: e.ref)
        let gaitGrads = net.parameters.map { $0.grad.toArray() }
        BP<Double>(net: net, config: config, using: &g).forwardGradients(net, outputGradient: e.ref)
        // Every local loss here carries c·β/B: c = 1 (e22), β = ½.
        let factor = 0.5 / Double(batch)
        for (k, p) in net.parameters.enumerated() {
            let bp = p.grad.toArray().map { $0 * factor }
            let diff = zip(gaitGrads[k], bp).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
            let norm = bp.map { $0 * $0 }.reduce(0, +).squareRoot()
            XCTAssertGreaterThan(norm, 0)
            XCTAssertLessThan(diff / norm, 1e-8, "\(p.name)")
        }
    }

    /// The regulariser's gradient 4(WWᵀ − diag(WWᵀ))W against finite differences of
    /// R(W) = Σ_{i≠j} ((WWᵀ)_ij)², on a non-orthogonal W.
    func testOrthogonalityRegulariserGradient() {
        let (n, batch) = (4, 3)
        let net = makeNet(width: n, layers: 2, batch: batch, seed: 14)
        var g = SeededGenerator(seed: 15)
        for layer in net.layers { fillNormal(layer.weight.value.ref, std: 0.5, using: &g) }
        net.forward()
        var config = RunConfig.defaults(for: .gait)
        config.tp.orthoReg = 0.7
        let e = Matrix<Double>(rows: batch, cols: n)   // zero loss gradient: only R is left
        GAIT<Double>(net: net, config: config, using: &g).forwardGradients(net, outputGradient: e.ref)
        func r(_ w: Matrix<Double>) -> Double {
            var s = 0.0
            for i in 0..<n { for j in 0..<n where i != j {
                let x = (0..<n).reduce(0.0) { $0 + w[i, $1] * w[j, $1] }
                s += x * x
            } }
            return s
        }
        for layer in net.layers {
            let w = layer.weight.value
            for i in 0..<(n * n) {
                XCTAssertEqual(layer.weight.grad.data[i], 0.7 * centralDifference(w.data, i) { r(w) }, accuracy: 1e-6)
            }
        }
    }

    func testNonSquareNetworkIsAClearError() {
        var config = RunConfig.defaults(for: .gait)
        config.model.hidden = [100, 100]
        XCTAssertThrowsError(try train(config)) { error in
            XCTAssertTrue("\(error)".contains("square layers"), "\(error)")
        }
        config.model.hidden = [784]
        config.model.activation = .tanh
        XCTAssertThrowsError(try train(config)) { error in
            XCTAssertTrue("\(error)".contains("model.activation = tanh"), "\(error)")
        }
    }
}
