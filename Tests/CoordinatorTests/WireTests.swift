import Foundation
import XCTest
@testable import Coordinator
import Sweep
import TPConfig
import TPEngine

/// Every message kind survives the binary wire format unchanged (NaN included), and malformed
/// input — cut short at any byte, another version, another kind, nonsense values — throws.
final class WireTests: XCTestCase {
    func report(epoch: Int, empty: Bool = false) -> EpochReport {
        var e = EpochReport()
        e.epoch = epoch
        (e.trainLoss, e.trainAccuracy, e.validationLoss) = (0.5, .nan, .infinity)
        (e.validationAccuracy, e.testLoss, e.testAccuracy, e.seconds) = (-.infinity, -0.0, 1e-300, 2.5)
        guard !empty else { return e }
        e.reconstructionLoss = [1, .nan]
        e.bpAngle = [10, 20, 30]
        e.weightNorm = [1, 2, 3]
        e.updateNorm = [0.1, 0.2, 0.3]
        var b = BatchRecord()
        (b.batch, b.trainLoss, b.bpAngle, b.diagnostics) = (7, .nan, [1, 2], ["gn_angle": [3, .nan], "z": []])
        e.batchLog = [b, BatchRecord()]
        e.diagnostics = ["gn_angle": [30, 40, 50], "gnt_angle": [], "ü-名": [.nan]]
        e.diagnosticSeconds = ["bp_angle": 0.01, "gn_angle": .nan]
        return e
    }

    /// NaN-aware equality: compares the encodings of both values.
    func assertSame(_ a: EpochReport?, _ b: EpochReport?, file: StaticString = #filePath, line: UInt = #line) {
        func bytes(_ e: EpochReport?) -> [UInt8] {
            var w = WireWriter()
            if let e { w.epochReport(e) }
            return w.bytes
        }
        XCTAssertEqual(bytes(a), bytes(b), file: file, line: line)
        XCTAssertEqual(a?.epoch, b?.epoch, file: file, line: line)
        XCTAssertEqual(a?.diagnostics.keys.sorted(), b?.diagnostics.keys.sorted(), file: file, line: line)
    }

    func encoded(_ body: (inout WireWriter) -> Void) -> [UInt8] {
        var w = WireWriter()
        body(&w)
        return w.bytes
    }

    func assignment() throws -> Assignment {
        var config = RunConfig()
        config.data.dir = String(repeating: "long/path/", count: 10_000)
        config.tp.damping = [1e-3]
        let trial = Trial(id: "0123456789abcdef", index: 42, parameters: [
            .init(key: "optimizer.lr", value: 1e-5), .init(key: "method", value: "drl"),
            .init(key: "model.hidden", value: [256, [1.0, .null, true], []]), .init(key: "x", value: .double(.nan)),
        ], seed: -3, config: config)
        return Assignment(trial: trial, configJSON: Records.configJSON(config), attempt: 2,
                          snapshots: SnapshotPolicy(epochs: [1, 5], every: 3, best: true, final: false),
                          awaitsDecisions: true)
    }

    func testAssignmentRoundTrips() throws {
        let a = try assignment()
        let bytes = encoded { Wire.encode(a, into: &$0) }
        let b = try Wire.decodeAssignment(bytes)
        XCTAssertEqual(b.trial.id, a.trial.id)
        XCTAssertEqual(b.trial.index, a.trial.index)
        XCTAssertEqual(b.trial.seed, a.trial.seed)
        XCTAssertEqual(b.trial.parameters.map(\.key), a.trial.parameters.map(\.key))
        // ConfigValue's text is exact, and NaN != NaN.
        XCTAssertEqual(b.trial.parameters.map(\.value.description), a.trial.parameters.map(\.value.description))
        XCTAssertEqual(b.trial.config.data.dir, a.trial.config.data.dir)
        XCTAssertEqual(b.configJSON, a.configJSON)
        XCTAssertEqual(Records.configJSON(b.trial.config), a.configJSON)
        XCTAssertEqual(b.attempt, 2)
        XCTAssertEqual(b.snapshots, a.snapshots)
        XCTAssertTrue(b.awaitsDecisions)
    }

    func testEpochMessageRoundTrips() throws {
        for e in [report(epoch: 3), report(epoch: 0, empty: true)] {
            let m = try Wire.decodeEpoch(encoded { Wire.encode(EpochMessage(trialID: "t", report: e), into: &$0) })
            XCTAssertEqual(m.trialID, "t")
            assertSame(m.report, e)
            XCTAssertEqual(m.report.batchLog.first?.diagnostics["gn_angle"]?.first, e.batchLog.first?.diagnostics["gn_angle"]?.first)
        }
    }

    func testDecisionRoundTrips() throws {
        for d in [DecisionMessage(stop: true, reason: "rung 2: below the top third"), DecisionMessage(stop: false, reason: "")] {
            XCTAssertEqual(try Wire.decodeDecision(encoded { Wire.encode(d, into: &$0) }), d)
        }
    }

    func outcome(withResult: Bool) -> OutcomeMessage {
        var result = RunResult(status: .pruned, message: "pruned at epoch 2", epochs: [report(epoch: 1), report(epoch: 2, empty: true)],
                               reconstructionLayers: [1, 2], seconds: 1.25)
        result.best = report(epoch: 1)
        let tensor = TensorPayload(name: "W1", role: "forward", shape: [2, 3], dtype: .float32,
                                   bytes: [Float](repeating: .nan, count: 6).withUnsafeBytes { Data($0) })
        let empty = TensorPayload(name: "", role: "feedback", shape: [0], dtype: .float64, bytes: Data())
        let snapshots = [SnapshotPayload(epoch: 2, tags: ["best", "final"], tensors: [tensor, empty]),
                         SnapshotPayload(epoch: 3, tags: [], tensors: [])]
        let o = TrialOutcome(status: withResult ? .pruned : .failed, message: String(repeating: "é", count: 70_000),
                             result: withResult ? result : nil, snapshots: withResult ? snapshots : [],
                             startedAt: 1.7e9, seconds: .nan, rank: 3, host: "node-7")
        return OutcomeMessage(trialID: "abc", attempt: 1, outcome: o)
    }

    func testOutcomeRoundTrips() throws {
        for m in [outcome(withResult: true), outcome(withResult: false)] {
            let bytes = encoded { Wire.encode(m, into: &$0) }
            let d = try Wire.decodeOutcome(bytes)
            XCTAssertEqual(encoded { Wire.encode(d, into: &$0) }, bytes)
            XCTAssertEqual(d.trialID, m.trialID)
            XCTAssertEqual(d.attempt, m.attempt)
            XCTAssertEqual(d.outcome.status, m.outcome.status)
            XCTAssertEqual(d.outcome.message, m.outcome.message)
            XCTAssertEqual(d.outcome.result?.epochs.count, m.outcome.result?.epochs.count)
            assertSame(d.outcome.result?.best, m.outcome.result?.best)
            XCTAssertEqual(d.outcome.snapshots.map(\.tags), m.outcome.snapshots.map(\.tags))
            XCTAssertEqual(d.outcome.snapshots.flatMap(\.tensors).map(\.bytes), m.outcome.snapshots.flatMap(\.tensors).map(\.bytes))
            XCTAssertEqual(d.outcome.snapshots.flatMap(\.tensors).map(\.shape), m.outcome.snapshots.flatMap(\.tensors).map(\.shape))
            XCTAssertTrue(d.outcome.seconds.isNaN)
            XCTAssertEqual(d.outcome.host, "node-7")
        }
    }

    /// Every prefix of every message kind is refused with an error, as are trailing bytes.
    func testTruncatedOrPaddedInputThrows() throws {
        let a = try assignment()
        var small = a
        small.configJSON = Records.configJSON(RunConfig())
        let messages: [([UInt8], ([UInt8]) throws -> Void)] = [
            (encoded { Wire.encode(small, into: &$0) }, { _ = try Wire.decodeAssignment($0) }),
            (encoded { Wire.encode(EpochMessage(trialID: "t", report: report(epoch: 1)), into: &$0) }, { _ = try Wire.decodeEpoch($0) }),
            (encoded { Wire.encode(DecisionMessage(stop: true, reason: "r"), into: &$0) }, { _ = try Wire.decodeDecision($0) }),
            (encoded { Wire.encode(outcome(withResult: true), into: &$0) }, { _ = try Wire.decodeOutcome($0) }),
        ]
        for (bytes, decode) in messages {
            XCTAssertNoThrow(try decode(bytes))
            // Every prefix, up to the first kilobytes (then a stride keeps the test quick).
            for n in Array(0 ..< min(bytes.count, 4096)) + Array(stride(from: 4096, to: bytes.count, by: 997)) {
                XCTAssertThrowsError(try decode(Array(bytes.prefix(n))), "prefix of \(n) of \(bytes.count) bytes")
            }
            XCTAssertThrowsError(try decode(bytes + [0])) { XCTAssertEqual($0 as? WireError, .trailingBytes(1)) }
        }
    }

    /// Shapes that do not describe a tensor's bytes (or whose product overflows) and the one epoch
    /// the store cannot name are refused, before rank 0's writer sees them.
    func testForgedSnapshotsThrow() throws {
        func outcome(shape: [Int], epoch: Int = 1) -> OutcomeMessage {
            var m = self.outcome(withResult: true)
            let tensor = TensorPayload(name: "W", role: "forward", shape: shape, dtype: .float32,
                                       bytes: [Float](repeating: 0, count: 4).withUnsafeBytes { Data($0) })
            m.outcome.snapshots = [SnapshotPayload(epoch: epoch, tags: ["final"], tensors: [tensor])]
            return m
        }
        XCTAssertNoThrow(try Wire.decodeOutcome(encoded { Wire.encode(outcome(shape: [2, 2]), into: &$0) }))
        for shape in [[1 << 40, 1 << 40], [4, -1], [3], [-2, -2]] {
            XCTAssertThrowsError(try Wire.decodeOutcome(encoded { Wire.encode(outcome(shape: shape), into: &$0) }),
                                 "shape \(shape)") { XCTAssertTrue($0 is WireError) }
        }
        XCTAssertThrowsError(try Wire.decodeOutcome(encoded { Wire.encode(outcome(shape: [4], epoch: .min), into: &$0) }))
    }

    func testUnknownVersionKindAndValuesThrow() throws {
        let decision = encoded { Wire.encode(DecisionMessage(stop: false, reason: ""), into: &$0) }
        var otherVersion = decision
        otherVersion[0] = Wire.version + 1
        XCTAssertThrowsError(try Wire.decodeDecision(otherVersion)) { XCTAssertEqual($0 as? WireError, .unknownVersion(Wire.version + 1)) }
        XCTAssertThrowsError(try Wire.decodeEpoch(decision)) {
            XCTAssertEqual($0 as? WireError, .unexpectedKind(expected: UInt8(WireTag.epoch.rawValue), found: UInt8(WireTag.decision.rawValue)))
        }
        var notABool = decision
        notABool[2] = 7
        XCTAssertThrowsError(try Wire.decodeDecision(notABool)) { XCTAssertEqual($0 as? WireError, .invalid("7 is not a boolean")) }
        // A count claiming more elements than the message has bytes fails before allocating.
        var hugeCount = decision
        hugeCount.replaceSubrange(3 ..< 7, with: [0xFF, 0xFF, 0xFF, 0x7F])
        XCTAssertThrowsError(try Wire.decodeDecision(hugeCount)) { XCTAssertTrue($0 is WireError) }
        var badStatus = encoded { Wire.encode(outcome(withResult: false), into: &$0) }
        badStatus[2 + 4 + 3 + 8 + 4] = UInt8(ascii: "X")  // "failed" → "Xailed"
        XCTAssertThrowsError(try Wire.decodeOutcome(badStatus)) { XCTAssertEqual($0 as? WireError, .invalid("trial status 'Xailed'")) }
        // Deeply nested lists are refused rather than recursed into.
        var w = WireWriter()
        for _ in 0 ... WireReader.maximumNesting { w.byte(5); w.count(1) }
        w.byte(0)
        var r = WireReader(w.bytes)
        XCTAssertThrowsError(try r.configValue()) { XCTAssertTrue($0 is WireError) }
        var unknownType = WireReader([9])
        XCTAssertThrowsError(try unknownType.configValue()) { XCTAssertEqual($0 as? WireError, .invalid("unknown value type 9")) }
    }
}
