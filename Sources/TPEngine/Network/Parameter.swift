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
