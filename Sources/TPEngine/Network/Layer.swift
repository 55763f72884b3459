/// One layer of a `Network`: fully connected, or a conv block (conv → activation → optional
/// max-pooling) [M20, E22]. Samples are rows in both, and a conv block's NHWC output row is the
/// next layer's input as it stands, so a dense layer after a conv block needs no flatten step.
///
/// An enum rather than a protocol: every call switches once per batch and then runs the concrete
/// layer's code, specialised for the scalar type, where an existential would reach the
/// unspecialised generic element loops.
public enum Layer<T: Scalar> {
    case dense(DenseLayer<T>)
    case conv(ConvBlock<T>)

    /// Values per sample going in and coming out.
    public var fanIn: Int {
        switch self {
        case .dense(let d): return d.fanIn
        case .conv(let c): return c.input.count
        }
    }

    public var fanOut: Int {
        switch self {
        case .dense(let d): return d.fanOut
        case .conv(let c): return c.output.count
        }
    }

    /// Values per sample of the pre-activation a (a conv block's is larger than its output when it pools).
    public var preActivationWidth: Int {
        switch self {
        case .dense(let d): return d.fanOut
        case .conv(let c): return c.preActivationWidth
        }
    }

    public var weight: Parameter<T> {
        switch self {
        case .dense(let d): return d.weight
        case .conv(let c): return c.conv.weight
        }
    }

    public var bias: Parameter<T>? {
        switch self {
        case .dense(let d): return d.bias
        case .conv(let c): return c.conv.bias
        }
    }

    public var activation: Activation {
        switch self {
        case .dense(let d): return d.activation
        case .conv(let c): return c.conv.activation
        }
    }

    public var parameters: [Parameter<T>] { [weight] + (bias.map { [$0] } ?? []) }

    /// The conv block, or nil for a dense layer.
    public var convBlock: ConvBlock<T>? {
        if case .conv(let c) = self { return c }
        return nil
    }

    /// The buffers a forward pass of up to `maxRows` samples leaves for its backward pass besides
    /// a and h: nil except for a pooling conv block.
    public func makeTrace(maxRows: Int) -> PoolTrace<T>? { convBlock?.makeTrace(maxRows: maxRows) }

    /// a ← the layer's pre-activation of x, h ← its output; `trace` as `makeTrace` built it.
    public func forward(_ x: MatRef<T>, a: MatRef<T>, h: MatRef<T>, trace: PoolTrace<T>? = nil) {
        switch self {
        case .dense(let d): d.forward(x, a: a, h: h)
        case .conv(let c): c.forward(x, a: a, h: h, trace: trace)
        }
    }

    /// δ = ∂L/∂a into `delta` from g = ∂L/∂h, for the forward pass that left a, h and `trace`.
    /// `delta` may be g itself unless the layer pools.
    public func preActivationGradient(_ g: MatRef<T>, a: MatRef<T>, h: MatRef<T>, trace: PoolTrace<T>?,
                                      into delta: MatRef<T>) {
        switch self {
        case .dense(let d):
            if delta.base != g.base { copy(g, into: delta) }
            d.activation.multiplyDerivative(delta, a: a, h: h)
        case .conv(let c):
            c.preActivationGradient(g, a: a, h: h, trace: trace, into: delta)
        }
    }

    /// ∇W = α δᵀ x (lowered for a conv block), ∇b = α Σ δ, as `DenseLayer.accumulateGradients`.
    public func accumulateGradients(delta: MatRef<T>, input x: MatRef<T>, scale alpha: T, ones: MatRef<T>,
                                    accumulate: Bool = false, into grads: ParameterGradients<T>? = nil) {
        switch self {
        case .dense(let d):
            d.accumulateGradients(delta: delta, input: x, scale: alpha, ones: ones, accumulate: accumulate, into: grads)
        case .conv(let c):
            c.conv.accumulateGradients(delta: delta, input: x, scale: alpha, accumulate: accumulate, into: grads)
        }
    }

    /// ∂L/∂x ← δ W for a dense layer, convᵀ(δ) for a conv block.
    public func inputGradient(delta: MatRef<T>, into dx: MatRef<T>) {
        switch self {
        case .dense(let d): gemm(dx, delta, d.weight.value.ref)
        case .conv(let c): c.conv.inputGradient(delta: delta, into: dx)
        }
    }
}
