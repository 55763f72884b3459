/// One fully connected layer h = s(W x + b), W of shape fan_out×fan_in. Samples are rows, so the
/// batch form is A = X Wᵀ + 1 bᵀ.
public final class DenseLayer<T: Scalar>: @unchecked Sendable {
    public let weight: Parameter<T>
    /// nil when the layer has no bias (the M20 reference code's last hidden layer in ddtp-linear/dfa).
    public let bias: Parameter<T>?
    public let activation: Activation

    public var fanIn: Int { weight.value.cols }
    public var fanOut: Int { weight.value.rows }

    init(name: String, fanIn: Int, fanOut: Int, activation: Activation, hasBias: Bool) {
        weight = Parameter(name: "\(name).weight", rows: fanOut, cols: fanIn)
        bias = hasBias ? Parameter(name: "\(name).bias", rows: 1, cols: fanOut) : nil
        self.activation = activation
    }

    public var parameters: [Parameter<T>] { [weight] + (bias.map { [$0] } ?? []) }

    /// a ← x Wᵀ + b, h ← s(a).
    public func forward(_ x: MatRef<T>, a: MatRef<T>, h: MatRef<T>) {
        gemm(a, x, weight.value.ref, transB: true)
        activation.apply(a, bias: bias?.value.ref, into: h)
    }

    /// Gradients from δ = ∂L/∂a for this layer's batch: ∇W = α δᵀ x, ∇b = α Σ_rows δ, replacing
    /// the stored gradients, or adding to them when `accumulate` (losses with several terms).
    /// `into` writes them elsewhere (the BP reference of the angle metric).
    public func accumulateGradients(delta: MatRef<T>, input x: MatRef<T>, scale alpha: T, ones: MatRef<T>,
                                    accumulate: Bool = false, into grads: ParameterGradients<T>? = nil) {
        let beta: T = accumulate ? 1 : 0
        let grads = grads ?? ParameterGradients(weight: weight.grad.ref, bias: bias?.grad.ref)
        gemm(grads.weight, delta, transA: true, x, alpha: alpha, beta: beta)
        if let b = grads.bias { sumRows(delta, into: b, ones: ones, alpha: alpha, beta: beta) }
    }
}
