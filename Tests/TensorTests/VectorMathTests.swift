import Foundation
import XCTest
import Tensor

/// VectorMath against Double-precision libm.
///
/// Error bounds (relative, on every finite input whose true result is a normal Float):
/// exp 2e-7, tanh 3e-7, sigmoid 3e-7. An exhaustive sweep over all 2³² Float inputs (release build,
/// not part of the suite) found maxima of about 9e-8, 1.4e-7 and 2e-7. Half an ulp, the best any
/// Float result can do, is up to 6e-8, so the bounds allow about three to five ulps.
final class VectorMathTests: XCTestCase {
    typealias Kernel = @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void

    static let expK: Kernel = { VectorMath.exp($0, $1, count: $2) }
    static let tanhK: Kernel = { VectorMath.tanh($0, $1, count: $2) }
    static let sigmoidK: Kernel = { VectorMath.sigmoid($0, $1, count: $2) }

    static func expRef(_ x: Double) -> Double { Foundation.exp(x) }
    static func tanhRef(_ x: Double) -> Double { Foundation.tanh(x) }
    static func sigmoidRef(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    static func apply(_ k: Kernel, _ xs: [Float]) -> [Float] {
        var ys = [Float](repeating: .nan, count: xs.count)
        xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeMutableBufferPointer { yp in k(xp.baseAddress!, yp.baseAddress!, xs.count) }
        }
        return ys
    }

    /// A dense sweep: a uniform grid over [lo, hi], both signs of magnitudes from 1e-30 to `hi`
    /// spaced logarithmically, pseudo-random bit patterns, and the neighbours of a few edges.
    static func sweep(lo: Float, hi: Float, edges: [Float]) -> [Float] {
        var xs: [Float] = []
        let n = 200_000
        for i in 0...n { xs.append(lo + (hi - lo) * Float(i) / Float(n)) }
        var m: Float = 1e-30
        while m < hi {
            xs.append(m); xs.append(-m)
            m *= 1.0003
        }
        var state: UInt32 = 12345
        for _ in 0..<100_000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            let x = Float(bitPattern: state)
            if x.isFinite && x >= lo && x <= hi { xs.append(x) }
        }
        for e in edges {
            var a = e, b = e
            for _ in 0..<64 { xs.append(a); xs.append(b); a = a.nextUp; b = b.nextDown }
        }
        return xs
    }

    /// Largest relative error over inputs whose reference result is a normal Float.
    func maxRelativeError(_ k: Kernel, _ ref: (Double) -> Double, _ xs: [Float],
                          file: StaticString = #filePath, line: UInt = #line) -> (Double, Float) {
        let ys = Self.apply(k, xs)
        var worst = 0.0, at: Float = 0
        for (x, y) in zip(xs, ys) {
            let r = ref(Double(x))
            guard abs(r) >= Double(Float.leastNormalMagnitude), abs(r) <= Double(Float.greatestFiniteMagnitude)
            else { continue }
            let e = abs(Double(y) - r) / abs(r)
            if !(e <= worst) { worst = e; at = x }   // NaN results count as infinitely wrong
            if e.isNaN { worst = .infinity }
        }
        return (worst, at)
    }

    // MARK: exp

    func testExpAccuracy() {
        let xs = Self.sweep(lo: -87.33, hi: 88.72, edges: [0, 1, -1, 0.346_573_6, -0.346_573_6, 88.376_26])
        let (e, at) = maxRelativeError(Self.expK, Self.expRef, xs)
        XCTAssertLessThanOrEqual(e, 2e-7, "exp worst at \(at)")
    }

    func testExpRangeEnds() {
        let big: [Float] = [88.722_84, 88.8, 89, 100, 1e10, .greatestFiniteMagnitude, .infinity]
        for y in Self.apply(Self.expK, big) { XCTAssertEqual(y, .greatestFiniteMagnitude) }
        // Just below the overflow threshold the result is still accurate (scaling by 2¹²⁸ works).
        let justBelow = Float(Foundation.log(Double(Float.greatestFiniteMagnitude))).nextDown
        let y = Self.apply(Self.expK, [justBelow])[0]
        XCTAssertEqual(Double(y), Foundation.exp(Double(justBelow)), accuracy: Double(y) * 2e-7)
        XCTAssertTrue(y.isFinite)
        // Results below the smallest normal Float are flushed to exactly 0.
        let small: [Float] = [-87.336_55, -88, -100, -1e10, -.greatestFiniteMagnitude, -.infinity]
        for y in Self.apply(Self.expK, small) { XCTAssertEqual(y, 0) }
        let lowest = Self.apply(Self.expK, [-87.336_54])[0]
        XCTAssertGreaterThanOrEqual(lowest, .leastNormalMagnitude)
        XCTAssertEqual(Self.apply(Self.expK, [0, -0.0, 1e-30, -1e-30, .leastNonzeroMagnitude]), [1, 1, 1, 1, 1])
    }

    func testExpNaN() {
        let ys = Self.apply(Self.expK, [.nan, 1, -.nan, .signalingNaN, 2, 3, 4, 5, .nan])
        for i in [0, 2, 3, 8] { XCTAssertTrue(ys[i].isNaN, "lane \(i)") }
        XCTAssertEqual(Double(ys[1]), M_E, accuracy: 3e-7)
    }

    // MARK: tanh

    func testTanhAccuracy() {
        // Includes the switch between the polynomial and the exp formula at 0.625, where the
        // cancellation in 1 − 2/(e^{2x}+1) is worst, and the saturation region.
        let xs = Self.sweep(lo: -20, hi: 20, edges: [0, 0.625, -0.625, 0.55, 9.01, -9.01, 10, -10])
        let (e, at) = maxRelativeError(Self.tanhK, Self.tanhRef, xs)
        XCTAssertLessThanOrEqual(e, 3e-7, "tanh worst at \(at)")
    }

    func testTanhTinyIsExact() {
        // tanh x = x to Float precision for |x| < 2⁻¹²; a cancelling formula would return 0 or junk.
        let xs: [Float] = [1e-4, -1e-4, 1e-10, -1e-20, 1e-38, .leastNormalMagnitude, .leastNonzeroMagnitude,
                           -.leastNonzeroMagnitude, 2.4e-4]
        let ys = Self.apply(Self.tanhK, xs)
        for (x, y) in zip(xs, ys) {
            XCTAssertEqual(Double(y), Foundation.tanh(Double(x)), accuracy: abs(Double(x)) * 1e-7, "x = \(x)")
        }
        let z = Self.apply(Self.tanhK, [0, -0.0])
        XCTAssertEqual(z[0].bitPattern, Float(0).bitPattern)
        XCTAssertEqual(z[1].bitPattern, Float(-0.0).bitPattern, "tanh(-0) keeps its sign")
    }

    func testTanhSaturatesAndNaN() {
        let xs: [Float] = [9.1, 10, 50, 1e30, .infinity, -9.1, -10, -50, -1e30, -.infinity, .nan, -.nan]
        let ys = Self.apply(Self.tanhK, xs)
        for i in 0..<5 { XCTAssertEqual(ys[i], 1, "x = \(xs[i])") }
        for i in 5..<10 { XCTAssertEqual(ys[i], -1, "x = \(xs[i])") }
        XCTAssertTrue(ys[10].isNaN && ys[11].isNaN)
        // Odd symmetry holds exactly.
        let grid = (0..<4001).map { Float($0 - 2000) * 0.005 }
        let up = Self.apply(Self.tanhK, grid), down = Self.apply(Self.tanhK, grid.map { -$0 })
        for i in grid.indices { XCTAssertEqual(up[i], -down[i]) }
    }

    // MARK: sigmoid

    func testSigmoidAccuracy() {
        // Large negative x is where 1/(1+e^{-x}) overflows and 1 − σ(−x) cancels.
        let xs = Self.sweep(lo: -87, hi: 40, edges: [0, -20, -80, 17, 16.64])
        let (e, at) = maxRelativeError(Self.sigmoidK, Self.sigmoidRef, xs)
        XCTAssertLessThanOrEqual(e, 3e-7, "sigmoid worst at \(at)")
    }

    func testSigmoidEnds() {
        let xs: [Float] = [-87.4, -100, -1e30, -.infinity, 18, 100, .infinity, 0, .nan]
        let ys = Self.apply(Self.sigmoidK, xs)
        for i in 0..<4 { XCTAssertEqual(ys[i], 0, "x = \(xs[i])") }
        for i in 4..<7 { XCTAssertEqual(ys[i], 1, "x = \(xs[i])") }
        XCTAssertEqual(ys[7], 0.5)
        XCTAssertTrue(ys[8].isNaN)
        // Relative accuracy deep in the left tail, not just absolute.
        let y = Self.apply(Self.sigmoidK, [-80])[0]
        XCTAssertEqual(Double(y) / Self.sigmoidRef(-80), 1, accuracy: 3e-7)
    }

    // MARK: buffer handling

    /// Counts that are not multiples of the SIMD width: results equal the same inputs processed in
    /// bulk (bit for bit) and nothing past the end is written.
    func testTailCounts() {
        let pool = (0..<64).map { Float($0) * 0.37 - 11 }
        for (name, k) in [("exp", Self.expK), ("tanh", Self.tanhK), ("sigmoid", Self.sigmoidK)] {
            let bulk = Self.apply(k, pool)
            for n in [0, 1, 7, 8, 9, 15, 16, 17, 33] {
                for offset in [0, 3] {
                    var ys = [Float](repeating: 12345, count: n + 4)
                    pool.withUnsafeBufferPointer { xp in
                        ys.withUnsafeMutableBufferPointer { yp in k(xp.baseAddress! + offset, yp.baseAddress!, n) }
                    }
                    for i in 0..<n {
                        XCTAssertEqual(ys[i].bitPattern, bulk[offset + i].bitPattern, "\(name) n=\(n) i=\(i)")
                    }
                    for i in n..<(n + 4) { XCTAssertEqual(ys[i], 12345, "\(name) wrote past n=\(n)") }
                }
            }
        }
    }

    func testInPlaceMatchesOutOfPlace() {
        let xs = (0..<1003).map { Float($0) * 0.05 - 25 }
        for (name, k) in [("exp", Self.expK), ("tanh", Self.tanhK), ("sigmoid", Self.sigmoidK)] {
            let expected = Self.apply(k, xs)
            var buf = xs
            buf.withUnsafeMutableBufferPointer { p in k(UnsafePointer(p.baseAddress!), p.baseAddress!, p.count) }
            XCTAssertEqual(buf.map(\.bitPattern), expected.map(\.bitPattern), name)
        }
    }

    func testScalarProtocolRoutesToKernels() {
        let m = Matrix<Float>(rows: 2, cols: 5, values: (0..<10).map { Float($0) - 4.5 })
        let t = Matrix<Float>(rows: 2, cols: 5)
        Float.tanh(m.data, t.data, count: m.count)
        XCTAssertEqual(t.toArray(), Self.apply(Self.tanhK, m.toArray()))
        Float.exp(m.data, t.data, count: m.count)
        XCTAssertEqual(t.toArray(), Self.apply(Self.expK, m.toArray()))
    }
}
