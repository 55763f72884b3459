/// A 2-D convolution's shapes: a square `kernel`, the same `stride` and zero `padding` on both axes
/// (every architecture of [M20] and [E22] is of this form).
///
/// Weights are a `outChannels × patchSize` matrix whose columns run over (ky, kx, input channel),
/// channel fastest: the order of a patch in the NHWC input, so that lowering copies runs of
/// `kernel · input.channels` contiguous values. (PyTorch orders a filter (channel, ky, kx).)
public struct ConvGeometry: Equatable, Hashable, Sendable {
    public let input: ImageShape
    public let output: ImageShape
    public let kernel: Int
    public let stride: Int
    public let padding: Int

    public init(input: ImageShape, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int = 0) throws {
        try checkWindow(input: input, window: kernel, stride: stride, padding: padding, what: "convolution")
        guard outChannels >= 1 else {
            throw GeometryError("convolution: output channels \(outChannels) must be ≥ 1")
        }
        self.input = input
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        output = slidingOutput(input, window: kernel, stride: stride, padding: padding, channels: outChannels)
    }

    /// Values in one receptive field: the columns of the weight matrix and of the lowered input.
    public var patchSize: Int { kernel * kernel * input.channels }

    /// Multiply–adds of one sample's forward pass, times two: the FLOPs of its GEMM.
    public var flopsPerSample: Int { 2 * output.count * patchSize }
}
