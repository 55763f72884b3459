import XCTest
import Tensor

final class ConvolutionTests: XCTestCase {
    /// Padding wider and narrower than the kernel's half, strides that skip pixels and that leave a
    /// border unread, non-square images, a single output pixel, one and several channels.
    static let geometries: [ConvGeometry] = [
        try! ConvGeometry(input: ImageShape(height: 5, width: 6, channels: 3), outChannels: 4, kernel: 3, padding: 1),
        try! ConvGeometry(input: ImageShape(height: 7, width: 7, channels: 2), outChannels: 3, kernel: 3, stride: 2),
        try! ConvGeometry(input: ImageShape(height: 8, width: 5, channels: 3), outChannels: 2, kernel: 5, stride: 2, padding: 2),
        try! ConvGeometry(input: ImageShape(height: 4, width: 4, channels: 1), outChannels: 1, kernel: 4),
        try! ConvGeometry(input: ImageShape(height: 6, width: 6, channels: 2), outChannels: 3, kernel: 2, stride: 3, padding: 1),
        try! ConvGeometry(input: ImageShape(height: 3, width: 3, channels: 2), outChannels: 2, kernel: 3, padding: 2),
    ]

    /// Batches of 5 lowered two samples at a time (a short last chunk) and all at once.
    func testForwardMatchesDirectLoops() {
        for (i, g) in Self.geometries.enumerated() {
            for chunk in [2, 5] {
                let conv = Convolution<Double>(g, maxBatch: 5, chunk: chunk)
                let x: Matrix<Double> = randomMatrix(5, g.input.count, seed: 1)
                let w: Matrix<Double> = randomMatrix(g.output.channels, g.patchSize, seed: 2)
                let y = Matrix<Double>(rows: 5, cols: g.output.count)
                conv.forward(x.ref, weight: w.ref, into: y.ref)
                let expected = NaiveConv.convolve(x.toArray(), batch: 5, g, weight: w.toArray())
                XCTAssertLessThan(maxAbsDifference(y.toArray(), expected), 1e-12, "geometry \(i), chunk \(chunk)")
            }
        }
    }

    func testTransposedMatchesDirectLoops() {
        for (i, g) in Self.geometries.enumerated() {
            for chunk in [2, 5] {
                let conv = Convolution<Double>(g, maxBatch: 5, chunk: chunk)
                let y: Matrix<Double> = randomMatrix(5, g.output.count, seed: 3)
                let w: Matrix<Double> = randomMatrix(g.output.channels, g.patchSize, seed: 4)
                let x = Matrix<Double>(rows: 5, cols: g.input.count)
                fill(x.ref, 7)  // stale values must not survive
                conv.transposed(y.ref, weight: w.ref, into: x.ref)
                let expected = NaiveConv.transposed(y.toArray(), batch: 5, g, weight: w.toArray())
                XCTAssertLessThan(maxAbsDifference(x.toArray(), expected), 1e-12, "geometry \(i), chunk \(chunk)")
            }
        }
    }

    /// ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩: the transposed convolution is the adjoint, to rounding.
    func testTransposedIsTheAdjoint() {
        for (i, g) in Self.geometries.enumerated() {
            let conv = Convolution<Double>(g, maxBatch: 4, chunk: 3)
            let x: Matrix<Double> = randomMatrix(4, g.input.count, seed: 5)
            let y: Matrix<Double> = randomMatrix(4, g.output.count, seed: 6)
            let w: Matrix<Double> = randomMatrix(g.output.channels, g.patchSize, seed: 7)
            let cx = Matrix<Double>(rows: 4, cols: g.output.count), ty = Matrix<Double>(rows: 4, cols: g.input.count)
            conv.forward(x.ref, weight: w.ref, into: cx.ref)
            conv.transposed(y.ref, weight: w.ref, into: ty.ref)
            let (lhs, rhs) = (dot(cx.ref, y.ref), dot(x.ref, ty.ref))
            XCTAssertEqual(lhs, rhs, accuracy: 1e-13 * max(1, abs(lhs)), "geometry \(i)")
        }
    }

    /// L = ½‖conv(x) + b‖²: ∂L/∂W, ∂L/∂b and ∂L/∂x from the kernels against central differences.
    func testGradientsMatchFiniteDifferences() {
        for (i, g) in Self.geometries.enumerated() {
            let batch = 3
            let conv = Convolution<Double>(g, maxBatch: batch, chunk: 2)
            let x: Matrix<Double> = randomMatrix(batch, g.input.count, seed: 8)
            let w: Matrix<Double> = randomMatrix(g.output.channels, g.patchSize, seed: 9)
            let b: Matrix<Double> = randomMatrix(1, g.output.channels, seed: 10)
            let y = Matrix<Double>(rows: batch, cols: g.output.count)
            func loss() -> Double {
                conv.forward(x.ref, weight: w.ref, into: y.ref)
                addRow(b.ref, to: y.ref.pixelRows(g.output))
                return 0.5 * sumOfSquares(y.ref)
            }
            _ = loss()
            let dy = y.copy()  // ∂L/∂y = y
            let gw = Matrix<Double>(rows: w.rows, cols: w.cols), gb = Matrix<Double>(rows: 1, cols: b.cols)
            let gx = Matrix<Double>(rows: batch, cols: g.input.count)
            conv.weightGradient(outputGradient: dy.ref, input: x.ref, into: gw.ref)
            conv.channelSums(dy.ref, shape: g.output, into: gb.ref)
            conv.transposed(dy.ref, weight: w.ref, into: gx.ref)
            for (name, m, grad) in [("W", w, gw), ("b", b, gb), ("x", x, gx)] {
                for j in 0..<m.count {
                    let numeric = centralDifference(m.data, j, loss)
                    XCTAssertEqual(grad.data[j], numeric, accuracy: 1e-6 * max(1, abs(numeric)),
                                   "geometry \(i), ∂L/∂\(name)[\(j)]")
                }
            }
        }
    }

    /// `scale` and `accumulate` compose: two half-scaled accumulated passes give the full gradient.
    func testWeightGradientScalesAndAccumulates() {
        let g = Self.geometries[2]
        let conv = Convolution<Double>(g, maxBatch: 4, chunk: 3)
        let x: Matrix<Double> = randomMatrix(4, g.input.count, seed: 11)
        let dy: Matrix<Double> = randomMatrix(4, g.output.count, seed: 12)
        let full = Matrix<Double>(rows: g.output.channels, cols: g.patchSize)
        let halves = Matrix<Double>(rows: g.output.channels, cols: g.patchSize)
        fill(halves.ref, 99)
        conv.weightGradient(outputGradient: dy.ref, input: x.ref, into: full.ref)
        conv.weightGradient(outputGradient: dy.ref, input: x.ref, into: halves.ref, scale: 0.5)
        conv.weightGradient(outputGradient: dy.ref, input: x.ref, into: halves.ref, scale: 0.5, accumulate: true)
        XCTAssertLessThan(maxAbsDifference(full.toArray(), halves.toArray()), 1e-12)
    }

    /// Float32 agrees with the Float64 reference to single-precision rounding.
    func testFloatMatchesDouble() {
        let g = Self.geometries[0]
        let conv = Convolution<Float>(g, maxBatch: 3)
        let x: Matrix<Float> = randomMatrix(3, g.input.count, seed: 13)
        let w: Matrix<Float> = randomMatrix(g.output.channels, g.patchSize, seed: 14)
        let y = Matrix<Float>(rows: 3, cols: g.output.count)
        conv.forward(x.ref, weight: w.ref, into: y.ref)
        let expected = NaiveConv.convolve(x.toArray().map(Double.init), batch: 3, g, weight: w.toArray().map(Double.init))
        XCTAssertLessThan(maxAbsDifference(y.toArray().map(Double.init), expected), 1e-5)
    }

    func testImpossibleGeometriesAreClearErrors() {
        let small = ImageShape(height: 4, width: 6, channels: 3)
        let cases: [(() throws -> ConvGeometry, String)] = [
            ({ try ConvGeometry(input: small, outChannels: 2, kernel: 5) },
             "convolution: kernel 5×5 is larger than the 4×6×3 input padded by 0"),
            ({ try ConvGeometry(input: small, outChannels: 2, kernel: 3, stride: 0) }, "convolution: stride 0 must be ≥ 1"),
            ({ try ConvGeometry(input: small, outChannels: 0, kernel: 3) }, "convolution: output channels 0 must be ≥ 1"),
            ({ try ConvGeometry(input: small, outChannels: 1, kernel: 3, padding: -1) }, "convolution: padding -1 must be ≥ 0"),
        ]
        for (make, message) in cases {
            XCTAssertThrowsError(try make()) { XCTAssertEqual(($0 as? GeometryError)?.description, message) }
        }
    }

    /// The shapes of [M20]'s CIFAR CNN: 32×32×3 → 32×32×32 and 16×16×32 → 16×16×64.
    func testOutputShapes() throws {
        let first = try ConvGeometry(input: ImageShape(height: 32, width: 32, channels: 3), outChannels: 32, kernel: 5, padding: 2)
        XCTAssertEqual(first.output, ImageShape(height: 32, width: 32, channels: 32))
        XCTAssertEqual(first.patchSize, 75)
        let pool = try PoolGeometry(input: first.output, window: 3, stride: 2, padding: 1)
        XCTAssertEqual(pool.output, ImageShape(height: 16, width: 16, channels: 32))
    }
}
