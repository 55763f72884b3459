/// One convolutional layer h = s(conv(x) + b) on NHWC images, samples as rows [M20, E22]. The
/// weights are `outChannels × patchSize` (columns ordered ky, kx, input channel; see
/// `ConvGeometry`), the bias one value per output channel. The GEMM lowering and its workspace
/// live in `convolution`, sized once for `maxBatch`.
public final class ConvLayer<T: Scalar>: @unchecked Sendable {
    public let weight: Parameter<T>
    public let bias: Parameter<T>?
    public let activation: Activation
    public let convolution: Convolution<T>

    public var geometry: ConvGeometry { convolution.geometry }
    public var parameters: [Parameter<T>] { [weight] + (bias.map { [$0] } ?? []) }

    public init(name: String, geometry: ConvGeometry, activation: Activation, hasBias: Bool = true,
                maxBatch: Int, initialization: InitKind, using g: inout SeededGenerator) {
        weight = Parameter(name: "\(name).weight", rows: geometry.output.channels, cols: geometry.patchSize)
        bias = hasBias ? Parameter(name: "\(name).bias", rows: 1, cols: geometry.output.channels) : nil
        self.activation = activation
        convolution = Convolution(geometry, maxBatch: maxBatch)
        let k2 = geometry.kernel * geometry.kernel
        Initialization.fill(weight.value, initialization,
                            fans: (geometry.input.channels * k2, geometry.output.channels * k2), using: &g)
    }

    /// a ← conv(x) + b, h ← s(a); x is B × input.count, a and h are B × output.count.
    public func forward(_ x: MatRef<T>, a: MatRef<T>, h: MatRef<T>) {
        convolution.forward(x, weight: weight.value.ref, into: a)
        let output = geometry.output
        activation.apply(a.pixelRows(output), bias: bias?.value.ref, into: h.pixelRows(output))
    }

    /// Gradients from δ = ∂L/∂a: ∇W = α δᵀ im2col(x), ∇b = α Σ δ per channel, replacing the stored
    /// gradients or adding to them when `accumulate`, or written to `into` — the contract of `DenseLayer`.
    public func accumulateGradients(delta: MatRef<T>, input x: MatRef<T>, scale alpha: T, accumulate: Bool = false,
                                    into grads: ParameterGradients<T>? = nil) {
        let grads = grads ?? ParameterGradients(weight: weight.grad.ref, bias: bias?.grad.ref)
        convolution.weightGradient(outputGradient: delta, input: x, into: grads.weight, scale: alpha,
                                   accumulate: accumulate)
        if let b = grads.bias {
            convolution.channelSums(delta, shape: geometry.output, into: b, scale: alpha, accumulate: accumulate)
        }
    }

    /// ∂L/∂x ← convᵀ(δ): the transposed convolution with this layer's weights.
    public func inputGradient(delta: MatRef<T>, into dx: MatRef<T>) {
        convolution.transposed(delta, weight: weight.value.ref, into: dx)
    }
}
