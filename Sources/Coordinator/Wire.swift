import Foundation
import Sweep
import TPEngine

/// The messages between rank 0 and the workers, each under its own MPI tag.
///
/// A worker's life: `ready` → `assign` → (`epoch` → `decision`)* → `outcome` → `assign` … →
/// `shutdown`. An outcome also asks for the next trial (no separate `ready`), and under a scheduler
/// that never stops trials the epoch reports get no `decision`. `ready` and `shutdown` are empty.
enum WireTag: Int32, Sendable {
    case ready = 1, epoch = 2, outcome = 3
    case assign = 10, decision = 11, shutdown = 12
}

struct Assignment: Sendable {
    var trial: Trial
    /// `trial.config` as the store keeps it (`RunConfig.jsonData()`), encoded once per trial: it
    /// travels to the worker as is and goes into the trial's record.
    var configJSON: String
    var attempt: Int
    var snapshots: SnapshotPolicy
    /// False when the sweep's scheduler never stops a trial (FIFO): the worker then sends its epoch
    /// reports (for progress) without waiting for an answer, one round trip less per epoch.
    var awaitsDecisions: Bool
}

struct EpochMessage: Sendable {
    var trialID: String
    var report: EpochReport
}

struct DecisionMessage: Sendable, Equatable {
    var stop: Bool
    var reason: String
}

struct OutcomeMessage: Sendable {
    var trialID: String
    var attempt: Int
    var outcome: TrialOutcome
}

/// The binary layout of the hot messages (JSON cost a third of the sweep's CPU per trial): a
/// version byte, the message's tag as a kind byte, then its fields in the order below, written
/// with `WireWriter` (little-endian fixed-width numbers, counted strings and arrays). A reader
/// throws `WireError` on anything malformed. Change `version` with the layout.
enum Wire {
    static let version: UInt8 = 1

    static func encode(_ m: Assignment, into w: inout WireWriter) {
        header(.assign, &w)
        w.string(m.trial.id)
        w.int(m.trial.index)
        w.int(m.trial.seed)
        w.array(m.trial.parameters) { w, p in w.string(p.key); w.configValue(p.value) }
        w.raw(m.configJSON.utf8)
        w.int(m.attempt)
        w.ints(m.snapshots.epochs)
        w.int(m.snapshots.every)
        w.bool(m.snapshots.best)
        w.bool(m.snapshots.final)
        w.bool(m.awaitsDecisions)
    }

    static func decodeAssignment(_ bytes: [UInt8]) throws -> Assignment {
        var r = try reader(.assign, bytes)
        let id = try r.string(), index = try r.int(), seed = try r.int()
        let parameters = try r.array(minimumSize: 5) { r in Trial.Parameter(key: try r.string(), value: try r.configValue()) }
        let json = try r.raw()
        let config = try RunConfig(jsonData: Data(json))
        let attempt = try r.int()
        let snapshots = SnapshotPolicy(epochs: try r.ints(), every: try r.int(), best: try r.bool(), final: try r.bool())
        let awaits = try r.bool()
        try r.finish()
        return Assignment(trial: Trial(id: id, index: index, parameters: parameters, seed: seed, config: config),
                          configJSON: String(decoding: json, as: UTF8.self), attempt: attempt, snapshots: snapshots,
                          awaitsDecisions: awaits)
    }

    static func encode(_ m: EpochMessage, into w: inout WireWriter) {
        header(.epoch, &w)
        w.string(m.trialID)
        w.epochReport(m.report)
    }

    static func decodeEpoch(_ bytes: [UInt8]) throws -> EpochMessage {
        var r = try reader(.epoch, bytes)
        let m = EpochMessage(trialID: try r.string(), report: try r.epochReport())
        try r.finish()
        return m
    }

    static func encode(_ m: DecisionMessage, into w: inout WireWriter) {
        header(.decision, &w)
        w.bool(m.stop)
        w.string(m.reason)
    }

    static func decodeDecision(_ bytes: [UInt8]) throws -> DecisionMessage {
        var r = try reader(.decision, bytes)
        let m = DecisionMessage(stop: try r.bool(), reason: try r.string())
        try r.finish()
        return m
    }

    static func encode(_ m: OutcomeMessage, into w: inout WireWriter) {
        header(.outcome, &w)
        w.string(m.trialID)
        w.int(m.attempt)
        let o = m.outcome
        w.string(o.status.rawValue)
        w.string(o.message)
        w.bool(o.result != nil)
        if let result = o.result {
            w.string(result.status.rawValue)
            w.string(result.message)
            w.array(result.epochs) { $0.epochReport($1) }
            w.ints(result.reconstructionLayers)
            w.bool(result.best != nil)
            if let best = result.best { w.epochReport(best) }
            w.double(result.seconds)
        }
        w.array(o.snapshots) { w, s in
            w.int(s.epoch)
            w.strings(s.tags)
            w.array(s.tensors) { w, t in
                w.string(t.name)
                w.string(t.role)
                w.ints(t.shape)
                w.string(t.dtype.rawValue)
                w.raw(t.bytes)
            }
        }
        w.double(o.startedAt)
        w.double(o.seconds)
        w.int(o.rank)
        w.string(o.host)
    }

    static func decodeOutcome(_ bytes: [UInt8]) throws -> OutcomeMessage {
        var r = try reader(.outcome, bytes)
        let id = try r.string(), attempt = try r.int()
        let status = try r.enumeration(TrialOutcome.Status.self, "trial status")
        let message = try r.string()
        var result: RunResult?
        if try r.bool() {
            var run = RunResult(status: try r.enumeration(RunStatus.self, "run status"), message: try r.string(),
                                epochs: try r.array(minimumSize: 8) { try $0.epochReport() },
                                reconstructionLayers: try r.ints(), seconds: 0)
            run.best = try r.bool() ? try r.epochReport() : nil
            run.seconds = try r.double()
            result = run
        }
        let snapshots = try r.array(minimumSize: 16) { r in
            let epoch = try r.int()
            guard epoch > Int.min else { throw WireError.invalid("snapshot epoch \(epoch)") }
            return SnapshotPayload(epoch: epoch, tags: try r.strings(), tensors: try r.array(minimumSize: 16) { r in
                let tensor = TensorPayload(name: try r.string(), role: try r.string(), shape: try r.ints(),
                                           dtype: try r.enumeration(DType.self, "dtype"), bytes: Data(try r.raw()))
                try checkShape(tensor)
                return tensor
            })
        }
        let outcome = TrialOutcome(status: status, message: message, result: result, snapshots: snapshots,
                                   startedAt: try r.double(), seconds: try r.double(), rank: try r.int(),
                                   host: try r.string())
        try r.finish()
        return OutcomeMessage(trialID: id, attempt: attempt, outcome: outcome)
    }

    /// A tensor's shape must describe exactly its bytes: the store multiplies the dimensions, and a
    /// forged shape must end as this error, not as an overflow trap in rank 0's writer thread.
    private static func checkShape(_ t: TensorPayload) throws {
        let itemSize = t.dtype == .float32 ? MemoryLayout<Float>.size : MemoryLayout<Double>.size
        var count = 1
        for d in t.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow else { throw WireError.invalid("tensor '\(t.name)' has shape \(t.shape)") }
            count = product
        }
        guard count * itemSize == t.bytes.count else {
            throw WireError.invalid("tensor '\(t.name)' of shape \(t.shape) carries \(t.bytes.count) bytes")
        }
    }

    private static func header(_ tag: WireTag, _ w: inout WireWriter) {
        w.reset()
        w.byte(version)
        w.byte(UInt8(tag.rawValue))
    }

    private static func reader(_ tag: WireTag, _ bytes: [UInt8]) throws -> WireReader {
        var r = WireReader(bytes)
        let v = try r.byte()
        guard v == version else { throw WireError.unknownVersion(v) }
        let kind = try r.byte()
        guard kind == UInt8(tag.rawValue) else { throw WireError.unexpectedKind(expected: UInt8(tag.rawValue), found: kind) }
        return r
    }
}

// MARK: - Field groups shared by several messages

extension WireWriter {
    /// A type byte, then the value; lists nest.
    mutating func configValue(_ v: ConfigValue) {
        switch v {
        case .null: byte(0)
        case .bool(let b): byte(1); bool(b)
        case .int(let i): byte(2); int(i)
        case .double(let d): byte(3); double(d)
        case .string(let s): byte(4); string(s)
        case .list(let items): byte(5); array(items) { $0.configValue($1) }
        }
    }

    mutating func epochReport(_ e: EpochReport) {
        int(e.epoch)
        double(e.trainLoss); double(e.trainAccuracy)
        double(e.validationLoss); double(e.validationAccuracy)
        double(e.testLoss); double(e.testAccuracy)
        double(e.seconds)
        doubles(e.reconstructionLoss); doubles(e.bpAngle); doubles(e.weightNorm); doubles(e.updateNorm)
        array(e.batchLog) { w, b in
            w.int(b.batch)
            w.double(b.trainLoss)
            w.doubles(b.bpAngle)
            w.dictionary(b.diagnostics) { $0.doubles($1) }
        }
        dictionary(e.diagnostics) { $0.doubles($1) }
        dictionary(e.diagnosticSeconds) { $0.double($1) }
    }
}

extension WireReader {
    /// Lists nested deeper than this are refused (a hostile message would otherwise recurse until
    /// the stack overflows); sweep parameters nest one level.
    static let maximumNesting = 32

    mutating func configValue(depth: Int = 0) throws -> ConfigValue {
        switch try byte() {
        case 0: return .null
        case 1: return .bool(try bool())
        case 2: return .int(try int())
        case 3: return .double(try double())
        case 4: return .string(try string())
        case 5:
            guard depth < Self.maximumNesting else { throw WireError.invalid("lists nested deeper than \(Self.maximumNesting)") }
            return .list(try array(minimumSize: 1) { try $0.configValue(depth: depth + 1) })
        case let t: throw WireError.invalid("unknown value type \(t)")
        }
    }

    mutating func epochReport() throws -> EpochReport {
        var e = EpochReport()
        e.epoch = try int()
        e.trainLoss = try double(); e.trainAccuracy = try double()
        e.validationLoss = try double(); e.validationAccuracy = try double()
        e.testLoss = try double(); e.testAccuracy = try double()
        e.seconds = try double()
        e.reconstructionLoss = try doubles(); e.bpAngle = try doubles()
        e.weightNorm = try doubles(); e.updateNorm = try doubles()
        e.batchLog = try array(minimumSize: 20) { r in
            var b = BatchRecord()
            b.batch = try r.int()
            b.trainLoss = try r.double()
            b.bpAngle = try r.doubles()
            b.diagnostics = try r.dictionary(minimumSize: 4) { try $0.doubles() }
            return b
        }
        e.diagnostics = try dictionary(minimumSize: 4) { try $0.doubles() }
        e.diagnosticSeconds = try dictionary(minimumSize: 8) { try $0.double() }
        return e
    }
}
