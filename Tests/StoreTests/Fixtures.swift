import Foundation
@testable import Store

/// A fresh temporary directory per test, removed afterwards.
final class TestDirectory: Sendable {
    let path: String

    init(_ name: String = #function) {
        let clean = name.filter { $0.isLetter || $0.isNumber }
        path = NSTemporaryDirectory() + "store-\(clean)-\(UInt32.random(in: 0...UInt32.max))"
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum Fixtures {
    static func tensor(_ name: String, _ role: String, _ shape: [Int], float64: Bool = false, salt: Double = 0) -> SnapshotTensor {
        let values = (0..<shape.reduce(1, *)).map { sin(Double($0) + salt) }
        return SnapshotTensor(name: name, role: role, shape: shape,
                              values: float64 ? .float64(values) : .float32(values.map { Float($0) }))
    }

    /// A full record: every kind of parameter, metrics, layer metrics, summary, two snapshots.
    static func trial(_ id: String = "t-0007", index: Int = 7) -> TrialRecord {
        let parameters: [(key: String, value: AttributeValue)] = [
            ("method", .string("ddtp-linear")), ("lr", .double(3e-4)), ("hidden", .int(256)),
            ("use_bias", .bool(true)), ("zeta_last", .int(-1)),
        ]
        let bpAngle: [[Double]] = (0..<3).map { e in (0..<4).map { l in Double(90 - 10 * e - l) } }
        return TrialRecord(
            id: id, index: index, parameters: parameters, seed: 42,
            configJSON: #"{"method":"ddtp-linear","note":"µ — ✓"}"#, status: "completed", message: "",
            rank: 3, host: "node-ü", startedAt: 1_700_000_000.125, seconds: 81.5, attempts: 2,
            epochMetrics: ["train_loss": [2.0, 1.0, 0.5], "validation_accuracy": [0.5, 0.6, 0.7],
                           "seconds": [27, 27.25, 27.25]],
            layerMetrics: ["bp_angle": bpAngle, "update_norm": [[1, 2], [3, 4], [5, 6]]],
            summary: ["best_epoch": 2, "best_validation_accuracy": 0.7, "test_accuracy_at_best": 0.69],
            snapshots: [
                Snapshot(epoch: 1, tags: ["epoch"], tensors: [
                    tensor("W1", "forward", [4, 3], salt: 1), tensor("b1", "forward", [4], salt: 2),
                    tensor("Q1", "feedback", [3, 4], salt: 3),
                ]),
                Snapshot(epoch: 2, tags: ["best", "final"], tensors: [
                    tensor("W1", "forward", [4, 3], salt: 4), tensor("b1", "forward", [4], float64: true, salt: 5),
                    tensor("J", "feedback", [2, 3, 2], float64: true, salt: 6), tensor("s", "feedback", [], salt: 7),
                ]),
            ])
    }

    /// A record with nothing optional.
    static func minimal(_ id: String, index: Int, status: String = "failed") -> TrialRecord {
        TrialRecord(id: id, index: index, parameters: [], seed: 0, configJSON: "{}", status: status,
                    message: "out of memory", rank: 0, host: "", startedAt: 0, seconds: 0)
    }
}
