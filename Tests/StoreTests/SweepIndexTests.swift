import Foundation
import XCTest
import HDF5Kit
@testable import Store

final class SweepIndexTests: XCTestCase {
    func index(planned: Int = 3) -> SweepIndex {
        SweepIndex(name: "demo", identity: "sha256:abc", specText: "name: demo\n# µ — ✓\n",
                   planned: (0..<planned).map { PlannedTrial(id: "p\($0)", index: $0, parametersJSON: #"{"lr":\#($0)}"#, seed: 100 + $0) },
                   createdAt: 1_700_000_000, updatedAt: 1_700_000_500.5)
    }

    func testIndexRoundTrips() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        try store.writeIndex(index())
        XCTAssertEqual(try store.readIndex(), index())
        var updated = index(planned: 5)
        updated.updatedAt += 60
        try store.writeIndex(updated)
        XCTAssertEqual(try store.readIndex(), updated)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["sweep.h5", "trials"])
    }

    func testEmptyPlanAndNoTrials() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        try store.writeIndex(index(planned: 0))
        XCTAssertEqual(try store.readIndex(), index(planned: 0))
        let file = try H5File.open(store.indexPath)
        XCTAssertEqual(try file.openDataset("summary").shape(), [0])
        XCTAssertEqual(try file.openGroup("trials").children(), [])
    }

    func testSummaryTableAndLinks() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        var a = Fixtures.trial("a", index: 1)
        a.parameters = [("method", .string("dtp")), ("lr", .double(0.1)), ("hidden", .int(64)), ("flag", .bool(true))]
        var b = Fixtures.minimal("b", index: 0, status: "pruned")
        b.parameters = [("lr", .int(1)), ("seed", .int(5)), ("flag", .bool(false)), ("extra", .int(9))]
        b.summary = ["best_epoch": 0, "index": 3]
        try store.write(a)
        try store.write(b)
        try Data("junk".utf8).write(to: URL(fileURLWithPath: store.trialPath("corrupt")))
        try store.writeIndex(index())

        let file = try H5File.open(store.indexPath)
        let table = try file.readTable("summary")
        func column(_ name: String) -> H5ColumnValues? { table.first { $0.name == name }?.values }
        XCTAssertEqual(table.map(\.name), [
            "id", "index", "status", "message", "seed", "rank", "host", "started_at", "seconds", "epochs", "attempts",
            "lr", "param_seed", "flag", "extra", "method", "hidden",  // first appearance, trials by index
            "best_epoch", "best_validation_accuracy", "summary_index", "test_accuracy_at_best",
        ])
        XCTAssertEqual(column("id"), .string(["b", "a"]), "rows by index; the corrupt file is left out")
        XCTAssertEqual(column("status"), .string(["pruned", "completed"]))
        XCTAssertEqual(column("epochs"), .int64([0, 3]))
        XCTAssertEqual(column("attempts"), .int64([1, 2]))
        XCTAssertEqual(column("method"), .string(["", "dtp"]))
        XCTAssertEqual(column("lr"), .double([1, 0.1]), "int and double → double")
        XCTAssertEqual(column("hidden"), .int64([SummaryTable.missingInt, 64]))
        XCTAssertEqual(column("flag"), .int64([0, 1]), "bool → 0/1")
        XCTAssertEqual(column("param_seed"), .int64([5, SummaryTable.missingInt]))
        guard case .double(let accuracy) = column("best_validation_accuracy") else { return XCTFail() }
        XCTAssertTrue(accuracy[0].isNaN)
        XCTAssertEqual(accuracy[1], 0.7)
        guard case .double(let summaryIndex) = column("summary_index") else { return XCTFail() }
        XCTAssertEqual(summaryIndex[0], 3, "a summary key that clashes with a fixed column gets a prefix")
        XCTAssertTrue(summaryIndex[1].isNaN)
        XCTAssertEqual(try file.attribute("parameter_keys"), .stringArray(["lr", "seed", "flag", "extra", "method", "hidden"]))
        XCTAssertEqual(try file.attribute("parameter_columns"), .stringArray(["lr", "param_seed", "flag", "extra", "method", "hidden"]))
        XCTAssertEqual(try file.attribute("summary_columns"),
                       .stringArray(["best_epoch", "best_validation_accuracy", "summary_index", "test_accuracy_at_best"]))
        XCTAssertEqual(try file.attribute("trial_count"), .int64(2))

        let trials = try file.openGroup("trials")
        XCTAssertEqual(try trials.children(), ["b", "a"])
        XCTAssertEqual(try trials.externalLinkTarget("a")?.file, "trials/a.h5")
        XCTAssertEqual(try trials.readDataset("a/metrics/validation_accuracy", as: Double.self).values, [0.5, 0.6, 0.7])
        XCTAssertEqual(try trials.openGroup("b").stringAttribute("status"), "pruned")
        XCTAssertEqual(try file.readTable("plan").first?.values, .string(["p0", "p1", "p2"]))
    }

    func testParameterColumnTyping() {
        let missing = SummaryTable.missingInt
        XCTAssertEqual(SummaryTable.parameterColumn([.int(1), nil, .int(3)]), .int64([1, missing, 3]))
        XCTAssertEqual(SummaryTable.parameterColumn([.bool(true), .int(3)]), .int64([1, 3]))
        XCTAssertEqual(SummaryTable.parameterColumn([.string("a"), .int(3), .double(0.5), .bool(false), nil]),
                       .string(["a", "3", "0.5", "false", ""]))
        guard case .double(let d) = SummaryTable.parameterColumn([.double(0.25), nil, .int(2)]) else { return XCTFail() }
        XCTAssertEqual(d[0], 0.25)
        XCTAssertTrue(d[1].isNaN)
        XCTAssertEqual(d[2], 2)
    }

    func testAnIndexFileOfAnotherKindIsRejected() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        _ = try H5File.create(store.indexPath)
        XCTAssertThrowsError(try store.readIndex()) { XCTAssertTrue("\($0)".contains("not a tpsweep sweep index"), "\($0)") }
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: store.indexPath))
        XCTAssertThrowsError(try store.readIndex()) { XCTAssertEqual(($0 as? HDF5Error)?.file, store.indexPath) }
    }
}
