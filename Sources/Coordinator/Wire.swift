import Foundation
import Sweep
import TPEngine

/// The messages between rank 0 and the workers, each under its own MPI tag, as JSON (snapshot
/// weights ride inside as raw bytes, base64 in the JSON).
///
/// A worker's life: `ready` → `assign` → (`epoch` → `decision`)* → `outcome` → `assign` … →
/// `shutdown`. An outcome also asks for the next trial (no separate `ready`), and under a scheduler
/// that never stops trials the epoch reports get no `decision`.
enum WireTag: Int32, Sendable {
    case ready = 1, epoch = 2, outcome = 3
    case assign = 10, decision = 11, shutdown = 12
}

struct Assignment: Codable, Sendable {
    var trial: Trial
    var attempt: Int
    var snapshots: SnapshotPolicy
    /// False when the sweep's scheduler never stops a trial (FIFO): the worker then sends its epoch
    /// reports (for progress) without waiting for an answer, one round trip less per epoch.
    var awaitsDecisions: Bool
}

struct EpochMessage: Codable, Sendable {
    var trialID: String
    var report: EpochReport
}

struct DecisionMessage: Codable, Sendable {
    var stop: Bool
    var reason: String
}

struct OutcomeMessage: Codable, Sendable {
    var trialID: String
    var attempt: Int
    var outcome: TrialOutcome
}

enum Wire {
    /// NaN and infinities are legal metric values (accuracy of a regression, a diverged loss).
    static func encode<V: Encodable>(_ value: V) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return Array(try encoder.encode(value))
    }

    static func decode<V: Decodable>(_ type: V.Type, _ bytes: [UInt8]) throws -> V {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(type, from: Data(bytes))
    }
}
