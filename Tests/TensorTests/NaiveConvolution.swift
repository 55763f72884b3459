import Tensor

/// Direct nested loops over every index, written from the definitions and independently of the
/// lowering: the reference side of the convolution and pooling tests. NHWC images, one sample after
/// another; weights indexed [out channel][ky][kx][in channel].
enum NaiveConv {
    static func pixel(_ s: ImageShape, _ n: Int, _ y: Int, _ x: Int, _ c: Int) -> Int {
        ((n * s.height + y) * s.width + x) * s.channels + c
    }

    static func weightIndex(_ g: ConvGeometry, _ co: Int, _ ky: Int, _ kx: Int, _ ci: Int) -> Int {
        co * g.patchSize + (ky * g.kernel + kx) * g.input.channels + ci
    }

    /// Calls body(input index, output index, weight index) for every tap that is not padding.
    static func forEachTap(_ g: ConvGeometry, batch: Int, _ body: (Int, Int, Int) -> Void) {
        for n in 0..<batch { for oy in 0..<g.output.height { for ox in 0..<g.output.width {
            for co in 0..<g.output.channels { for ky in 0..<g.kernel { for kx in 0..<g.kernel {
                let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                guard iy >= 0 && iy < g.input.height && ix >= 0 && ix < g.input.width else { continue }
                for ci in 0..<g.input.channels {
                    body(pixel(g.input, n, iy, ix, ci), pixel(g.output, n, oy, ox, co), weightIndex(g, co, ky, kx, ci))
                }
            } } }
        } } }
    }

    /// y[n, oy, ox, co] = Σ_{ky, kx, ci} x[n, oy·s − p + ky, ox·s − p + kx, ci] · W[co, ky, kx, ci].
    static func convolve(_ x: [Double], batch: Int, _ g: ConvGeometry, weight w: [Double]) -> [Double] {
        var y = [Double](repeating: 0, count: batch * g.output.count)
        forEachTap(g, batch: batch) { i, o, k in y[o] += x[i] * w[k] }
        return y
    }

    /// The transposed convolution: every output value sends y · W back to the taps it read.
    static func transposed(_ y: [Double], batch: Int, _ g: ConvGeometry, weight w: [Double]) -> [Double] {
        var x = [Double](repeating: 0, count: batch * g.input.count)
        forEachTap(g, batch: batch) { i, o, k in x[i] += y[o] * w[k] }
        return x
    }

    /// Max over each window's real pixels, row-major, first maximum kept; indices within the sample.
    static func maxPool(_ x: [Double], batch: Int, _ g: PoolGeometry) -> (values: [Double], indices: [Int]) {
        var values = [Double](), indices = [Int]()
        for n in 0..<batch { for oy in 0..<g.output.height { for ox in 0..<g.output.width {
            for c in 0..<g.input.channels {
                var best = -Double.infinity, at = -1
                for ky in 0..<g.window { for kx in 0..<g.window {
                    let iy = oy * g.stride - g.padding + ky, ix = ox * g.stride - g.padding + kx
                    guard iy >= 0 && iy < g.input.height && ix >= 0 && ix < g.input.width else { continue }
                    let i = pixel(g.input, n, iy, ix, c)
                    if x[i] > best { best = x[i]; at = i - n * g.input.count }
                } }
                values.append(best)
                indices.append(at)
            }
        } } }
        return (values, indices)
    }
}

/// A Matrix of seeded uniform values in [-1, 1].
func randomMatrix<T: Scalar>(_ rows: Int, _ cols: Int, seed: UInt64) -> Matrix<T> {
    var g = SeededGenerator(seed: seed)
    let m = Matrix<T>(rows: rows, cols: cols)
    fillUniform(m.ref, low: -1, high: 1, using: &g)
    return m
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}

/// (f(x + h) − f(x − h)) / 2h for x = `values[i]`, which is restored afterwards: one central
/// difference of a scalar function of stored numbers (parameters, inputs).
func centralDifference(_ values: UnsafeMutablePointer<Double>, _ i: Int, step h: Double = 1e-6,
                       _ f: () -> Double) -> Double {
    let keep = values[i]
    values[i] = keep + h
    let up = f()
    values[i] = keep - h
    let down = f()
    values[i] = keep
    return (up - down) / (2 * h)
}
