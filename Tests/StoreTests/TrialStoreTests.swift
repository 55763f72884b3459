import Foundation
import XCTest
import HDF5Kit
@testable import Store

final class TrialStoreTests: XCTestCase {
    func testInitCreatesTheDirectories() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path + "/nested/sweep")
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.trialsDirectory, isDirectory: &isDirectory))
        XCTAssertTrue(isDirectory.boolValue)
        XCTAssertEqual(try store.storedTrialIDs(), [])
        XCTAssertNil(try store.readIndex())
    }

    func testFullTrialRoundTrips() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        let trial = Fixtures.trial()
        try store.write(trial)
        XCTAssertEqual(try store.storedTrialIDs(), ["t-0007"])
        let back = try store.read(trial: "t-0007")
        XCTAssertEqual(back, trial)
        XCTAssertEqual(back.parameters.map(\.key), ["method", "lr", "hidden", "use_bias", "zeta_last"], "order kept")
        XCTAssertEqual(back.epochs, 3)
    }

    func testMinimalTrialRoundTrips() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        let trial = Fixtures.minimal("bare", index: 0)
        try store.write(trial)
        XCTAssertEqual(try store.read(trial: "bare"), trial)
        XCTAssertEqual(try store.read(trial: "bare").epochs, 0)
    }

    func testCompressedSnapshotsRoundTrip() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path, snapshotCompression: 4)
        let trial = Fixtures.trial()
        try store.write(trial)
        XCTAssertEqual(try store.read(trial: trial.id), trial)
    }

    func testTrialFileLayout() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        try store.write(Fixtures.trial())
        let file = try H5File.open(store.trialPath("t-0007"))
        XCTAssertEqual(try file.attributeNames(), ["format", "format_version", "id", "index", "seed", "status", "message",
                                                   "rank", "host", "started_at", "seconds", "attempts", "epochs", "config_json"])
        XCTAssertEqual(try file.children(), ["parameters", "metrics", "layer_metrics", "summary", "snapshots"])
        XCTAssertEqual(try file.attribute("format"), .string("tpsweep.trial"))
        XCTAssertEqual(try file.attribute("started_at"), .double(1_700_000_000.125))
        XCTAssertEqual(try file.attribute("epochs"), .int64(3))
        let parameters = try file.openGroup("parameters")
        XCTAssertEqual(try parameters.attributes().map(\.name), ["method", "lr", "hidden", "use_bias", "zeta_last"])
        XCTAssertEqual(try parameters.attribute("use_bias"), .bool(true))
        XCTAssertEqual(try parameters.attribute("hidden"), .int64(256))
        XCTAssertEqual(try parameters.attribute("lr"), .double(3e-4))
        let loss = try file.openDataset("metrics/train_loss")
        XCTAssertEqual(try loss.elementType(), .float64)
        XCTAssertEqual(try loss.shape(), [3])
        XCTAssertEqual(try file.openDataset("layer_metrics/bp_angle").shape(), [3, 4])
        XCTAssertEqual(try file.openGroup("summary").attribute("best_epoch"), .double(2))
        XCTAssertEqual(try file.openGroup("snapshots").children(), ["epoch_0001", "epoch_0002"])
        let best = try file.openGroup("snapshots/epoch_0002")
        XCTAssertEqual(try best.attribute("epoch"), .int64(2))
        XCTAssertEqual(try best.attribute("tags"), .stringArray(["best", "final"]))
        XCTAssertEqual(try best.children(), ["forward", "feedback"])
        XCTAssertEqual(try best.openGroup("forward").children(), ["W1", "b1"])
        XCTAssertEqual(try best.openDataset("forward/W1").elementType(), .float32)
        XCTAssertEqual(try best.openDataset("forward/W1").shape(), [4, 3])
        XCTAssertEqual(try best.openDataset("feedback/J").elementType(), .float64)
        XCTAssertEqual(try best.openDataset("feedback/J").shape(), [2, 3, 2])
        XCTAssertEqual(try best.openDataset("feedback/s").shape(), [])
    }

    func testWriteReplacesAnExistingTrial() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        var trial = Fixtures.trial()
        try store.write(trial)
        trial.status = "diverged"
        trial.snapshots = []
        try store.write(trial)
        XCTAssertEqual(try store.read(trial: trial.id), trial)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.trialsDirectory), ["t-0007.h5"])
    }

    func testInvalidRecordsAreRejectedBeforeAnyFileIsMade() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        var cases: [(String, TrialRecord)] = []
        cases.append(("slash in id", Fixtures.minimal("a/b", index: 0)))
        cases.append(("dot id", Fixtures.minimal(".hidden", index: 0)))
        var t = Fixtures.trial(); t.layerMetrics["ragged"] = [[1, 2], [3]]; cases.append(("ragged", t))
        t = Fixtures.trial(); t.snapshots[0].tensors[0].shape = [5, 5]; cases.append(("shape", t))
        t = Fixtures.trial(); t.snapshots[1].epoch = 1; cases.append(("same epoch", t))
        t = Fixtures.trial(); t.parameters.append(("lr", .double(1))); cases.append(("duplicate parameter", t))
        t = Fixtures.trial(); t.epochMetrics["a/b"] = [1]; cases.append(("metric name", t))
        t = Fixtures.trial(); t.snapshots[0].tensors[1].name = "W1"; cases.append(("duplicate tensor", t))
        for (what, record) in cases {
            XCTAssertThrowsError(try store.write(record), what) { XCTAssertTrue($0 is StoreError, "\(what): \($0)") }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: store.trialsDirectory), [])
    }

    func testReadingAMissingTrialThrows() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        XCTAssertThrowsError(try store.read(trial: "nope")) { error in
            XCTAssertEqual((error as? StoreError)?.path, store.trialPath("nope"))
        }
    }

    /// A writer killed mid-write leaves only its temporary file: it is not a stored trial, it does
    /// not block a later write of the same trial, and it can be cleaned up.
    func testLeftoverTemporaryFilesAreIgnored() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        try store.write(Fixtures.trial("done", index: 0))
        // Half of a real trial file under a temporary name, as a kill -9 during the write would leave it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.trialPath("done")))
        let temporary = AtomicFile.temporaryPath(directory: store.trialsDirectory, finalName: "next.h5")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: temporary))
        let indexTemporary = AtomicFile.temporaryPath(directory: store.directory, finalName: "sweep.h5")
        try Data("partial".utf8).write(to: URL(fileURLWithPath: indexTemporary))

        XCTAssertEqual(try store.storedTrialIDs(), ["done"])
        let scan = try store.scanTrials()
        XCTAssertEqual(scan.corrupt, [:])
        XCTAssertEqual(scan.temporary, [(temporary as NSString).lastPathComponent])
        XCTAssertNil(try store.readIndex(), "a temporary index is not an index")

        try store.write(Fixtures.trial("next", index: 1))
        XCTAssertEqual(try store.storedTrialIDs(), ["done", "next"])
        XCTAssertEqual(try store.read(trial: "next"), Fixtures.trial("next", index: 1))

        let removed = try store.removeTemporaryFiles()
        XCTAssertEqual(Set(removed), [(temporary as NSString).lastPathComponent, (indexTemporary as NSString).lastPathComponent])
        XCTAssertEqual(try store.scanTrials().temporary, [])
    }

    func testCorruptTrialFilesAreReportedNotTrusted() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        try store.write(Fixtures.trial("good", index: 0))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: store.trialPath("good")))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: store.trialPath("truncated")))
        try Data("not hdf5".utf8).write(to: URL(fileURLWithPath: store.trialPath("garbage")))
        try bytes.write(to: URL(fileURLWithPath: store.trialPath("renamed")))  // holds trial "good"
        try Data().write(to: URL(fileURLWithPath: store.trialsDirectory + "/notes.txt"))  // not a trial file

        XCTAssertEqual(try store.storedTrialIDs(), ["good"])
        let scan = try store.scanTrials()
        XCTAssertEqual(Set(scan.corrupt.keys), ["truncated", "garbage", "renamed"])
        XCTAssertTrue(scan.corrupt["garbage"]!.contains(store.trialPath("garbage")), scan.corrupt["garbage"]!)
        XCTAssertTrue(scan.corrupt["truncated"]!.contains(store.trialPath("truncated")), scan.corrupt["truncated"]!)
        XCTAssertTrue(scan.corrupt["renamed"]!.contains("holds trial good"), scan.corrupt["renamed"]!)

        XCTAssertThrowsError(try store.read(trial: "garbage")) { error in
            guard let e = error as? HDF5Error else { return XCTFail("\(error)") }
            XCTAssertEqual(e.file, store.trialPath("garbage"))
            XCTAssertTrue(e.description.contains("signature"), e.description)
        }
        XCTAssertThrowsError(try store.read(trial: "truncated")) { error in
            XCTAssertTrue("\(error)".contains(store.trialPath("truncated")), "\(error)")
        }

        // Re-running the trial replaces the corrupt file.
        try store.write(Fixtures.trial("truncated", index: 1))
        XCTAssertEqual(try store.storedTrialIDs(), ["good", "truncated"])
    }

    func testConcurrentWritesOfDifferentTrials() throws {
        let dir = TestDirectory()
        let store = try SweepStore(directory: dir.path)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do { try store.write(Fixtures.trial("c\(i)", index: i)) } catch { failures.add("\(error)") }
        }
        XCTAssertEqual(failures.list, [])
        XCTAssertEqual(try store.storedTrialIDs(), Set((0..<8).map { "c\($0)" }))
        for i in 0..<8 { XCTAssertEqual(try store.read(trial: "c\(i)"), Fixtures.trial("c\(i)", index: i)) }
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var list: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
