/// Max-pooling of a batch of NHWC images that remembers where each maximum came from, and the
/// unpooling that sends values back through those positions.
///
/// `forward` records, per output value, the index of its argmax within its sample's input (an
/// offset into the H·W·C values, so indices do not depend on the sample's place in the batch; ties
/// keep the first tap in row-major window order, and NaN wins, as in PyTorch; of several NaNs the
/// first, where PyTorch keeps the last). `unpool` is the
/// adjoint of the selection x ↦ (x[argmax])ₒ for those fixed indices: it zeroes its output and adds
/// each value at its index. It is both the backward pass of the pooling and the unpooling of a
/// conv block's feedback path [E22] (PyTorch's MaxUnpool2d for non-overlapping windows; where windows
/// overlap, as in [M20]'s 3/2/1, a pixel that is the maximum of two windows receives the sum).
public final class MaxPool<T: Scalar>: @unchecked Sendable {
    public let geometry: PoolGeometry
    public let maxBatch: Int
    /// `maxBatch × output.count` argmax offsets of the last `forward`.
    public let indices: UnsafeMutablePointer<Int32>

    public init(_ geometry: PoolGeometry, maxBatch: Int) {
        precondition(maxBatch >= 1, "maxBatch \(maxBatch) must be ≥ 1")
        precondition(geometry.input.count <= Int(Int32.max), "\(geometry.input) images are too large for Int32 indices")
        self.geometry = geometry
        self.maxBatch = maxBatch
        indices = .allocate(capacity: maxBatch * geometry.output.count)
        indices.initialize(repeating: 0, count: maxBatch * geometry.output.count)
    }

    deinit { indices.deallocate() }

    /// y ← maxpool(x), keeping the argmax indices for `unpool`.
    @inlinable public func forward(_ x: MatRef<T>, into y: MatRef<T>) {
        let g = geometry
        check(x, g.input, "input")
        check(y, g.output, "output", rows: x.rows)
        let (h, w, c) = (g.input.height, g.input.width, g.input.channels)
        let (oh, ow) = (g.output.height, g.output.width)
        let (k, s, p) = (g.window, g.stride, g.padding)
        for n in 0..<x.rows {
            let image = UnsafePointer(x.base + n * g.input.count)
            for oy in 0..<oh {
                let rows = max(0, oy * s - p)..<min(h, oy * s - p + k)
                for ox in 0..<ow {
                    let window = PoolWindow(rows: rows, columns: max(0, ox * s - p)..<min(w, ox * s - p + k),
                                            width: w, channels: c)
                    let at = n * g.output.count + (oy * ow + ox) * c
                    T.poolWindow(image, window, into: y.base + at, indices: indices + at)
                }
            }
        }
    }

    /// x ← 0, then x[argmax(o)] += y[o] for every output o of the last `forward` (same batch size):
    /// the gradient of the pooling for an output gradient y, and the unpooling of y.
    @inlinable public func unpool(_ y: MatRef<T>, into x: MatRef<T>) {
        let g = geometry
        check(y, g.output, "output")
        check(x, g.input, "input", rows: y.rows)
        fill(x, 0)
        for n in 0..<y.rows {
            let (image, values, index) = (x.base + n * g.input.count, y.base + n * g.output.count,
                                          indices + n * g.output.count)
            for o in 0..<g.output.count { image[Int(index[o])] += values[o] }
        }
    }

    @usableFromInline func check(_ m: MatRef<T>, _ shape: ImageShape, _ what: String, rows: Int? = nil) {
        precondition(m.rows <= maxBatch, "batch of \(m.rows) in a max-pooling built for \(maxBatch)")
        precondition(m.cols == shape.count && (rows == nil || m.rows == rows),
                     "max-pooling \(what): \(m.rows)×\(m.cols) matrix, expected rows of \(shape) = \(shape.count)"
                     + (rows.map { " and \($0) rows" } ?? ""))
    }
}
