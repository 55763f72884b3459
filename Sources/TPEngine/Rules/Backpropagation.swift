/// Exact gradients by the chain rule, through dense layers and conv blocks alike. Used by the `bp`
/// rule and, for every other rule, as the reference of the BP-angle metric.
public final class Backpropagation<T: Scalar> {
    /// ∂ℓ/∂h_{l+1}, the gradient at the output of `layers[l]`; becomes δ_l in place where
    /// `deltas[l]` is the same matrix.
    let outputGrads: [Matrix<T>]
    /// δ_l = ∂ℓ/∂a_l: the same matrix as `outputGrads[l]` (computed in place) unless the layer pools.
    let deltas: [Matrix<T>]

    public init(net: Network<T>) {
        outputGrads = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
        deltas = zip(net.layers, outputGrads).map { layer, g in
            layer.preActivationWidth == layer.fanOut ? g : Matrix(rows: net.maxBatch, cols: layer.preActivationWidth)
        }
    }

    /// Writes ∂ℓ/∂W_l into `weightGrads[l]` and ∂ℓ/∂b_l into `biasGrads[l]` for the batch in `net`.
    public func gradients(_ net: Network<T>, outputGradient e: MatRef<T>,
                          weightGrads: [Matrix<T>], biasGrads: [Matrix<T>?]) {
        for m in outputGrads { m.rows = net.batch }
        for m in deltas { m.rows = net.batch }
        let top = net.depth - 1
        copy(e, into: outputGrads[top].ref)
        for l in stride(from: top, through: 0, by: -1) {
            let layer = net.layers[l], delta = deltas[l].ref
            layer.preActivationGradient(outputGrads[l].ref, a: net.a[l].ref, h: net.h[l + 1].ref,
                                        trace: net.traces[l], into: delta)
            layer.accumulateGradients(delta: delta, input: net.h[l].ref, scale: 1, ones: net.ones.ref,
                                      into: ParameterGradients(weight: weightGrads[l].ref, bias: biasGrads[l]?.ref))
            if l > 0 { layer.inputGradient(delta: delta, into: outputGrads[l - 1].ref) }
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

    /// Backprop runs through conv blocks as through dense layers.
    public static var trainsConvolutionalNetworks: Bool { true }

    public func forwardGradients(_ net: Network<T>, outputGradient e: MatRef<T>) {
        backprop.gradients(net, outputGradient: e, weightGrads: weightGrads, biasGrads: biasGrads)
    }
}
