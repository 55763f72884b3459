import Foundation
import TPConfig
import XCTest
@testable import Sweep

final class TrialIdentityTests: XCTestCase {
    static let spec = """
        name: ids
        seed: 4
        base: {epochs: 3}
        parameters:
          method: {grid: [bp, drl]}
          batch_size: {grid: [64, 128]}
          optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}
        sampler: {kind: random, samples: 5}
        seeds: 2
        """

    func testFNV1aMatchesPublishedVectors() {
        XCTAssertEqual(StableHash.hex(of: ""), "cbf29ce484222325")
        XCTAssertEqual(StableHash.hex(of: "a"), "af63dc4c8601ec8c")
        XCTAssertEqual(StableHash.hex(of: "foobar"), "85944171f73967e8")
    }

    func testIdsAreStableAcrossPlansUniqueAndHex() throws {
        let first = try SweepSpec(yaml: Self.spec, source: "a.yaml").plan()
        let second = try SweepSpec(yaml: Self.spec, source: "b.yaml").plan()
        XCTAssertEqual(first.count, 2 * 2 * 5 * 2)
        XCTAssertEqual(first.map(\.id), second.map(\.id))
        XCTAssertEqual(Set(first.map(\.id)).count, first.count)
        XCTAssertTrue(first.allSatisfy { $0.id.count == 16 && UInt64($0.id, radix: 16) != nil })
        XCTAssertEqual(try SweepSpec(yaml: Self.spec, source: "a.yaml").identity,
                       try SweepSpec(yaml: Self.spec, source: "b.yaml").identity)
    }

    /// A second process (this test binary, running only `testWriteIdsForParentProcess`) plans the
    /// same spec; its ids must equal ours, which `Hasher` (seeded per process) would not give.
    func testIdsAreStableAcrossProcesses() throws {
        let executable = ProcessInfo.processInfo.arguments[0]
        guard executable.hasSuffix(".xctest") else {
            throw XCTSkip("needs the Linux test executable to rerun itself; running in \(executable)")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-ids-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = ["SweepTests.TrialIdentityTests/testWriteIdsForParentProcess"]
        child.environment = ProcessInfo.processInfo.environment.merging(["SWEEP_IDS_OUT": output]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        XCTAssertEqual(child.terminationStatus, 0)
        let theirs = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertEqual(theirs, try Self.idsText())
    }

    /// Does its work only when a parent test asks for it (`SWEEP_IDS_OUT` names the file).
    func testWriteIdsForParentProcess() throws {
        guard let path = ProcessInfo.processInfo.environment["SWEEP_IDS_OUT"] else { return }
        try Self.idsText().write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func idsText() throws -> String {
        let spec = try SweepSpec(yaml: Self.spec, source: "ids.yaml")
        return ([spec.identity] + (try spec.plan().map(\.id))).joined(separator: "\n")
    }

    func testChangingBaseChangesIdentityButNotIds() throws {
        let original = try SweepSpec(yaml: Self.spec, source: "ids.yaml")
        let edited = try SweepSpec(yaml: Self.spec.replacingOccurrences(of: "epochs: 3", with: "epochs: 4"),
                                   source: "ids.yaml")
        XCTAssertNotEqual(original.identity, edited.identity)
        XCTAssertEqual(try original.plan().map(\.id), try edited.plan().map(\.id))
        XCTAssertEqual(try edited.plan().map(\.config.epochs), Array(repeating: 4, count: 40))
    }

    func testChangingAParameterChangesTheIdsOfTheSetsItChanges() throws {
        let original = try SweepSpec(yaml: Self.spec, source: "ids.yaml").plan()
        // 128 → 256: the batch-64 trials keep their ids, the others get new ones.
        let edited = try SweepSpec(yaml: Self.spec.replacingOccurrences(of: "[64, 128]", with: "[64, 256]"),
                                   source: "ids.yaml").plan()
        for (old, new) in zip(original, edited) {
            XCTAssertEqual(old.parameters.map(\.key), new.parameters.map(\.key))
            if old.config.batchSize == 64 {
                XCTAssertEqual(old.id, new.id, old.label)
            } else {
                XCTAssertNotEqual(old.id, new.id, old.label)
            }
        }
        // New bounds give new draws, hence new ids everywhere; so does a new sweep seed or name.
        for (find, replace) in [("1.0e-3", "2.0e-3"), ("seed: 4", "seed: 5"), ("name: ids", "name: ids2")] {
            let changed = try SweepSpec(yaml: Self.spec.replacingOccurrences(of: find, with: replace), source: "x")
            XCTAssertTrue(Set(try changed.plan().map(\.id)).isDisjoint(with: original.map(\.id)), replace)
            XCTAssertNotEqual(changed.identity, try SweepSpec(yaml: Self.spec, source: "x").identity, replace)
        }
    }

    func testReorderingParametersKeepsIdsOfTheSameSets() throws {
        let a = try SweepSpec(yaml: "name: r\nparameters:\n  method: {grid: [bp, drl]}\n  batch_size: {grid: [64, 128]}\n",
                              source: "r.yaml")
        let b = try SweepSpec(yaml: "name: r\nparameters:\n  batch_size: {grid: [64, 128]}\n  method: {grid: [bp, drl]}\n",
                              source: "r.yaml")
        XCTAssertEqual(Set(try a.plan().map(\.id)), Set(try b.plan().map(\.id)))
        XCTAssertNotEqual(a.identity, b.identity)  // the order changes the plan's order
    }

    func testTheSameExperimentDrawnTwiceIsPlannedOnce() throws {
        let spec = try SweepSpec(yaml: """
            name: dup
            parameters: {batch_size: {choice: [64, 128]}}
            sampler: {kind: random, samples: 20}
            seeds: 2
            """, source: "dup.yaml")
        let trials = try spec.plan()
        XCTAssertEqual(Set(trials.map(\.id)).count, trials.count)
        XCTAssertEqual(trials.count, 4)  // two batch sizes × two seeds
    }
}
