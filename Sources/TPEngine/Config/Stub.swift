// TEMPORARY: replaced by the config helper's RunConfig at merge.
public enum Method: String, Codable, Sendable, CaseIterable { case bp, dtp, drl, ddtpLinear = "ddtp-linear", ddtpControl = "ddtp-control", dfa }
public enum DType: String, Codable, Sendable { case float32, float64 }
public enum ActivationKind: String, Codable, Sendable { case tanh, relu, leakyRelu = "leaky-relu", elu, sigmoid, linear }
public enum InitKind: String, Codable, Sendable { case xavierNormal = "xavier-normal", orthogonal }
public enum LossKind: String, Codable, Sendable { case crossEntropy = "cross-entropy", mse }
public enum Reduction: String, Codable, Sendable { case mean, sum }
public enum OptimizerKind: String, Codable, Sendable { case adam, sgd, rmsprop }
public enum LocalLoss: String, Codable, Sendable { case m20, e22 }
public struct RunConfig: Codable, Sendable, Equatable {
    public var method: Method = .bp
    public var seed: Int = 0
    public var dtype: DType = .float32
    public var epochs = 100
    public var batchSize = 128
    public struct Data: Codable, Sendable, Equatable { public var dataset = "fashion-mnist"; public var dir = "/usr/share/datasets/fashion-mnist"; public var validationSize = 5000; public var trainSubset = 0; public var testSubset = 0 }
    public var data = Data()
    public struct Model: Codable, Sendable, Equatable { public var hidden = [256, 256, 256, 256, 256]; public var activation = ActivationKind.tanh; public var leakySlope = 0.01; public var outputActivation = ActivationKind.linear; public var fbActivation = ActivationKind.tanh; public var initialization = InitKind.xavierNormal; public var lastHiddenBias = true }
    public var model = Model()
    public struct Loss: Codable, Sendable, Equatable { public var kind = LossKind.crossEntropy; public var reduction = Reduction.mean }
    public var loss = Loss()
    public struct Optimizer: Codable, Sendable, Equatable { public var kind = OptimizerKind.adam; public var lr = 2.88e-4; public var beta1 = 0.9; public var beta2 = 0.99; public var eps = 4.73e-8; public var weightDecay = 0.0; public var momentum = 0.0; public var alpha = 0.99 }
    public var optimizer = Optimizer()
    public var fbOptimizer = Optimizer()
    public struct TP: Codable, Sendable, Equatable { public var beta = 0.0173; public var sigma = 0.0986; public var normalizeLr = true; public var epochsFb = 6; public var extraFbEpochs = 1; public var localLoss = LocalLoss.m20 }
    public var tp = TP()
    public struct Prune: Codable, Sendable, Equatable { public var enabled = true; public var afterEpoch = 5; public var minTrainAccuracy = 0.4 }
    public var prune = Prune()
    public struct Metrics: Codable, Sendable, Equatable { public var logInterval = 0; public var bpAngles = false }
    public var metrics = Metrics()
    public init() {}
    /// The forward learning rate the optimizer uses.
    public var effectiveForwardLR: Double { tp.normalizeLr && method != .bp ? optimizer.lr / tp.beta : optimizer.lr }
}
extension RunConfig { public var dataSource: DataSource { data.dataset == "mnist" ? .mnist(dir: data.dir) : .fashionMNIST(dir: data.dir) } }
