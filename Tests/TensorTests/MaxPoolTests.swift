import XCTest
import Tensor

final class MaxPoolTests: XCTestCase {
    /// [M20]'s overlapping 3/2/1 (even and odd sides), [E22]'s 2/2/0, a window that does not tile;
    /// channel counts below, at and above the eight lanes of the vector path, with a remainder.
    static let geometries: [PoolGeometry] = [
        try! PoolGeometry(input: ImageShape(height: 7, width: 8, channels: 19), window: 3, stride: 2, padding: 1),
        try! PoolGeometry(input: ImageShape(height: 6, width: 4, channels: 16), window: 2),
        try! PoolGeometry(input: ImageShape(height: 5, width: 5, channels: 8), window: 3, stride: 3),
        try! PoolGeometry(input: ImageShape(height: 8, width: 8, channels: 3), window: 3, stride: 2, padding: 1),
        try! PoolGeometry(input: ImageShape(height: 7, width: 5, channels: 2), window: 3, stride: 2, padding: 1),
        try! PoolGeometry(input: ImageShape(height: 6, width: 6, channels: 4), window: 2),
        try! PoolGeometry(input: ImageShape(height: 7, width: 6, channels: 1), window: 3, stride: 3),
    ]

    /// In Float64 (the portable kernel) and Float32 (its own vector kernel), against direct loops.
    func testForwardMatchesDirectLoops() {
        func check<T: Scalar>(_: T.Type) {
            for (i, g) in Self.geometries.enumerated() {
                let pool = MaxPool<T>(g, maxBatch: 4)
                let x: Matrix<T> = randomMatrix(4, g.input.count, seed: 20)
                let y = Matrix<T>(rows: 4, cols: g.output.count)
                pool.forward(x.ref, into: y.ref)
                let expected = NaiveConv.maxPool(x.toArray().map { Double($0) }, batch: 4, g)
                XCTAssertEqual(y.toArray().map { Double($0) }, expected.values, "\(T.dtypeName), geometry \(i)")
                XCTAssertEqual((0..<(4 * g.output.count)).map { Int(pool.indices[$0]) }, expected.indices,
                               "\(T.dtypeName), geometry \(i)")
            }
        }
        check(Double.self)
        check(Float.self)
    }

    /// Ties keep the first tap of the window and NaN wins wherever it is, as in PyTorch.
    func testTiesKeepTheFirstTapAndNaNWins() throws {
        let g = try PoolGeometry(input: ImageShape(height: 2, width: 2, channels: 1), window: 2)
        let pool = MaxPool<Float>(g, maxBatch: 3)
        let x = Matrix<Float>(rows: 3, cols: 4, values: [1, 5, 5, 5, 1, .nan, 3, 2, .nan, 4, 9, 0])
        let y = Matrix<Float>(rows: 3, cols: 1)
        pool.forward(x.ref, into: y.ref)
        XCTAssertEqual(y[0, 0], 5)
        XCTAssertTrue(y[1, 0].isNaN && y[2, 0].isNaN)
        XCTAssertEqual((0..<3).map { pool.indices[$0] }, [1, 1, 0])

        // The same three windows side by side in 11 channels (channel ch has pattern ch mod 3), so
        // the eight-lane path and the remainder decide them too.
        let patterns: [[Float]] = [[1, 5, 5, 5], [1, .nan, 3, 2], [.nan, 4, 9, 0]]
        let wide = MaxPool<Float>(try PoolGeometry(input: ImageShape(height: 2, width: 2, channels: 11), window: 2),
                                  maxBatch: 1)
        let image = Matrix<Float>(rows: 1, cols: 44, values: (0..<44).map { patterns[$0 % 11 % 3][$0 / 11] })
        let pooled = Matrix<Float>(rows: 1, cols: 11)
        wide.forward(image.ref, into: pooled.ref)
        for ch in 0..<11 {
            XCTAssertEqual(Int(wide.indices[ch]), [1, 1, 0][ch % 3] * 11 + ch, "channel \(ch)")
            XCTAssertTrue(ch % 3 == 0 ? pooled[0, ch] == 5 : pooled[0, ch].isNaN, "channel \(ch)")
        }
    }

    /// The indices point at the maxima; unpooling puts each maximum back there and zeroes the rest;
    /// on windows that tile and positive inputs, pooling the unpooled map gives back values and indices.
    func testUnpoolRoundTripsThroughTheIndices() {
        for (i, g) in Self.geometries.enumerated() {
            let pool = MaxPool<Double>(g, maxBatch: 3)
            var rng = SeededGenerator(seed: 21)
            let x = Matrix<Double>(rows: 3, cols: g.input.count)
            fillUniform(x.ref, low: 0.1, high: 1, using: &rng)
            let y = Matrix<Double>(rows: 3, cols: g.output.count)
            pool.forward(x.ref, into: y.ref)
            let indices = (0..<(3 * g.output.count)).map { Int(pool.indices[$0]) }
            for n in 0..<3 {
                for o in 0..<g.output.count {
                    XCTAssertEqual(x[n, indices[n * g.output.count + o]], y[n, o], "geometry \(i)")
                }
            }
            let unpooled = Matrix<Double>(rows: 3, cols: g.input.count)
            pool.unpool(y.ref, into: unpooled.ref)
            let chosen = Set((0..<3).flatMap { n in (0..<g.output.count).map { n * g.input.count + indices[n * g.output.count + $0] } })
            for j in 0..<unpooled.count {
                if !chosen.contains(j) { XCTAssertEqual(unpooled.data[j], 0, "geometry \(i): unchosen pixel \(j)") }
                else if g.stride >= g.window { XCTAssertEqual(unpooled.data[j], x.data[j], "geometry \(i): pixel \(j)") }
            }
            if g.stride >= g.window && g.padding == 0 {
                let again = Matrix<Double>(rows: 3, cols: g.output.count)
                pool.forward(unpooled.ref, into: again.ref)
                XCTAssertEqual(again.toArray(), y.toArray(), "geometry \(i)")
                XCTAssertEqual((0..<(3 * g.output.count)).map { Int(pool.indices[$0]) }, indices, "geometry \(i)")
            }
        }
    }

    /// For fixed indices, unpooling is the adjoint of the selection: ⟨pool(x), y⟩ = ⟨x, unpool(y)⟩.
    func testUnpoolIsTheAdjointOfTheSelection() {
        for (i, g) in Self.geometries.enumerated() {
            let pool = MaxPool<Double>(g, maxBatch: 3)
            let x: Matrix<Double> = randomMatrix(3, g.input.count, seed: 22)
            let r: Matrix<Double> = randomMatrix(3, g.output.count, seed: 23)
            let y = Matrix<Double>(rows: 3, cols: g.output.count), u = Matrix<Double>(rows: 3, cols: g.input.count)
            pool.forward(x.ref, into: y.ref)
            pool.unpool(r.ref, into: u.ref)
            XCTAssertEqual(dot(y.ref, r.ref), dot(x.ref, u.ref), accuracy: 1e-13, "geometry \(i)")
        }
    }

    /// L = Σ r ⊙ pool(x)²/2: unpool(r ⊙ pool(x)) against central differences (random inputs: no ties).
    func testUnpoolIsTheGradient() {
        for (i, g) in Self.geometries.enumerated() {
            let pool = MaxPool<Double>(g, maxBatch: 2)
            let x: Matrix<Double> = randomMatrix(2, g.input.count, seed: 24)
            let r: Matrix<Double> = randomMatrix(2, g.output.count, seed: 25)
            let y = Matrix<Double>(rows: 2, cols: g.output.count), gx = Matrix<Double>(rows: 2, cols: g.input.count)
            func loss() -> Double {
                pool.forward(x.ref, into: y.ref)
                return (0..<y.count).reduce(0) { $0 + 0.5 * r.data[$1] * y.data[$1] * y.data[$1] }
            }
            _ = loss()
            let dy = y.copy()
            multiply(dy.ref, by: r.ref)
            pool.unpool(dy.ref, into: gx.ref)
            for j in 0..<x.count {
                XCTAssertEqual(gx.data[j], centralDifference(x.data, j, step: 1e-7, loss), accuracy: 1e-7,
                               "geometry \(i), ∂L/∂x[\(j)]")
            }
        }
    }

    func testImpossibleGeometriesAreClearErrors() {
        let shape = ImageShape(height: 4, width: 4, channels: 2)
        XCTAssertThrowsError(try PoolGeometry(input: shape, window: 2, padding: 2)) {
            XCTAssertEqual(($0 as? GeometryError)?.description, "max-pooling: padding 2 must be at most half the window 2")
        }
        XCTAssertThrowsError(try PoolGeometry(input: shape, window: 5)) {
            XCTAssertEqual(($0 as? GeometryError)?.description,
                           "max-pooling: kernel 5×5 is larger than the 4×4×2 input padded by 0")
        }
    }
}
