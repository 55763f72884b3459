/// The shape of one image as the engine stores it: height × width × channels with the channels
/// fastest (NHWC, the batch being the rows of a matrix).
///
/// Why NHWC and not PyTorch's NCHW: with samples as rows, a batch of images is a plain
/// B × (H·W·C) matrix, so "flatten" before a dense layer costs nothing, and the same storage seen as
/// (B·H·W) × C puts one pixel per row. Convolution then lowers to a single GEMM per chunk of samples
/// whose output *is* the next layer's NHWC input (no transposition), a per-channel bias is a row
/// vector added to every row (the dense layers' `addRow`), and pooling compares contiguous channel
/// runs.
public struct ImageShape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let height: Int
    public let width: Int
    public let channels: Int

    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// Pixels per channel.
    public var pixels: Int { height * width }
    /// Values per image: the width of a batch matrix.
    public var count: Int { height * width * channels }

    public var description: String { "\(height)×\(width)×\(channels)" }
}

/// A convolution or pooling geometry that cannot work, with what is wrong. Thrown at construction,
/// so a bad architecture fails before any buffer is allocated.
public struct GeometryError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// The image a k×k window sliding over `input` with stride s and padding p produces, with
/// `channels` channels: each side ⌊(n + 2p − k)/s⌋ + 1, as PyTorch computes it.
func slidingOutput(_ input: ImageShape, window k: Int, stride s: Int, padding p: Int, channels: Int) -> ImageShape {
    ImageShape(height: (input.height + 2 * p - k) / s + 1, width: (input.width + 2 * p - k) / s + 1,
               channels: channels)
}

/// Checks the parameters shared by convolution and pooling windows.
func checkWindow(input: ImageShape, window: Int, stride: Int, padding: Int, what: String) throws {
    guard input.height >= 1 && input.width >= 1 && input.channels >= 1 else {
        throw GeometryError("\(what): input \(input) must have every dimension ≥ 1")
    }
    guard window >= 1 else { throw GeometryError("\(what): kernel size \(window) must be ≥ 1") }
    guard stride >= 1 else { throw GeometryError("\(what): stride \(stride) must be ≥ 1") }
    guard padding >= 0 else { throw GeometryError("\(what): padding \(padding) must be ≥ 0") }
    guard min(input.height, input.width) + 2 * padding >= window else {
        throw GeometryError("\(what): kernel \(window)×\(window) is larger than the \(input) input "
                            + "padded by \(padding)")
    }
}

extension MatRef {
    /// A batch of images of `shape` (one sample per row) seen as one pixel per row: the
    /// (B·H·W) × C matrix on which a per-channel bias is an ordinary row vector.
    @inlinable public func pixelRows(_ shape: ImageShape) -> MatRef<T> {
        precondition(cols == shape.count, "a \(rows)×\(cols) batch does not hold \(shape) images")
        return MatRef(base: base, rows: rows * shape.pixels, cols: shape.channels)
    }
}
