import Foundation
import Sweep
import TPEngine

/// Everything one trial produced, as it travels from the rank that trained it to rank 0.
struct TrialOutcome: Sendable {
    enum Status: String, Sendable { case completed, pruned, diverged, failed }
    var status: Status
    var message: String
    var result: RunResult?
    var snapshots: [SnapshotPayload]
    var startedAt: Double
    var seconds: Double
    var rank: Int
    var host: String
}

/// Weights kept at one epoch, tagged with why ("epoch", "best", "final").
struct SnapshotPayload: Sendable {
    var epoch: Int
    var tags: [String]
    var tensors: [TensorPayload]
}

/// One parameter tensor as raw little-endian bytes in the run's own precision: snapshots of a
/// Float32 run are stored as float32, not widened.
struct TensorPayload: Sendable {
    var name: String
    var role: String
    var shape: [Int]
    var dtype: DType
    var bytes: Data
}

extension TensorPayload {
    init(_ w: WeightTensor, dtype: DType) {
        (name, role, shape, self.dtype) = (w.name, w.role.rawValue, w.shape, dtype)
        switch dtype {
        case .float32: bytes = w.values.map(Float.init).withUnsafeBytes { Data($0) }
        case .float64: bytes = w.values.withUnsafeBytes { Data($0) }
        }
    }
}

/// Runs one trial in this process: trains it, asks `decide` after every epoch whether to go on
/// (the scheduler, local or across MPI), and keeps the snapshots the sweep's policy asks for.
/// Failures come back as a `failed` outcome with their message, never as a trap.
func runTrial(_ trial: Trial, policy: SnapshotPolicy, rank: Int, host: String,
              decide: @escaping (EpochReport) -> TrainingDecision) -> TrialOutcome {
    let started = Date()
    let keeper = SnapshotKeeper(policy: policy, dtype: trial.config.dtype,
                                classification: trial.config.loss.kind == .crossEntropy, decide: decide)
    var outcome = TrialOutcome(status: .failed, message: "", result: nil, snapshots: [],
                               startedAt: started.timeIntervalSince1970, seconds: 0, rank: rank, host: host)
    do {
        let result = try train(trial.config, observer: keeper)
        outcome.result = result
        outcome.message = result.message
        outcome.status = TrialOutcome.Status(rawValue: result.status.rawValue) ?? .failed
        outcome.snapshots = keeper.snapshots(finalEpoch: result.epochs.last?.epoch)
    } catch {
        outcome.message = "\(error)"
    }
    outcome.seconds = Date().timeIntervalSince(started)
    return outcome
}

/// The trial's observer: forwards each report to the scheduler and copies weights only at the
/// epochs the policy keeps, at each new best epoch (if "best" is kept) and at every epoch (if
/// "final" is, since any epoch may turn out to be the last).
final class SnapshotKeeper: TrainingObserver {
    let policy: SnapshotPolicy
    let dtype: DType
    let classification: Bool
    let decide: (EpochReport) -> TrainingDecision
    private var kept: [(epoch: Int, weights: [WeightTensor])] = []
    private var best: (report: EpochReport, weights: [WeightTensor]?)?
    private var last: (epoch: Int, weights: [WeightTensor])?

    init(policy: SnapshotPolicy, dtype: DType, classification: Bool,
         decide: @escaping (EpochReport) -> TrainingDecision) {
        (self.policy, self.dtype, self.classification, self.decide) = (policy, dtype, classification, decide)
    }

    func epochEnded(_ report: EpochReport, weights: () -> [WeightTensor]) -> TrainingDecision {
        var copy: [WeightTensor]?
        func current() -> [WeightTensor] {
            if copy == nil { copy = weights() }
            return copy!
        }
        if policy.keepsEpoch(report.epoch) { kept.append((report.epoch, current())) }
        if ModelSelection.improves(report, on: best?.report, classification: classification) {
            best = (report, policy.best ? current() : nil)
        }
        if policy.final { last = (report.epoch, current()) }
        return decide(report)
    }

    /// The kept snapshots, one per epoch, with every reason it was kept as a tag.
    func snapshots(finalEpoch: Int?) -> [SnapshotPayload] {
        var byEpoch: [Int: (tags: [String], weights: [WeightTensor])] = [:]
        func add(_ epoch: Int, _ tag: String, _ weights: [WeightTensor]) {
            byEpoch[epoch, default: ([], weights)].tags.append(tag)
        }
        for k in kept { add(k.epoch, "epoch", k.weights) }
        if let best, let w = best.weights { add(best.report.epoch, "best", w) }
        if let last, last.epoch == finalEpoch { add(last.epoch, "final", last.weights) }
        return byEpoch.keys.sorted().map { epoch in
            let entry = byEpoch[epoch]!
            return SnapshotPayload(epoch: epoch, tags: entry.tags,
                                   tensors: entry.weights.map { TensorPayload($0, dtype: dtype) })
        }
    }
}
