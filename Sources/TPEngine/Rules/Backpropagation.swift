/// Exact gradients by the chain rule. Used by the `bp` rule and, for every other rule, as the
/// reference of the BP-angle metric.
public final class Backpropagation<T: Scalar> {
    /// δ_l = ∂ℓ/∂a_l per layer.
    let deltas: [Matrix<T>]

    public init(net: Network<T>) {
        deltas = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
    }

    /// Writes ∂ℓ/∂W_l into `weightGrads[l]` and ∂ℓ/∂b_l into `biasGrads[l]` for the batch in `net`.
    public func gradients(_ net: Network<T>, outputGradient e: MatRef<T>,
                          weightGrads: [Matrix<T>], biasGrads: [Matrix<T>?]) {
        for d in deltas { d.rows = net.batch }
        let top = net.depth - 1
        copy(e, into: deltas[top].ref)
        for l in stride(from: top, through: 0, by: -1) {
            let layer = net.layers[l], delta = deltas[l].ref
            layer.activation.multiplyDerivative(delta, a: net.a[l].ref, h: net.h[l + 1].ref)
            gemm(weightGrads[l].ref, delta, transA: true, net.h[l].ref)
            if let b = biasGrads[l] { sumRows(delta, into: b.ref, ones: net.ones.ref) }
            if l > 0 { gemm(deltas[l - 1].ref, delta, layer.weight.value.ref) }
        }
    }
}

/// `bp`: the forward parameters' gradients are the exact gradients of the output loss.
public final class BP<T: Scalar>: LearningRule {
    let backprop: Backpropagation<T>
    let weightGrads: [Matrix<T>], biasGrads: [Matrix<T>?]

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        backprop = Backpropagation(net: net)
        weightGrads = net.layers.map(\.weight.grad)
        biasGrads = net.layers.map { $0.bias?.grad }
    }

    public func forwardGradients(_ net: Network<T>, outputGradient e: MatRef<T>) {
        backprop.gradients(net, outputGradient: e, weightGrads: weightGrads, biasGrads: biasGrads)
    }
}
