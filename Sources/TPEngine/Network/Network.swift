/// A stack of layers — dense, or conv blocks below dense ones [M20, E22] — with the activations of
/// the last forward pass kept for the rules.
///
/// Indexing (0-based, the papers are 1-based): `layers[l]` maps `h[l]` to `h[l+1]`, so `h[0]` is
/// the input, `h[L]` the output and `a[l]` the pre-activation of `layers[l]` (bias included;
/// before pooling in a conv block, whose pooling indices are in `traces[l]`). A conv block's `h`
/// is the NHWC batch, one image per row, which is also the flattened input of a dense layer.
/// Buffers are sized once for the largest batch; `setBatch` only changes the rows in use.
public final class Network<T: Scalar>: @unchecked Sendable {
    public let layers: [Layer<T>]
    public let h: [Matrix<T>]
    public let a: [Matrix<T>]
    /// What the forward pass of each pooling conv block keeps for its backward pass; nil elsewhere.
    public let traces: [PoolTrace<T>?]
    /// A column of ones for bias gradients as matrix–vector products.
    public let ones: Matrix<T>
    public let maxBatch: Int

    public var depth: Int { layers.count }
    public var widths: [Int] { [layers[0].fanIn] + layers.map(\.fanOut) }
    public var batch: Int { h[0].rows }
    public var input: MatRef<T> { h[0].ref }
    public var output: MatRef<T> { h[depth].ref }
    public var parameters: [Parameter<T>] { layers.flatMap(\.parameters) }

    /// A network of initialised `layers`, each one's input as wide as the previous one's output.
    public init(layers: [Layer<T>], maxBatch: Int) {
        precondition(!layers.isEmpty && maxBatch > 0)
        for (below, above) in zip(layers, layers.dropFirst()) {
            precondition(below.fanOut == above.fanIn, "a layer of \(below.fanOut) outputs under one of \(above.fanIn) inputs")
        }
        self.layers = layers
        h = ([layers[0].fanIn] + layers.map(\.fanOut)).map { Matrix(rows: maxBatch, cols: $0) }
        a = layers.map { Matrix(rows: maxBatch, cols: $0.preActivationWidth) }
        traces = layers.map { $0.makeTrace(maxRows: maxBatch) }
        ones = Matrix(rows: 1, cols: maxBatch)
        fill(ones.ref, 1)
        self.maxBatch = maxBatch
    }

    /// A multilayer perceptron of the given widths (input first).
    /// - Parameter biasFree: indices of layers built without a bias.
    public convenience init(widths: [Int], hidden: Activation, output: Activation, maxBatch: Int,
                            initialization: InitKind, biasFree: Set<Int> = [], using g: inout SeededGenerator) {
        precondition(widths.count >= 2)
        let depth = widths.count - 1
        let layers = (0..<depth).map { l in
            DenseLayer<T>(name: "layer\(l + 1)", fanIn: widths[l], fanOut: widths[l + 1],
                          activation: l == depth - 1 ? output : hidden, hasBias: !biasFree.contains(l))
        }
        for layer in layers { Initialization.fill(layer.weight.value, initialization, using: &g) }
        self.init(layers: layers.map(Layer.dense), maxBatch: maxBatch)
    }

    /// Sets the number of samples in the current batch (≤ maxBatch).
    public func setBatch(_ rows: Int) {
        for m in h { m.rows = rows }
        for m in a { m.rows = rows }
    }

    /// Forward pass of the batch in `h[0]`, keeping every a and h.
    public func forward() {
        for (l, layer) in layers.enumerated() {
            layer.forward(h[l].ref, a: a[l].ref, h: h[l + 1].ref, trace: traces[l])
        }
    }

    /// Pushes `x`, taken as the activation of level `start`, through layers start..<depth, writing
    /// pre-activations and activations of each level into the given buffers (same row count as x).
    /// Used by the rules that probe the network with noise from a hidden layer.
    public func forward(from start: Int, _ x: MatRef<T>, a out: (Int) -> MatRef<T>, h next: (Int) -> MatRef<T>) {
        var x = x
        for l in start..<depth {
            layers[l].forward(x, a: out(l), h: next(l + 1))
            x = next(l + 1)
        }
    }
}
