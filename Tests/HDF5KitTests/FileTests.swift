import Foundation
import XCTest
@testable import HDF5Kit

final class FileTests: XCTestCase {
    func testGarbageFileThrowsNamingThePath() throws {
        let dir = TestDirectory()
        let path = dir.file("garbage.h5")
        try Data("this is not an HDF5 file, just some text\n".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try H5File.open(path)) { error in
            guard let e = error as? HDF5Error else { return XCTFail("\(error)") }
            XCTAssertEqual(e.call, "H5Fopen")
            XCTAssertEqual(e.file, path)
            XCTAssertEqual(e.path, path)
            XCTAssertTrue(e.description.contains(path), e.description)
            XCTAssertTrue(e.message.lowercased().contains("signature"), e.message)
        }
    }

    func testEmptyFileThrows() throws {
        let dir = TestDirectory()
        let path = dir.file("empty.h5")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        XCTAssertThrowsError(try H5File.open(path)) { XCTAssertEqual(($0 as? HDF5Error)?.file, path) }
    }

    func testTruncatedFileThrowsNamingThePath() throws {
        let dir = TestDirectory()
        let whole = dir.file("whole.h5")
        do {
            let file = try H5File.create(whole)
            try file.createDataset("big", values: (0..<50_000).map { Double($0) })
            try file.setAttribute("note", .string("complete"))
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        for fraction in [0.9, 0.5, 0.1, 0.001] {
            let path = dir.file("cut-\(fraction).h5")
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try H5File.open(path).readDataset("big", as: Double.self), "\(fraction)") { error in
                guard let e = error as? HDF5Error else { return XCTFail("\(error)") }
                XCTAssertEqual(e.file, path)
                XCTAssertTrue(e.description.contains(path), e.description)
            }
        }
    }

    func testMissingFileThrows() {
        XCTAssertThrowsError(try H5File.open("/nonexistent/dir/x.h5")) { error in
            XCTAssertEqual((error as? HDF5Error)?.file, "/nonexistent/dir/x.h5")
        }
    }

    func testCreateModes() throws {
        let dir = TestDirectory()
        let path = dir.file("m.h5")
        do {
            let file = try H5File.create(path)
            try file.setAttribute("v", .int64(1))
        }
        XCTAssertThrowsError(try H5File.create(path, mode: .exclusive)) { error in
            XCTAssertEqual((error as? HDF5Error)?.call, "H5Fcreate")
        }
        XCTAssertEqual(try H5File.open(path).int64Attribute("v"), 1, "a failed exclusive create leaves the file alone")
        _ = try H5File.create(path, mode: .truncate)
        XCTAssertFalse(try H5File.open(path).hasAttribute("v"))
        do {
            let file = try H5File.open(path, mode: .readWrite)
            try file.setAttribute("w", .int64(2))
            try file.flush()
        }
        XCTAssertEqual(try H5File.open(path).int64Attribute("w"), 2)
        XCTAssertThrowsError(try H5File.open(path).setAttribute("x", .int64(3)), "read-only")
    }

    func testCloseInvalidatesTheFileAndItsObjects() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("c.h5"))
        let group = try file.createGroup("g")
        try file.close()
        XCTAssertFalse(file.isOpen)
        try file.close()  // twice is fine
        XCTAssertThrowsError(try file.setAttribute("a", .int64(1)))
        XCTAssertThrowsError(try group.createGroup("h")) { XCTAssertTrue("\($0)".contains("closed"), "\($0)") }
        XCTAssertTrue(try H5File.open(dir.file("c.h5")).exists("g"))
    }

    func testObjectsKeepTheirFileOpen() throws {
        let dir = TestDirectory()
        let group = try H5File.create(dir.file("k.h5")).createGroup("g")
        try group.setAttribute("a", .int64(1))
        XCTAssertEqual(try group.int64Attribute("a"), 1)
    }

    func testConcurrentUseOfSeparateFiles() throws {
        let dir = TestDirectory()
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let path = dir.file("p\(i).h5")
                do {
                    let file = try H5File.create(path)
                    try file.createDataset("x", values: (0..<1000).map { Double($0 * i) })
                    try file.setAttribute("i", .int64(Int64(i)))
                    _ = try? H5File.open(dir.file("missing-\(i).h5"))  // errors on other threads meanwhile
                }
                let file = try H5File.open(path)
                if try file.int64Attribute("i") != Int64(i) || file.readDataset("x", as: Double.self).values[1] != Double(i) {
                    failures.add("wrong content in \(path)")
                }
            } catch {
                failures.add("\(error)")
            }
        }
        XCTAssertEqual(failures.list, [])
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var list: [String] { lock.lock(); defer { lock.unlock() }; return items }
}
