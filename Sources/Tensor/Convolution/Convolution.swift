/// A 2-D convolution of a batch of NHWC images (samples are rows), lowered to GEMM: with X the
/// lowered input (one receptive field per row, `im2col`) and W the `outChannels × patchSize`
/// weights, the output is Y = X Wᵀ — the dense layers' own product, one pixel per row.
///
/// The batch is lowered a chunk of samples at a time into one preallocated workspace: the lowered
/// input of a whole batch is `patchSize` times larger than the image (25× for a 5×5 kernel on 32
/// channels, 105 MB for the second [M20] CIFAR layer at batch 128), while a chunk of a few MB keeps
/// the GEMM's operand warm in cache and still gives it hundreds to thousands of rows. Nothing is
/// allocated after `init`.
///
/// The three products a layer needs, each a linear map of its first argument:
/// - `forward`: y = conv(x) (no bias; see `addRow` on `pixelRows` and `channelSums`);
/// - `transposed`: x = convᵀ(y), the adjoint, i.e. the transposed convolution ("deconvolution")
///   and the input gradient of `forward`; it lowers y·W and scatters it back with `col2imAdd`;
/// - `weightGradient`: ∇W = dyᵀ · im2col(x), the gradient of ⟨dy, conv(x)⟩ with respect to W —
///   also the weight gradient of a transposed convolution with input dy and output gradient x.
public final class Convolution<T: Scalar>: @unchecked Sendable {
    public let geometry: ConvGeometry
    public let maxBatch: Int
    /// Samples lowered per GEMM.
    public let chunk: Int
    /// `chunk · Ho·Wo × patchSize` lowered values.
    @usableFromInline let workspace: Matrix<T>
    /// Ones for per-channel sums as matrix–vector products, one per pixel of a chunk.
    @usableFromInline let ones: Matrix<T>

    /// Lowered values per chunk when `chunk` is not given: 2²⁰ (4 MB in Float32). Lowering a whole
    /// batch of 128 at once measured 20–30 % slower than chunks of 1–10 samples, which measured alike
    /// within the noise of a shared machine (docs/benchmarks.md; `tpsweep bench --conv --chunks`).
    public static var defaultWorkspaceElements: Int { 1 << 20 }

    public init(_ geometry: ConvGeometry, maxBatch: Int, chunk: Int? = nil) {
        precondition(maxBatch >= 1, "maxBatch \(maxBatch) must be ≥ 1")
        let perSample = geometry.output.pixels * geometry.patchSize
        let chunk = chunk ?? max(1, min(maxBatch, Self.defaultWorkspaceElements / perSample))
        precondition(chunk >= 1 && chunk <= maxBatch, "chunk \(chunk) outside 1...\(maxBatch)")
        self.geometry = geometry
        self.maxBatch = maxBatch
        self.chunk = chunk
        workspace = Matrix(rows: chunk * geometry.output.pixels, cols: geometry.patchSize)
        ones = Matrix(rows: 1, cols: chunk * max(geometry.input.pixels, geometry.output.pixels))
        fill(ones.ref, 1)
    }

    /// y ← conv(x): x is B × input.count, y is B × output.count, W is outChannels × patchSize.
    @inlinable public func forward(_ x: MatRef<T>, weight: MatRef<T>, into y: MatRef<T>) {
        let g = geometry
        check(x, g.input, "input")
        check(y, g.output, "output", rows: x.rows)
        checkWeight(weight)
        forEachChunk(x.rows) { start, n in
            im2col(g, images: x.base + start * g.input.count, samples: n, into: workspace.data)
            gemm(y.rows(start, n).pixelRows(g.output), lowered(n), weight, transB: true)
        }
    }

    /// x ← convᵀ(y), the adjoint of `forward`: the input gradient for an output gradient y, and the
    /// transposed convolution that maps a conv block's output back to its input's shape.
    @inlinable public func transposed(_ y: MatRef<T>, weight: MatRef<T>, into x: MatRef<T>) {
        let g = geometry
        check(y, g.output, "output")
        check(x, g.input, "input", rows: y.rows)
        checkWeight(weight)
        forEachChunk(y.rows) { start, n in
            gemm(lowered(n), y.rows(start, n).pixelRows(g.output), weight)
            let images = x.base + start * g.input.count
            images.update(repeating: 0, count: n * g.input.count)
            col2imAdd(g, columns: workspace.data, samples: n, into: images)
        }
    }

    /// ∇W ← α·dyᵀ·im2col(x), or ∇W + α·dyᵀ·im2col(x) when `accumulate`.
    @inlinable public func weightGradient(outputGradient dy: MatRef<T>, input x: MatRef<T>, into gradient: MatRef<T>,
                               scale alpha: T = 1, accumulate: Bool = false) {
        let g = geometry
        check(x, g.input, "input")
        check(dy, g.output, "output gradient", rows: x.rows)
        checkWeight(gradient)
        if x.rows == 0 && !accumulate { fill(gradient, 0) }
        forEachChunk(x.rows) { start, n in
            im2col(g, images: x.base + start * g.input.count, samples: n, into: workspace.data)
            gemm(gradient, dy.rows(start, n).pixelRows(g.output), transA: true, lowered(n),
                 alpha: alpha, beta: accumulate || start > 0 ? 1 : 0)
        }
    }

    /// b ← α·Σ over pixels and samples of x, per channel (+ b when `accumulate`): the bias gradient
    /// of this convolution (x = dy, `shape` = output) or of its transpose (x = dz, `shape` = input).
    @inlinable public func channelSums(_ x: MatRef<T>, shape: ImageShape, into b: MatRef<T>,
                            scale alpha: T = 1, accumulate: Bool = false) {
        precondition(shape == geometry.input || shape == geometry.output,
                     "channelSums of \(shape) images in a \(geometry.input) → \(geometry.output) convolution")
        precondition(b.count == shape.channels, "\(b.count) bias values for \(shape.channels) channels")
        if x.rows == 0 && !accumulate { fill(b, 0) }
        forEachChunk(x.rows) { start, n in
            sumRows(x.rows(start, n).pixelRows(shape), into: b, ones: ones.ref,
                    alpha: alpha, beta: accumulate || start > 0 ? 1 : 0)
        }
    }

    /// The workspace as the lowered matrix of `samples` samples.
    @inlinable func lowered(_ samples: Int) -> MatRef<T> {
        workspace.view(rows: samples * geometry.output.pixels, cols: geometry.patchSize)
    }

    @inlinable func forEachChunk(_ batch: Int, _ body: (_ start: Int, _ samples: Int) -> Void) {
        precondition(batch <= maxBatch, "batch of \(batch) in a convolution built for \(maxBatch)")
        var start = 0
        while start < batch {
            let n = min(chunk, batch - start)
            body(start, n)
            start += n
        }
    }

    @usableFromInline func check(_ m: MatRef<T>, _ shape: ImageShape, _ what: String, rows: Int? = nil) {
        precondition(m.cols == shape.count && (rows == nil || m.rows == rows),
                     "convolution \(what): \(m.rows)×\(m.cols) matrix, expected rows of \(shape) = \(shape.count)"
                     + (rows.map { " and \($0) rows" } ?? ""))
    }

    @usableFromInline func checkWeight(_ w: MatRef<T>) {
        precondition(w.rows == geometry.output.channels && w.cols == geometry.patchSize,
                     "convolution weight: \(w.rows)×\(w.cols), expected \(geometry.output.channels)×\(geometry.patchSize)")
    }
}
