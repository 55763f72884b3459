import XCTest
@testable import HDF5Kit

final class TableTests: XCTestCase {
    func testCompoundTableRoundTrips() throws {
        let dir = TestDirectory()
        let columns = [
            H5Column("id", .string(["t0", "t1", "日本"])),
            H5Column("index", .int64([0, 1, .min])),
            H5Column("loss", .double([0.5, .infinity, -1e-300])),
            H5Column("note", .string(["", "a longer string — with UTF-8", "x"])),
        ]
        do {
            let file = try H5File.create(dir.file("t.h5"))
            let dataset = try file.createTable("summary", columns: columns)
            XCTAssertEqual(try dataset.elementType(), .compound)
            try file.createTable("empty", columns: [H5Column("id", .string([])), H5Column("x", .double([]))])
        }
        let file = try H5File.open(dir.file("t.h5"))
        XCTAssertEqual(try file.readTable("summary"), columns)
        XCTAssertEqual(try file.openDataset("summary").shape(), [3])
        XCTAssertEqual(try file.readTable("empty"), [H5Column("id", .string([])), H5Column("x", .double([]))])
    }

    func testBadTablesThrow() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("t.h5"))
        XCTAssertThrowsError(try file.createTable("none", columns: []))
        XCTAssertThrowsError(try file.createTable("ragged", columns: [H5Column("a", .int64([1])), H5Column("b", .int64([]))])) {
            XCTAssertTrue("\($0)".contains("column b has 0 rows"), "\($0)")
        }
        XCTAssertThrowsError(try file.createTable("twice", columns: [H5Column("a", .int64([1])), H5Column("a", .int64([2]))]))
        try file.createDataset("plain", values: [1.0])
        XCTAssertThrowsError(try file.readTable("plain")) { XCTAssertTrue("\($0)".contains("not a compound"), "\($0)") }
    }
}
