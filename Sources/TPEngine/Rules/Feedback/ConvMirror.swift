/// The feedback of a conv block [E22]: the block's mirror, built from its geometry.
/// g(y) = s_fb(convᵀ_Q(unpool(y)) + d): unpool through the argmax indices of the network's own
/// forward pass (`trace`, nil when the block does not pool), a transposed convolution with its own
/// weights Q of the block's kernel geometry (`outChannels × patchSize`, as the block's W) and one
/// bias per input channel, then the feedback activation. With an `inputActivation` s (the
/// `activation-first` order, as E22's code inverts a block), g(y) = convᵀ_Q(s(unpool(y))) + d and
/// `activation` is linear. The unpooling is linear for fixed indices, so the map is as smooth as a
/// dense feedback map and L-DRL can drive J_g towards J_fᵀ.
///
/// The mirror takes a batch of at most `maxBatch` rows per call: the indices are per sample of
/// that batch. Its convolution workspace and the unpooled scratch are allocated once.
final class ConvMirror<T: Scalar> {
    let weight: Parameter<T>
    let bias: Parameter<T>
    let activation: Activation
    let convolution: Convolution<T>
    /// The mirrored block's pooling trace in the network: where its maxima came from.
    let trace: PoolTrace<T>?
    /// Applied to unpool(y) before the transposed convolution (`activation-first`); nil otherwise.
    let inputActivation: Activation?
    /// unpool(y) of the current call (B × the block's pre-activation width), and s of it.
    private let unpooled: Matrix<T>, activated: Matrix<T>?

    var geometry: ConvGeometry { convolution.geometry }
    var parameters: [Parameter<T>] { [weight, bias] }

    init(name: String, block: ConvBlock<T>, trace: PoolTrace<T>?, activation: Activation,
         inputActivation: Activation? = nil, maxBatch: Int, initialization: InitKind, using g: inout SeededGenerator) {
        let geometry = block.conv.geometry
        weight = Parameter(name: "\(name).weight", rows: geometry.output.channels, cols: geometry.patchSize)
        bias = Parameter(name: "\(name).bias", rows: 1, cols: geometry.input.channels)
        self.activation = activation
        self.trace = trace
        convolution = Convolution(geometry, maxBatch: maxBatch)
        self.inputActivation = inputActivation
        unpooled = Matrix(rows: maxBatch, cols: geometry.output.count)
        activated = inputActivation.map { _ in Matrix(rows: maxBatch, cols: geometry.output.count) }
        // Fans of the transposed map: it reads the output channels and writes the input ones.
        let k2 = geometry.kernel * geometry.kernel
        Initialization.fill(weight.value, initialization,
                            fans: (geometry.output.channels * k2, geometry.input.channels * k2), using: &g)
    }

    /// a ← convᵀ_Q(u) + d, h ← s_fb(a) with u = unpool(y), or s(unpool(y)) with an input activation;
    /// y is B × the block's output, a and h B × its input.
    func forward(_ y: MatRef<T>, a: MatRef<T>, h: MatRef<T>) {
        convolution.transposed(mapInput(y), weight: weight.value.ref, into: a)
        let input = geometry.input
        activation.apply(a.pixelRows(input), bias: bias.value.ref, into: h.pixelRows(input))
    }

    /// Gradients of Q and d from δ = ∂L/∂a for the input y of the same batch, times α, replacing the
    /// stored ones or adding to them when `accumulate`. ⟨δ, convᵀ_Q(u)⟩ = ⟨conv_Q(δ), u⟩, so ∇Q is
    /// the forward convolution's weight gradient with δ as its input and u (`mapInput`) as its output
    /// gradient.
    func accumulateGradients(delta: MatRef<T>, input y: MatRef<T>, scale alpha: T, accumulate: Bool) {
        convolution.weightGradient(outputGradient: mapInput(y), input: delta, into: weight.grad.ref,
                                   scale: alpha, accumulate: accumulate)
        convolution.channelSums(delta, shape: geometry.input, into: bias.grad.ref, scale: alpha, accumulate: accumulate)
    }

    /// What the transposed convolution reads: unpool(y), then s of it with an input activation.
    private func mapInput(_ y: MatRef<T>) -> MatRef<T> {
        let u = unpool(y)
        guard let inputActivation, let activated else { return u }
        let su = activated.prefix(y.rows)
        inputActivation.apply(u, bias: nil, into: su)
        return su
    }

    /// y unpooled into the scratch, or y itself when the block does not pool.
    private func unpool(_ y: MatRef<T>) -> MatRef<T> {
        guard let trace else { return y }
        let u = unpooled.prefix(y.rows)
        trace.pool.unpool(y, into: u)
        return u
    }
}
