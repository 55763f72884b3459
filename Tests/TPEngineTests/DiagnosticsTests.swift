import Foundation
import XCTest
@testable import TPEngine

/// The Gauss–Newton diagnostics [M20] against explicitly formed Jacobians and the identities they
/// must satisfy; off by default; subsampling that measures the same thing as a smaller batch.
final class DiagnosticsTests: XCTestCase {
    func config(_ adjust: (inout RunConfig.Metrics) -> Void) -> RunConfig {
        var c = RunConfig.defaults(for: .gnt)
        adjust(&c.metrics)
        return c
    }

    func diagnostics(_ net: Network<Double>, _ c: RunConfig,
                     methodUpdate: @escaping (MatRef<Double>) -> Void = { _ in }) throws -> Diagnostics<Double> {
        try XCTUnwrap(try Diagnostics(net: net, config: c, feedback: nil, methodUpdate: methodUpdate))
    }

    /// BP's update of the batch in `net` into its gradients.
    func backprop(_ net: Network<Double>, _ e: MatRef<Double>) {
        var g = SeededGenerator(seed: 0)
        BP<Double>(net: net, config: RunConfig.defaults(for: .bp), using: &g).forwardGradients(net, outputGradient: e)
    }

    /// The BP angle and every diagnostic on.
    func measureEverything(_ m: inout RunConfig.Metrics) {
        (m.bpAngles, m.gntAngles, m.gnAngles, m.nullSpace, m.jacobianMatching) = (true, true, true, true, true)
    }

    func randomMatrix(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix<Double> {
        let m = Matrix<Double>(rows: rows, cols: cols)
        var g = SeededGenerator(seed: seed)
        fillNormal(m.ref, using: &g)
        return m
    }

    /// J = ∂h_L/∂W_l over the batch, rows (b, r), columns the entries of W_l (row-major), by the
    /// chain rule one sample at a time: ∂h_L[r]/∂W_l[p, q] = (∂h_L/∂h_{l+1})[r, p] s'(a_l[b, p]) h_l[b, q].
    func parameterJacobian(_ net: Network<Double>, layer l: Int) -> [[Double]] {
        let nL = net.widths[net.depth], layer = net.layers[l]
        var rows: [[Double]] = []
        for b in 0..<net.batch {
            let m = outputJacobian(net, level: l + 1, sample: b)
            for r in 0..<nL {
                var row: [Double] = []
                for p in 0..<layer.fanOut {
                    let d = Naive.derivative(layer.activation.kind, net.a[l][b, p])
                    for q in 0..<layer.fanIn { row.append(m[r * layer.fanOut + p] * d * net.h[l][b, q]) }
                }
                rows.append(row)
            }
        }
        return rows
    }

    /// ∂h_L/∂h_k of sample b, n_L × n_k row-major.
    func outputJacobian(_ net: Network<Double>, level k: Int, sample b: Int) -> [Double] {
        let n = net.widths[k]
        var j: [Double] = (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 }
        for l in k..<net.depth {
            let layer = net.layers[l]
            var next = TestNet.multiply(layer.weight.value.toArray(), j, layer.fanOut, layer.fanIn, n)
            for r in 0..<layer.fanOut {
                let d = Naive.derivative(layer.activation.kind, net.a[l][b, r])
                for c in 0..<n { next[r * n + c] *= d }
            }
            j = next
        }
        return j
    }

    func dot(_ x: [Double], _ y: [Double]) -> Double { zip(x, y).reduce(0) { $0 + $1.0 * $1.1 } }

    func degrees(_ x: [Double], _ y: [Double]) -> Double {
        acos(max(-1, min(1, dot(x, y) / (dot(x, x) * dot(y, y)).squareRoot()))) * 180 / .pi
    }

    /// ΔW_GN = Jᵀ(JJᵀ + λI)⁻¹ e with J formed explicitly and a Gauss–Jordan inverse.
    func gaussNewtonUpdate(_ j: [[Double]], _ e: [Double], damping lambda: Double) -> [Double] {
        let m = j.count
        var gram = [Double](repeating: 0, count: m * m)
        for a in 0..<m { for b in 0..<m { gram[a * m + b] = dot(j[a], j[b]) + (a == b ? lambda : 0) } }
        let c = TestNet.multiply(TestNet.inverse(gram, m), e, m, m, 1)
        return (0..<j[0].count).map { p in (0..<m).reduce(0) { $0 + j[$1][p] * c[$1] } }
    }

    /// The GN angle of an arbitrary update equals the one computed from the explicit J, for each λ
    /// of a search, and the search reports the smallest with its λ.
    func testGNAngleMatchesExplicitJacobian() throws {
        let batch = 3, widths = [4, 5, 3, 2]
        let net = TestNet.make(widths, batch: batch, seed: 21)
        let e = randomMatrix(batch, 2, seed: 22)
        var g = SeededGenerator(seed: 23)
        for layer in net.layers { fillNormal(layer.weight.grad.ref, using: &g) }
        let search = [1e-3, 0.1, 10]
        let got = try diagnostics(net, config { $0.gnAngles = true; $0.gnDampingSearch = search })
            .measure(net, outputGradient: e.ref).values
        for l in net.layers.indices {
            let j = parameterJacobian(net, layer: l), update = net.layers[l].weight.grad.toArray()
            let angles = search.map { degrees(update, gaussNewtonUpdate(j, e.toArray(), damping: $0)) }
            let best = angles.indices.min { angles[$0] < angles[$1] }!
            XCTAssertEqual(got["gn_angle"]![l], angles[best], accuracy: 1e-8, "layer \(l)")
            XCTAssertEqual(got["gn_damping"]![l], search[best], "layer \(l)")
        }
    }

    /// λ → ∞ turns the GN update into Jᵀe / λ, the BP gradient: the GN angle of `bp` vanishes.
    func testGNAngleOfBackpropWithLargeDampingIsZero() throws {
        let batch = 4, net = TestNet.make([5, 6, 6, 3], batch: batch, seed: 24)
        let e = randomMatrix(batch, 3, seed: 25)
        backprop(net, e.ref)
        let angles = try diagnostics(net, config { $0.gnAngles = true; $0.gnDamping = [1e9] })
            .measure(net, outputGradient: e.ref).values["gn_angle"]!
        XCTAssertEqual(angles.count, net.depth)
        for a in angles { XCTAssertLessThan(a, 1e-3) }
    }

    func nullSpaceRatios(_ net: Network<Double>, _ e: Matrix<Double>) throws -> [Double] {
        try diagnostics(net, config { $0.nullSpace = true }).measure(net, outputGradient: e.ref).values["null_space_ratio"]!
    }

    /// The BP gradient Jᵀe lies in the row space of J: ratio 0, for one sample and one output as
    /// for a batch whose J has more rows than the first layer has weights (JJᵀ singular).
    func testNullSpaceRatioOfBackpropIsZero() throws {
        for (widths, batch) in [([4, 5, 3, 1], 1), ([2, 5, 4, 3], 6)] {
            let net = TestNet.make(widths, batch: batch, seed: 35)
            let e = randomMatrix(batch, widths.last!, seed: 36)
            backprop(net, e.ref)
            for r in try nullSpaceRatios(net, e) { XCTAssertLessThan(r, 1e-7, "\(widths)") }
        }
    }

    /// A direction orthogonal to J's row (one sample, one output) has ratio 1, and a mix of both
    /// the share of its orthogonal part.
    func testNullSpaceRatioOfOrthogonalAndMixedDirections() throws {
        let net = TestNet.make([4, 5, 3, 1], batch: 1, seed: 26)
        let e = randomMatrix(1, 1, seed: 27)
        let measure = { try self.nullSpaceRatios(net, e) }
        var expected: [Double] = []
        for l in net.layers.indices {
            let row = parameterJacobian(net, layer: l)[0]
            var random = randomMatrix(1, row.count, seed: 28 + UInt64(l)).toArray()
            let along = dot(random, row) / dot(row, row)
            random = zip(random, row).map { $0 - along * $1 }          // ⟂ J's row
            let mixed = zip(random, row).map { $0 + 0.5 * $1 }
            expected.append((dot(random, random) / dot(mixed, mixed)).squareRoot())
            let grad = net.layers[l].weight.grad
            for i in mixed.indices { grad.data[i] = mixed[i] }
        }
        for (r, x) in zip(try measure(), expected) { XCTAssertEqual(r, x, accuracy: 1e-9) }
        for l in net.layers.indices {
            let row = parameterJacobian(net, layer: l)[0], grad = net.layers[l].weight.grad
            var random = randomMatrix(1, row.count, seed: 40 + UInt64(l)).toArray()
            let along = dot(random, row) / dot(row, row)
            random = zip(random, row).map { $0 - along * $1 }
            for i in random.indices { grad.data[i] = random[i] }
        }
        for r in try measure() { XCTAssertEqual(r, 1, accuracy: 1e-9) }
    }

    /// The `gnt` rule's update is the local-loss update of the very targets the GNT angle compares
    /// with: angle 0 at its own λ, and a search that contains that λ finds it.
    func testGNTAngleOfTheGNTRuleIsZero() throws {
        let batch = 5, net = TestNet.make([4, 6, 5, 3], batch: batch, seed: 30)
        let e = randomMatrix(batch, 3, seed: 31)
        for lambda in [0.0, 0.05] {
            var c = RunConfig.defaults(for: .gnt)
            c.tp.damping = [lambda]
            var g = SeededGenerator(seed: 0)
            GNT<Double>(net: net, config: c, using: &g).forwardGradients(net, outputGradient: e.ref)
            let fixed = try diagnostics(net, config { $0.gntAngles = true; $0.gnDamping = [lambda] })
                .measure(net, outputGradient: e.ref).values
            XCTAssertEqual(fixed["gnt_angle"]!.count, net.depth - 1)
            for a in fixed["gnt_angle"]! { XCTAssertLessThan(a, 1e-4, "λ = \(lambda)") }
            let searched = try diagnostics(net, config { $0.gntAngles = true; $0.gnDampingSearch = [10, lambda, 1] })
                .measure(net, outputGradient: e.ref).values
            XCTAssertEqual(searched["gnt_damping"]!, Array(repeating: lambda, count: net.depth - 1))
        }
    }

    /// With `diagnostic_samples` S, the diagnostics measure what they measure on a batch of those S
    /// samples alone, and the full batch's gradients are back afterwards for the optimizer step.
    func testSubsampleMeasuresTheFirstSamplesAndRestoresGradients() throws {
        let batch = 6, samples = 2, widths = [4, 5, 3, 2]
        let full = TestNet.make(widths, batch: batch, seed: 33), e = randomMatrix(batch, 2, seed: 34)
        let small = TestNet.make(widths, batch: samples, seed: 33)
        copy(full.input.rows(0, samples), into: small.input)
        small.forward()
        backprop(full, e.ref)
        backprop(small, e.ref.rows(0, samples))
        let before = full.parameters.map { $0.grad.toArray() }
        let all: (inout RunConfig.Metrics) -> Void = {
            $0.gntAngles = true; $0.gnAngles = true; $0.nullSpace = true; $0.gnDamping = [0.01]
        }
        let sub = try diagnostics(full, config { all(&$0); $0.diagnosticSamples = samples }) {
            self.backprop(full, $0)
        }.measure(full, outputGradient: e.ref)
        let reference = try diagnostics(small, config(all)).measure(small, outputGradient: e.ref.rows(0, samples))
        XCTAssertEqual(Set(sub.values.keys), ["gnt_angle", "gnt_damping", "gn_angle", "gn_damping", "null_space_ratio"])
        for (name, values) in reference.values {
            for (x, y) in zip(sub.values[name]!, values) { XCTAssertEqual(x, y, accuracy: 1e-9, name) }
        }
        XCTAssertEqual(full.parameters.map { $0.grad.toArray() }, before)
        XCTAssertEqual(full.batch, batch)
        XCTAssertEqual(Set(sub.seconds.keys), ["gnt_angle", "gn_angle", "null_space_ratio"])
    }

    /// Nothing is requested by default: no diagnostics object, no values, no seconds.
    func testDiagnosticsAreOffByDefault() throws {
        let c = RunConfig.defaults(for: .ddtpLinear)
        XCTAssertFalse(c.metrics.gntAngles || c.metrics.gnAngles || c.metrics.nullSpace || c.metrics.jacobianMatching)
        let net = TestNet.make([4, 5, 2], batch: 3)
        XCTAssertNil(try Diagnostics(net: net, config: c, feedback: nil) { _ in })
        let result = try train(RunConfig.tinyRegression(.ddtpLinear))
        for epoch in result.epochs {
            XCTAssertTrue(epoch.diagnostics.isEmpty)
            XCTAssertTrue(epoch.diagnosticSeconds.isEmpty)
        }
    }

    /// Asked for in a run: every epoch reports each diagnostic per layer and what it cost.
    func testRequestedDiagnosticsReachTheEpochReports() throws {
        var c = RunConfig.tinyRegression(.dtp)
        measureEverything(&c.metrics)
        c.metrics.diagnosticInterval = 4
        c.metrics.diagnosticSamples = 8
        c.metrics.gnDampingSearch = [0, 1e-3, 1e-1]
        let result = try train(c)
        XCTAssertEqual(result.status, .completed)
        let depth = c.model.hidden.count + 1
        for epoch in result.epochs {
            XCTAssertEqual(epoch.diagnostics["gnt_angle"]?.count, depth - 1)
            XCTAssertEqual(epoch.diagnostics["gn_angle"]?.count, depth)
            XCTAssertEqual(epoch.diagnostics["null_space_ratio"]?.count, depth)
            XCTAssertEqual(epoch.diagnostics["jacobian_matching"]?.count, depth - 1)
            for a in epoch.diagnostics["gn_angle"]! + epoch.diagnostics["gnt_angle"]! {
                XCTAssertTrue(a >= 0 && a <= 180)
            }
            XCTAssertEqual(Set(epoch.diagnosticSeconds.keys),
                           ["bp_angle", "gnt_angle", "gn_angle", "null_space_ratio", "jacobian_matching"])
            XCTAssertTrue(epoch.diagnosticSeconds.values.allSatisfy { $0 > 0 })
            // 250 training samples, batch 32: batches 0 and 4 measure.
            XCTAssertEqual(epoch.batchLog.filter { !$0.diagnostics.isEmpty }.map(\.batch), [0, 4])
        }
    }

    /// Jacobian matching needs layer-to-layer feedback maps: asking for it without them is an error
    /// that names the key and the method.
    func testJacobianMatchingWithoutLayerFeedbackIsAClearError() {
        var c = RunConfig.tinyRegression(.ddtpLinear)
        c.metrics.jacobianMatching = true
        XCTAssertThrowsError(try train(c)) { error in
            XCTAssertTrue("\(error)".contains("metrics.jacobian_matching"), "\(error)")
            XCTAssertTrue("\(error)".contains("method = ddtp-linear"), "\(error)")
            XCTAssertEqual((error as? ConfigError)?.isJacobianMatchingWithoutLayerFeedback, true)  // bench skips it
        }
    }

    /// A Gram matrix beyond the supported size is a configuration error that says what to change,
    /// or that the output is too wide.
    func testTooManyJacobianRowsIsAClearError() {
        var c = RunConfig.defaults(for: .gnt)
        c.metrics.gnAngles = true
        let net = TestNet.make([3, 4, 300], batch: 10)
        XCTAssertThrowsError(try Diagnostics(net: net, config: c, feedback: nil) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("metrics.diagnostic_samples to at most 6"), "\(error)")
            XCTAssertEqual((error as? ConfigError)?.isJacobianMatchingWithoutLayerFeedback, false)  // bench prints it
        }
        c.metrics.diagnosticSamples = 6
        XCTAssertNoThrow(try Diagnostics(net: net, config: c, feedback: nil) { _ in })
        // An output wider than the limit even for one sample: fewer samples cannot help, and the
        // error must not suggest 0 (which means the whole batch).
        let wide = TestNet.make([3, 4, 3000], batch: 1)
        XCTAssertThrowsError(try Diagnostics(net: wide, config: c, feedback: nil) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("do not support an output of 3000 units"), "\(error)")
            XCTAssertFalse("\(error)".contains("diagnostic_samples to at most"), "\(error)")
        }
    }

    /// A config edited in code after validation may hold a negative sample count: a configuration
    /// error, not a trap in the buffers it would size.
    func testNegativeDiagnosticSamplesIsAConfigError() {
        var c = RunConfig.defaults(for: .gnt)
        c.metrics.gntAngles = true
        c.metrics.diagnosticSamples = -1
        let net = TestNet.make([3, 4, 2], batch: 2)
        XCTAssertThrowsError(try Diagnostics(net: net, config: c, feedback: nil) { _ in }) { error in
            XCTAssertTrue("\(error)".contains("metrics.diagnostic_samples: -1 is out of range"), "\(error)")
        }
    }

    /// Measuring changes nothing in training: for a rule that trains its feedback after its forward
    /// gradients ([M20]'s order, measured before the feedback step), every diagnostic on a
    /// subsample at every batch leaves the losses and weights of plain training.
    func testDiagnosticsLeaveTrainingUnchanged() throws {
        let plain = RunConfig.tinyRegression(.drl)
        var measured = plain
        measureEverything(&measured.metrics)
        measured.metrics.logInterval = 1
        measured.metrics.diagnosticInterval = 1
        measured.metrics.diagnosticSamples = 8
        measured.metrics.gnDampingSearch = [0, 0.1]
        let (a, b) = (try train(plain), try train(measured))
        XCTAssertEqual(b.epochs.first?.diagnostics.isEmpty, false)
        XCTAssertEqual(a.epochs.map(\.trainLoss), b.epochs.map(\.trainLoss))
        XCTAssertEqual(a.epochs.map(\.testLoss), b.epochs.map(\.testLoss))
        XCTAssertEqual(a.epochs.map(\.reconstructionLoss), b.epochs.map(\.reconstructionLoss))
        XCTAssertEqual(a.epochs.map(\.weightNorm), b.epochs.map(\.weightNorm))
    }
}
