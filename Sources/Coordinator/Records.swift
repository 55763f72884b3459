import Foundation
import Store
import Sweep
import TPEngine

/// Turns what a trial produced into the store's record. The store knows nothing of learning
/// rules: metrics arrive as named series, snapshots as named arrays.
enum Records {
    /// `configJSON`: `configJSON(trial.config)`, which the session has already made for the worker.
    static func make(trial: Trial, configJSON: String, attempt: Int, outcome: TrialOutcome) -> TrialRecord {
        let epochs = outcome.result?.epochs ?? []
        var series: [String: [Double]] = [:]
        let scalars: [(String, KeyPath<EpochReport, Double>)] = [
            ("train_loss", \.trainLoss), ("train_accuracy", \.trainAccuracy),
            ("validation_loss", \.validationLoss), ("validation_accuracy", \.validationAccuracy),
            ("test_loss", \.testLoss), ("test_accuracy", \.testAccuracy), ("seconds", \.seconds),
        ]
        for (name, path) in scalars { series[name] = epochs.map { $0[keyPath: path] } }
        var layers: [String: [[Double]]] = [:]
        let perLayer: [(String, KeyPath<EpochReport, [Double]>)] = [
            ("reconstruction_loss", \.reconstructionLoss), ("bp_angle", \.bpAngle),
            ("weight_norm", \.weightNorm), ("update_norm", \.updateNorm),
        ]
        for (name, path) in perLayer where epochs.contains(where: { !$0[keyPath: path].isEmpty }) {
            layers[name] = filled(epochs.map { $0[keyPath: path] })
        }
        for name in Set(epochs.flatMap(\.diagnostics.keys)) {
            layers[name] = filled(epochs.map { $0.diagnostics[name] ?? [] })
        }
        for name in Set(epochs.flatMap(\.diagnosticSeconds.keys)) {
            series["diagnostic_seconds_" + name] = epochs.map { $0.diagnosticSeconds[name] ?? .nan }
        }
        var summary: [String: Double] = ["epochs": Double(epochs.count)]
        if let best = outcome.result?.best {
            summary["best_epoch"] = Double(best.epoch)
            summary["best_validation_accuracy"] = best.validationAccuracy
            summary["best_validation_loss"] = best.validationLoss
            summary["test_accuracy_at_best"] = best.testAccuracy
            summary["test_loss_at_best"] = best.testLoss
        }
        if let last = epochs.last {
            summary["final_test_accuracy"] = last.testAccuracy
            summary["final_validation_accuracy"] = last.validationAccuracy
        }
        return TrialRecord(
            id: trial.id, index: trial.index,
            parameters: trial.parameters.map { ($0.key, attribute($0.value)) },
            seed: trial.seed, configJSON: configJSON,
            status: outcome.status.rawValue, message: outcome.message, rank: outcome.rank, host: outcome.host,
            startedAt: outcome.startedAt, seconds: outcome.seconds, attempts: attempt,
            epochMetrics: series, layerMetrics: layers, summary: summary,
            snapshots: outcome.snapshots.map(snapshot))
    }

    /// The config as the record stores it.
    static func configJSON(_ config: RunConfig) -> String {
        (try? String(decoding: config.jsonData(), as: UTF8.self)) ?? ""
    }

    /// Rows of one width: an epoch that measured nothing (a run that diverged before the measured
    /// batch) gets NaN in every column.
    static func filled(_ rows: [[Double]]) -> [[Double]] {
        let width = rows.map(\.count).max() ?? 0
        return rows.map { $0.count == width ? $0 : Array(repeating: .nan, count: width) }
    }

    /// Lists have no HDF5 scalar type: they are stored as their YAML text.
    static func attribute(_ v: ConfigValue) -> AttributeValue {
        switch v {
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .null, .list: return .string(v.description)
        }
    }

    static func snapshot(_ s: SnapshotPayload) -> Snapshot {
        Snapshot(epoch: s.epoch, tags: s.tags, tensors: s.tensors.map { t in
            let values: TensorValues
            switch t.dtype {
            case .float32: values = .float32(t.bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
            case .float64: values = .float64(t.bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) })
            }
            return SnapshotTensor(name: t.name, role: t.role, shape: t.shape, values: values)
        })
    }
}
