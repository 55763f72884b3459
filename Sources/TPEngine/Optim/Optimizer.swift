/// Updates a fixed list of parameters from the gradients stored beside them. A network's forward
/// and feedback parameters get separate instances [M20]. State is allocated once, at creation.
///
/// One concrete class with the algorithm as a value, not a protocol with one class per algorithm:
/// the trainer calls `step()` every batch, and a concrete generic class is specialised for the
/// scalar type where an existential would run the element loops generically.
public final class Optimizer<T: Scalar> {
    public let parameters: [Parameter<T>]
    public let settings: RunConfig.Optimizer
    /// The rate given at creation; `learningRate` is the one in use (see `startEpoch`).
    public let baseLearningRate: Double
    public var learningRate: Double
    /// Per-parameter state: Adam's moments, SGD's velocity, RMSprop's averages and velocity.
    let state1: [Matrix<T>], state2: [Matrix<T>], state3: [Matrix<T>]
    var steps = 0

    public init(_ settings: RunConfig.Optimizer, lr: Double, parameters: [Parameter<T>]) {
        self.parameters = parameters
        self.settings = settings
        baseLearningRate = lr
        learningRate = lr
        func buffers(_ needed: Bool) -> [Matrix<T>] {
            needed ? parameters.map { Matrix(rows: $0.value.rows, cols: $0.value.cols) } : []
        }
        state1 = buffers(true)
        state2 = buffers(settings.kind != .sgd)
        state3 = buffers(settings.kind == .rmsprop)
    }

    public func step() {
        steps += 1
        switch settings.kind {
        case .adam: adamStep()
        case .sgd: sgdStep()
        case .rmsprop: rmspropStep()
        }
    }
}
