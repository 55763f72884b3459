import XCTest
@testable import HDF5Kit

final class GroupAndLinkTests: XCTestCase {
    func testGroupsCreateOpenExistAndList() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("g.h5"))
        let a = try file.createGroup("a")
        try a.createGroup("zz")
        try a.createGroup("b/c")  // creates b on the way
        try a.createDataset("data", values: [1.0])
        XCTAssertEqual(a.name, "/a")
        XCTAssertEqual(try file.openGroup("a/b/c").name, "/a/b/c")
        XCTAssertEqual(try a.openGroup("/a/b").name, "/a/b")
        XCTAssertEqual(try a.children(), ["b", "data", "zz"])
        XCTAssertTrue(try file.exists("a/b/c"))
        XCTAssertTrue(try file.exists("/a/b"))
        XCTAssertFalse(try file.exists("a/x/c"), "a missing middle component is not an error")
        XCTAssertFalse(try file.exists("nope"))
        XCTAssertEqual(try a.kind(of: "zz"), .group)
        XCTAssertEqual(try a.kind(of: "data"), .dataset)
        XCTAssertEqual(try file.requireGroup("a").name, "/a")
        XCTAssertEqual(try file.requireGroup("new").name, "/new")
        XCTAssertEqual(try file.children(), ["a", "new"])
        XCTAssertThrowsError(try file.createGroup("a")) { error in
            XCTAssertEqual((error as! HDF5Error).call, "H5Gcreate2")
            XCTAssertEqual((error as! HDF5Error).object, "/a")
        }
        XCTAssertThrowsError(try file.openGroup("missing")) { error in
            let e = error as! HDF5Error
            XCTAssertEqual(e.path, dir.file("g.h5") + ":/missing")
            XCTAssertTrue(e.description.contains("H5Gopen2"), e.description)
        }

        let ordered = try file.createGroup("ordered", trackOrder: true)
        for name in ["z", "a", "m"] { try ordered.createGroup(name) }
        XCTAssertEqual(try ordered.children(), ["z", "a", "m"])
        try ordered.deleteLink("a")
        XCTAssertEqual(try ordered.children(), ["z", "m"])
    }

    func testRootTracksOrderWhenAsked() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("o.h5"), trackOrder: true)
        for name in ["z", "a"] { try file.createGroup(name) }
        try file.setAttribute("z", .int64(0))
        try file.setAttribute("a", .int64(0))
        XCTAssertEqual(try file.children(), ["z", "a"])
        XCTAssertEqual(try file.attributeNames(), ["z", "a"])
        try file.close()
        let reopened = try H5File.open(dir.file("o.h5"))
        XCTAssertEqual(try reopened.children(), ["z", "a"], "the order survives reopening")
        XCTAssertEqual(try reopened.attributeNames(), ["z", "a"])
    }

    func testExternalLinksResolveRelativeToTheLinkingFile() throws {
        let dir = TestDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("parts"), withIntermediateDirectories: true)
        do {
            let part = try H5File.create(dir.file("parts/p1.h5"))
            try part.setAttribute("id", .string("p1"))
            try part.createDataset("metrics/loss", values: [3.0, 2.0, 1.0])
        }
        do {
            let index = try H5File.create(dir.file("index.h5"))
            try index.createExternalLink("links/p1", targetFile: "parts/p1.h5")
            try index.createExternalLink("links/loss", targetFile: "parts/p1.h5", targetPath: "/metrics/loss")
            try index.createExternalLink("links/dangling", targetFile: "parts/missing.h5")
        }
        // Open from another working directory: the relative target is found next to index.h5.
        let cwd = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath("/")
        defer { _ = FileManager.default.changeCurrentDirectoryPath(cwd) }
        let index = try H5File.open(dir.file("index.h5"))
        let links = try index.openGroup("links")
        XCTAssertEqual(try links.openGroup("p1").stringAttribute("id"), "p1")
        XCTAssertEqual(try index.readDataset("links/p1/metrics/loss", as: Double.self).values, [3, 2, 1])
        XCTAssertEqual(try links.readDataset("loss", as: Double.self).values, [3, 2, 1])
        XCTAssertEqual(try links.externalLinkTarget("p1")?.file, "parts/p1.h5")
        XCTAssertEqual(try links.externalLinkTarget("loss")?.path, "/metrics/loss")
        XCTAssertNil(try index.externalLinkTarget("links"), "a hard link is not external")
        XCTAssertTrue(try links.exists("dangling"), "the link exists even if its file does not")
        XCTAssertThrowsError(try links.openGroup("dangling")) { error in
            XCTAssertTrue("\(error)".contains("dangling"), "\(error)")
        }
    }
}
