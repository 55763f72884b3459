import XCTest
@testable import HDF5Kit

final class AttributeTests: XCTestCase {
    func testEveryAttributeTypeRoundTrips() throws {
        let dir = TestDirectory()
        let values: [(String, H5AttributeValue)] = [
            ("int", .int64(-42)),
            ("int_min", .int64(.min)),
            ("double", .double(3.141592653589793)),
            ("nan", .double(.infinity)),
            ("true", .bool(true)),
            ("false", .bool(false)),
            ("ascii", .string("hello")),
            ("utf8", .string("µ-sweep — ✓ 日本")),
            ("empty_string", .string("")),
            ("ints", .int64Array([1, -2, .max])),
            ("doubles", .doubleArray([0.5, -1e300, 2])),
            ("empty_doubles", .doubleArray([])),
            ("strings", .stringArray(["a", "ß", ""])),
            ("empty_strings", .stringArray([])),
        ]
        do {
            let file = try H5File.create(dir.file("a.h5"))
            let group = try file.createGroup("g")
            for (name, value) in values {
                try file.setAttribute(name, value)
                try group.setAttribute(name, value)
            }
            let dataset = try group.createDataset("d", values: [1.0, 2.0])
            try dataset.setAttribute("units", .string("s"))
        }
        let file = try H5File.open(dir.file("a.h5"))
        for (name, value) in values {
            XCTAssertEqual(try file.attribute(name), value, name)
            XCTAssertEqual(try file.openGroup("g").attribute(name), value, name)
        }
        XCTAssertEqual(try file.openGroup("g").openDataset("d").stringAttribute("units"), "s")
        XCTAssertEqual(try file.int64Attribute("int"), -42)
        XCTAssertEqual(try file.doubleAttribute("int"), -42, "an integer reads as a double too")
        XCTAssertEqual(try file.boolAttribute("true"), true)
        XCTAssertEqual(try file.stringAttribute("utf8"), "µ-sweep — ✓ 日本")
        XCTAssertThrowsError(try file.int64Attribute("ascii")) { error in
            let e = error as! HDF5Error
            XCTAssertTrue(e.description.contains("not int64"), e.description)
            XCTAssertTrue(e.path.contains("@ascii"), e.path)
        }
        XCTAssertTrue(try file.hasAttribute("int"))
        XCTAssertFalse(try file.hasAttribute("nope"))
        XCTAssertThrowsError(try file.attribute("nope")) { error in
            let e = error as! HDF5Error
            XCTAssertEqual(e.call, "H5Aopen")
            XCTAssertEqual(e.file, dir.file("a.h5"))
            XCTAssertFalse(e.stack.isEmpty)
        }
    }

    func testSettingAnAttributeAgainReplacesIt() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("a.h5"))
        try file.setAttribute("x", .int64(1))
        try file.setAttribute("x", .string("now a string"))
        XCTAssertEqual(try file.attribute("x"), .string("now a string"))
        try file.deleteAttribute("x")
        XCTAssertFalse(try file.hasAttribute("x"))
    }

    func testAttributeOrderIsCreationOrderOnlyWhenTracked() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("a.h5"))
        let tracked = try file.createGroup("tracked", trackOrder: true)
        let plain = try file.createGroup("plain")
        for name in ["zeta", "alpha", "mu"] {
            try tracked.setAttribute(name, .int64(1))
            try plain.setAttribute(name, .int64(1))
        }
        XCTAssertEqual(try tracked.attributeNames(), ["zeta", "alpha", "mu"])
        XCTAssertEqual(try plain.attributeNames(), ["alpha", "mu", "zeta"])
        XCTAssertEqual(try tracked.attributes().map(\.name), ["zeta", "alpha", "mu"])
    }

    func testStringsWithNULAreRejected() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("a.h5"))
        XCTAssertThrowsError(try file.setAttribute("s", .string("a\u{0}b")))
    }
}
