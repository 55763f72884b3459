/// What the trainer tells its observer after every epoch: the seam between the engine and
/// whoever runs it (a progress printer locally, the sweep coordinator under MPI).
public struct EpochReport: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    /// NaN for regression.
    public var trainAccuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    /// Wall-clock seconds of the epoch, evaluation and extra feedback epochs included.
    public var seconds: Double
    /// Mean feedback reconstruction loss per layer that has one (see `reconstructionLayers`).
    public var reconstructionLoss: [Double]
    /// Mean angle, in degrees, between each layer's weight update and the BP gradient, over the
    /// batches where it was measured; empty unless requested.
    public var bpAngle: [Double]
    /// ‖W_l‖_F at the end of the epoch, per layer.
    public var weightNorm: [Double]
    /// ‖W_l(end) − W_l(start)‖_F over the epoch, per layer.
    public var updateNorm: [Double]
    /// In-epoch records, every `metrics.log_interval` batches.
    public var batchLog: [BatchRecord]
}

public struct BatchRecord: Codable, Sendable, Equatable {
    public var batch: Int
    public var trainLoss: Double
    public var bpAngle: [Double]
}

/// An observer's answer to an epoch report.
public enum TrainingDecision: Sendable, Equatable {
    case proceed
    /// Stop now and record the run as pruned (an early-stopping scheduler's decision).
    case prune(reason: String)
}

/// A parameter tensor copied out of a network, for snapshots.
public struct WeightTensor: Sendable, Equatable {
    public enum Role: String, Sendable, Codable { case forward, feedback }
    public var name: String
    public var role: Role
    public var shape: [Int]
    public var values: [Double]
}

/// Receives every epoch's report and decides whether training goes on. `weights` copies the
/// current parameters only when called, so observers that keep no snapshot pay nothing.
public protocol TrainingObserver {
    func epochEnded(_ report: EpochReport, weights: () -> [WeightTensor]) -> TrainingDecision
}

public enum RunStatus: String, Codable, Sendable {
    case completed, pruned, diverged
}

/// The outcome of one run. The headline figure follows [M20]: test accuracy at the epoch of best
/// validation accuracy.
public struct RunResult: Codable, Sendable {
    public var status: RunStatus
    public var message: String
    public var epochs: [EpochReport]
    /// Layers (1-based, as in the papers) whose feedback reports a reconstruction loss.
    public var reconstructionLayers: [Int]
    /// The epoch of best validation accuracy (lowest validation loss for regression).
    public var bestEpoch: Int?
    public var bestValidationAccuracy: Double?
    public var bestValidationLoss: Double?
    public var testAccuracyAtBest: Double?
    public var testLossAtBest: Double?
    public var seconds: Double

    public init(status: RunStatus, message: String, epochs: [EpochReport], reconstructionLayers: [Int],
                seconds: Double) {
        (self.status, self.message, self.epochs) = (status, message, epochs)
        (self.reconstructionLayers, self.seconds) = (reconstructionLayers, seconds)
    }

    /// Moves the best epoch to `report` if it validates better.
    mutating func consider(_ report: EpochReport, classification: Bool) {
        let better: Bool
        if classification {
            better = bestValidationAccuracy.map { report.validationAccuracy > $0 } ?? report.validationAccuracy.isFinite
        } else {
            better = bestValidationLoss.map { report.validationLoss < $0 } ?? report.validationLoss.isFinite
        }
        guard better else { return }
        bestEpoch = report.epoch
        bestValidationAccuracy = report.validationAccuracy
        bestValidationLoss = report.validationLoss
        testAccuracyAtBest = report.testAccuracy
        testLossAtBest = report.testLoss
    }
}
