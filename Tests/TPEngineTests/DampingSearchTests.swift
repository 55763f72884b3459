import XCTest
@testable import TPEngine

/// The λ search of the GNT and GN angles [M20]: the GNT angle against an explicit per-sample
/// solve, a search that equals single-λ measurements, and an epoch that reports one λ for all its
/// batches.
extension DiagnosticsTests {
    /// Δh_b = J_bᵀ(J_bJ_bᵀ + λI)⁻¹e_b per sample from the chain-rule Jacobian and a Gauss–Jordan
    /// inverse, then the local-loss update Σ_b (s'(a_b) ⊙ Δh_b) h_bᵀ: its angle with an arbitrary
    /// update is the GNT angle.
    func testGNTAngleMatchesExplicitPerSampleSolve() throws {
        let batch = 3, net = TestNet.make([4, 6, 5, 3], batch: batch, seed: 60), nL = 3
        let e = randomMatrix(batch, nL, seed: 61)
        var g = SeededGenerator(seed: 62)
        for layer in net.layers { fillNormal(layer.weight.grad.ref, using: &g) }
        let lambda = 0.05
        let got = try diagnostics(net, config { $0.gntAngles = true; $0.gnDamping = [lambda] })
            .measure(net, outputGradient: e.ref).values["gnt_angle"]!
        XCTAssertEqual(got.count, net.depth - 1)
        for l in 0..<(net.depth - 1) {
            let layer = net.layers[l], (n, fanIn) = (layer.fanOut, layer.fanIn)
            var update = [Double](repeating: 0, count: n * fanIn)
            for b in 0..<batch {
                let j = outputJacobian(net, level: l + 1, sample: b)   // nL × n
                var gram = (0..<(nL * nL)).map { i in (0..<n).reduce(0.0) { $0 + j[(i / nL) * n + $1] * j[(i % nL) * n + $1] } }
                for i in 0..<nL { gram[i * nL + i] += lambda }
                let c = TestNet.multiply(TestNet.inverse(gram, nL), (0..<nL).map { e[b, $0] }, nL, nL, 1)
                for p in 0..<n {
                    let dh = (0..<nL).reduce(0.0) { $0 + j[$1 * n + p] * c[$1] }
                    let d = dh * Naive.derivative(layer.activation.kind, net.a[l][b, p])
                    for q in 0..<fanIn { update[p * fanIn + q] += d * net.h[l][b, q] }
                }
            }
            XCTAssertEqual(got[l], degrees(layer.weight.grad.toArray(), update), accuracy: 1e-8, "layer \(l)")
        }
    }

    /// Each λ of a search gives the angle a measurement with that λ alone gives (the search shares
    /// each sample's decomposition across λ), and the batch reports the smallest.
    func testSearchEqualsSingleDampingMeasurements() throws {
        let batch = 4, net = TestNet.make([4, 6, 5, 3], batch: batch, seed: 63)
        let e = randomMatrix(batch, 3, seed: 64)
        var g = SeededGenerator(seed: 65)
        for layer in net.layers { fillNormal(layer.weight.grad.ref, using: &g) }
        let search = [0, 1e-3, 0.1, 10]
        let both: (inout RunConfig.Metrics) -> Void = { $0.gntAngles = true; $0.gnAngles = true }
        let searched = try diagnostics(net, config { both(&$0); $0.gnDampingSearch = search })
            .measure(net, outputGradient: e.ref)
        for (i, lambda) in search.enumerated() {
            let single = try diagnostics(net, config { both(&$0); $0.gnDamping = [lambda] })
                .measure(net, outputGradient: e.ref).values
            for name in ["gnt_angle", "gn_angle"] {
                for (l, angles) in searched.searched[name]!.enumerated() {
                    XCTAssertEqual(angles[i], single[name]![l], accuracy: 1e-9, "\(name), layer \(l), λ = \(lambda)")
                }
            }
        }
        for name in ["gnt_angle", "gn_angle"] {
            for (l, angles) in searched.searched[name]!.enumerated() {
                XCTAssertEqual(searched.values[name]![l], angles.min()!)
            }
        }
    }

    /// The epoch's λ is the candidate with the smallest mean angle over its batches, reported with
    /// that mean; not the mean of each batch's best λ.
    func testEpochReportsTheDampingWithTheSmallestMeanAngle() {
        var totals = AngleSearchTotals()
        totals.add([[10, 20], [.nan, 5]])   // batch bests: λ 0.1 (10) and λ 1 (5)
        totals.add([[40, 25], [.nan, 7]])   // batch bests: λ 1 (25) and λ 1 (7)
        let best = totals.epochBest(dampings: [[0.1, 1], [0.1, 1]])
        XCTAssertEqual(best.dampings, [1, 1])
        XCTAssertEqual(best.angles, [22.5, 6])
    }

    /// Measured on every batch (interval 1), the reported λ is one of the candidates and its angle
    /// the epoch mean of one λ, never below the mean of the batches' own bests.
    func testEpochDampingIsACandidateWhenEveryBatchMeasures() throws {
        var c = RunConfig.tinyRegression(.dtp)
        c.metrics.gntAngles = true
        c.metrics.gnAngles = true
        c.metrics.diagnosticInterval = 1
        let search = [0, 1e-3, 1e-1, 10]
        c.metrics.gnDampingSearch = search
        let result = try train(c)
        XCTAssertEqual(result.status, .completed)
        for epoch in result.epochs {
            let measured = epoch.batchLog.filter { !$0.diagnostics.isEmpty }
            XCTAssertEqual(measured.count, 8)   // 250 samples in batches of 32
            for name in ["gnt", "gn"] {
                let angles = epoch.diagnostics["\(name)_angle"]!, dampings = epoch.diagnostics["\(name)_damping"]!
                for (l, lambda) in dampings.enumerated() {
                    XCTAssertTrue(search.contains(lambda), "\(name)_damping \(lambda)")
                    let meanOfBests = measured.map { $0.diagnostics["\(name)_angle"]![l] }.reduce(0, +) / Double(measured.count)
                    XCTAssertGreaterThanOrEqual(angles[l], meanOfBests - 1e-9, "\(name), layer \(l)")
                }
            }
        }
    }
}
