/// A convolutional block of [M20]'s and [E22]'s CNNs: conv → activation → optional max-pooling.
/// Its NHWC output rows are already a dense layer's input, so flattening costs nothing.
///
/// The block holds parameters and geometry only. What a forward pass leaves behind for the
/// backward one besides a and h — the activation before pooling and the pooling's argmax indices —
/// lives in a `PoolTrace` the caller owns: the network keeps one for its own pass, and a rule that
/// probes the block with other inputs brings its own, so a probe never overwrites the indices the
/// network's backward pass needs.
public final class ConvBlock<T: Scalar>: @unchecked Sendable {
    public let conv: ConvLayer<T>
    public let pooling: PoolGeometry?

    public init(conv: ConvLayer<T>, pooling: PoolGeometry?) {
        precondition(pooling.map { $0.input == conv.geometry.output } ?? true,
                     "pooling of \(pooling!.input) images after a convolution to \(conv.geometry.output)")
        self.conv = conv
        self.pooling = pooling
    }

    public var input: ImageShape { conv.geometry.input }
    /// The block's output: pooled if it pools.
    public var output: ImageShape { pooling?.output ?? conv.geometry.output }
    /// Width of the pre-activation a = conv(x) + b, before any pooling.
    public var preActivationWidth: Int { conv.geometry.output.count }

    /// The buffers one forward pass of up to `maxRows` samples leaves for its backward pass; nil
    /// when the block does not pool (a and h are then all it needs).
    public func makeTrace(maxRows: Int) -> PoolTrace<T>? {
        pooling.map { PoolTrace(pooling: $0, maxRows: maxRows) }
    }

    /// a ← conv(x) + b, h ← pool(s(a)) (or s(a) without pooling), keeping s(a) and the argmax
    /// indices in `trace`.
    public func forward(_ x: MatRef<T>, a: MatRef<T>, h: MatRef<T>, trace: PoolTrace<T>?) {
        guard let trace else {
            precondition(pooling == nil, "a pooling conv block's forward pass needs a PoolTrace")
            conv.forward(x, a: a, h: h)
            return
        }
        let activated = trace.activated.prefix(x.rows)
        conv.forward(x, a: a, h: activated)
        trace.pool.forward(activated, into: h)
    }

    /// δ ← ∂L/∂a from g = ∂L/∂h, for the forward pass that left a, h and `trace`: unpool through
    /// the argmax indices, then multiply by s'. Without pooling δ may be g itself (in place).
    public func preActivationGradient(_ g: MatRef<T>, a: MatRef<T>, h: MatRef<T>, trace: PoolTrace<T>?,
                                      into delta: MatRef<T>) {
        guard let trace else {
            if delta.base != g.base { copy(g, into: delta) }
            conv.activation.multiplyDerivative(delta, a: a, h: h)
            return
        }
        trace.pool.unpool(g, into: delta)
        conv.activation.multiplyDerivative(delta, a: a, h: trace.activated.prefix(g.rows))
    }
}

/// What a pooling conv block's forward pass keeps for its backward pass: s(a) before pooling and
/// the pooling with its argmax indices.
public final class PoolTrace<T: Scalar>: @unchecked Sendable {
    public let activated: Matrix<T>
    public let pool: MaxPool<T>

    init(pooling: PoolGeometry, maxRows: Int) {
        activated = Matrix(rows: maxRows, cols: pooling.input.count)
        pool = MaxPool(pooling, maxBatch: maxRows)
    }
}
