/// A trainable tensor and its gradient, both preallocated. Optimizers hold lists of these, so the
/// forward and the feedback parameters of a network can be given to separate optimizers.
public final class Parameter<T: Scalar>: @unchecked Sendable {
    public let name: String
    public let value: Matrix<T>
    public let grad: Matrix<T>

    public init(name: String, rows: Int, cols: Int) {
        self.name = name
        value = Matrix(rows: rows, cols: cols)
        grad = Matrix(rows: rows, cols: cols)
    }
}

/// Where a layer writes its weight and bias gradients: by default its parameters' own `grad`, or
/// other buffers of the same shapes (a reference gradient kept beside the rule's).
public struct ParameterGradients<T: Scalar> {
    public let weight: MatRef<T>
    public let bias: MatRef<T>?

    public init(weight: MatRef<T>, bias: MatRef<T>?) {
        self.weight = weight
        self.bias = bias
    }
}
