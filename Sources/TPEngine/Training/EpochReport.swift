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
    /// Mean feedback reconstruction loss per layer that has one (see `reconstructionLayers`), over
    /// every batch the feedback trained on during the epoch (extra feedback epochs included).
    public var reconstructionLoss: [Double]
    /// Mean angle, in degrees, between each layer's weight update and the BP gradient, over the
    /// batches where it was measured; empty unless requested.
    public var bpAngle: [Double]
    /// ‖W_l‖_F at the end of the epoch, per layer.
    public var weightNorm: [Double]
    /// ‖W_l(end) − W_l(start)‖_F over the epoch, per layer.
    public var updateNorm: [Double]
    /// In-epoch records: every `metrics.log_interval` batches when BP angles are on, every
    /// `metrics.diagnostic_interval` batches when a diagnostic is.
    public var batchLog: [BatchRecord]
    /// Per-layer diagnostics requested in `metrics`, each the mean over the batches that measured
    /// it: `gnt_angle` and its λ `gnt_damping` (one per hidden layer); `gn_angle`, `gn_damping`
    /// and `null_space_ratio` (one per layer); `jacobian_matching` (one per layer-to-layer
    /// feedback map). Angles in degrees. With a λ search, `*_damping` is the candidate whose mean
    /// angle over the epoch's measured batches is smallest, and `*_angle` that mean.
    public var diagnostics: [String: [Double]] = [:]
    /// Wall-clock seconds each measured metric (`bp_angle` and every diagnostic) cost this epoch,
    /// summed over the batches that measured it.
    public var diagnosticSeconds: [String: Double] = [:]
}

public struct BatchRecord: Codable, Sendable, Equatable {
    public var batch: Int
    public var trainLoss: Double
    public var bpAngle: [Double]
    /// The diagnostics measured on this batch, per layer.
    public var diagnostics: [String: [Double]] = [:]
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
    /// The report of the epoch of best validation accuracy (lowest validation loss for regression).
    public var best: EpochReport?
    public var seconds: Double

    public var bestEpoch: Int? { best?.epoch }
    /// The headline figure of [M20].
    public var testAccuracyAtBest: Double? { best?.testAccuracy }

    public init(status: RunStatus, message: String, epochs: [EpochReport], reconstructionLayers: [Int],
                seconds: Double) {
        (self.status, self.message, self.epochs) = (status, message, epochs)
        (self.reconstructionLayers, self.seconds) = (reconstructionLayers, seconds)
    }
}

/// Model selection [M20]: an epoch is better when its validation accuracy is higher (its
/// validation loss lower, for regression). Used for the headline figure and for "best" snapshots.
public enum ModelSelection {
    public static func improves(_ report: EpochReport, on best: EpochReport?, classification: Bool) -> Bool {
        let (new, old) = classification ? (report.validationAccuracy, best?.validationAccuracy)
                                        : (-report.validationLoss, best.map { -$0.validationLoss })
        return old.map { new > $0 } ?? new.isFinite
    }
}
