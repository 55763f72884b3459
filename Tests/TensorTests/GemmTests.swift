import XCTest
import Tensor

final class GemmTests: XCTestCase {
    /// Every transpose combination against a direct triple loop.
    func testGemmMatchesLoops() {
        var rng = SystemRandomNumberGenerator()
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let (m, n, k) = (5, 7, 3)
            let a = Matrix<Double>(rows: ta ? k : m, cols: ta ? m : k,
                                   values: (0..<(m * k)).map { _ in Double.random(in: -1...1, using: &rng) })
            let b = Matrix<Double>(rows: tb ? n : k, cols: tb ? k : n,
                                   values: (0..<(n * k)).map { _ in Double.random(in: -1...1, using: &rng) })
            let c = Matrix<Double>(rows: m, cols: n, values: (0..<(m * n)).map { Double($0) })
            let c0 = c.copy()
            gemm(c.ref, a.ref, transA: ta, b.ref, transB: tb, alpha: 0.5, beta: 2)
            for i in 0..<m {
                for j in 0..<n {
                    var s = 0.0
                    for l in 0..<k { s += (ta ? a[l, i] : a[i, l]) * (tb ? b[j, l] : b[l, j]) }
                    XCTAssertEqual(c[i, j], 0.5 * s + 2 * c0[i, j], accuracy: 1e-12, "trans \(ta) \(tb)")
                }
            }
        }
    }

    func testSumRowsIsColumnSum() {
        let a = Matrix<Float>(rows: 3, cols: 2, values: [1, 2, 3, 4, 5, 6])
        let ones = Matrix<Float>(rows: 1, cols: 3, values: [1, 1, 1])
        let y = Matrix<Float>(rows: 1, cols: 2)
        sumRows(a.ref, into: y.ref, ones: ones.ref)
        XCTAssertEqual(y.toArray(), [9, 12])
    }
}
