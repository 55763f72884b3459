/// A hyperparameter's value as the store keeps it: one typed HDF5 attribute per parameter.
public enum AttributeValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
}

/// A snapshot tensor's elements, row-major.
public enum TensorValues: Sendable, Equatable {
    case float32([Float])
    case float64([Double])

    public var count: Int {
        switch self {
        case .float32(let v): v.count
        case .float64(let v): v.count
        }
    }
}

/// One weight tensor of a snapshot.
public struct SnapshotTensor: Sendable, Equatable {
    /// The tensor's name (`W1`, `b1`, `Q2`); no `/`.
    public var name: String
    /// `forward` (the network's weights) or `feedback` (the learning rule's feedback weights).
    public var role: String
    public var shape: [Int]
    public var values: TensorValues

    public init(name: String, role: String, shape: [Int], values: TensorValues) {
        self.name = name
        self.role = role
        self.shape = shape
        self.values = values
    }
}

/// The weights of one epoch, with why they were kept.
public struct Snapshot: Sendable, Equatable {
    public var epoch: Int
    /// Any of `epoch` (a periodic snapshot), `best` (best validation accuracy so far), `final`.
    public var tags: [String]
    public var tensors: [SnapshotTensor]

    public init(epoch: Int, tags: [String], tensors: [SnapshotTensor]) {
        self.epoch = epoch
        self.tags = tags
        self.tensors = tensors
    }
}

/// Everything stored about one trial of a sweep: one file, `trials/<id>.h5`.
public struct TrialRecord: Sendable {
    /// The trial's stable id; the file name. No `/`, not starting with `.`.
    public var id: String
    /// The trial's position in the sweep's plan.
    public var index: Int
    /// The sampled hyperparameters, in the order the sweep lists them.
    public var parameters: [(key: String, value: AttributeValue)]
    public var seed: Int
    /// The complete run configuration, as JSON.
    public var configJSON: String
    /// `completed`, `pruned`, `diverged` or `failed`.
    public var status: String
    /// Why it ended so (empty when completed normally).
    public var message: String
    /// The MPI rank and host that ran it.
    public var rank: Int
    public var host: String
    /// Unix time (seconds) at which it started, and how long it ran.
    public var startedAt: Double
    public var seconds: Double
    /// How many times it was started (more than 1 after a worker was lost).
    public var attempts: Int
    /// One value per epoch run: `train_loss`, `validation_accuracy`, `seconds`, …
    public var epochMetrics: [String: [Double]]
    /// Epochs × layers: `bp_angle`, `reconstruction_loss`, `weight_norm`, `update_norm`, …
    public var layerMetrics: [String: [[Double]]]
    /// `best_epoch`, `best_validation_accuracy`, `test_accuracy_at_best`, …
    public var summary: [String: Double]
    public var snapshots: [Snapshot]

    public init(id: String, index: Int, parameters: [(key: String, value: AttributeValue)], seed: Int,
                configJSON: String, status: String, message: String = "", rank: Int, host: String,
                startedAt: Double, seconds: Double, attempts: Int = 1,
                epochMetrics: [String: [Double]] = [:], layerMetrics: [String: [[Double]]] = [:],
                summary: [String: Double] = [:], snapshots: [Snapshot] = []) {
        self.id = id
        self.index = index
        self.parameters = parameters
        self.seed = seed
        self.configJSON = configJSON
        self.status = status
        self.message = message
        self.rank = rank
        self.host = host
        self.startedAt = startedAt
        self.seconds = seconds
        self.attempts = attempts
        self.epochMetrics = epochMetrics
        self.layerMetrics = layerMetrics
        self.summary = summary
        self.snapshots = snapshots
    }

    /// Epochs run: the length of the longest per-epoch metric (0 if there is none).
    public var epochs: Int {
        max(epochMetrics.values.map(\.count).max() ?? 0, layerMetrics.values.map(\.count).max() ?? 0)
    }

    /// The parameter's value, if the trial has it.
    public func parameter(_ key: String) -> AttributeValue? {
        parameters.first { $0.key == key }?.value
    }
}

extension TrialRecord: Equatable {
    public static func == (a: TrialRecord, b: TrialRecord) -> Bool {
        a.id == b.id && a.index == b.index
            && a.parameters.count == b.parameters.count
            && zip(a.parameters, b.parameters).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            && a.seed == b.seed && a.configJSON == b.configJSON && a.status == b.status
            && a.message == b.message && a.rank == b.rank && a.host == b.host
            && a.startedAt == b.startedAt && a.seconds == b.seconds && a.attempts == b.attempts
            && a.epochMetrics == b.epochMetrics && a.layerMetrics == b.layerMetrics
            && a.summary == b.summary && a.snapshots == b.snapshots
    }
}

/// One trial of the sweep's plan.
public struct PlannedTrial: Sendable, Equatable {
    public var id: String
    public var index: Int
    /// The trial's parameters as a JSON object (the sweep's own encoding).
    public var parametersJSON: String
    public var seed: Int

    public init(id: String, index: Int, parametersJSON: String, seed: Int) {
        self.id = id
        self.index = index
        self.parametersJSON = parametersJSON
        self.seed = seed
    }
}

/// The sweep as a whole: `sweep.h5`.
public struct SweepIndex: Sendable, Equatable {
    public var name: String
    /// A hash of the spec; a resumed sweep must have the same.
    public var identity: String
    /// The spec file's text.
    public var specText: String
    public var planned: [PlannedTrial]
    /// Unix times (seconds).
    public var createdAt: Double
    public var updatedAt: Double

    public init(name: String, identity: String, specText: String, planned: [PlannedTrial],
                createdAt: Double, updatedAt: Double) {
        self.name = name
        self.identity = identity
        self.specText = specText
        self.planned = planned
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
