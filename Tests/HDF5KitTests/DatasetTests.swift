import XCTest
@testable import HDF5Kit

final class DatasetTests: XCTestCase {
    func testEveryElementTypeRoundTripsInOneAndNDimensions() throws {
        let dir = TestDirectory()
        let path = dir.file("d.h5")
        do {
            let file = try H5File.create(path)
            try file.createDataset("f32", values: [Float](arrayLiteral: 1.5, -2, .greatestFiniteMagnitude))
            try file.createDataset("f64", values: (0..<24).map { Double($0) / 7 }, shape: [2, 3, 4])
            try file.createDataset("i64", values: [Int64.min, 0, .max, 7, 8, 9], shape: [3, 2])
            try file.createDataset("i32", values: [Int32.min, 1, .max])
            try file.createDataset("u8", values: [UInt8](0...255), shape: [16, 16])
            try file.createDataset("scalar", values: [2.5], shape: [])
            try file.createDataset("empty", values: [Float](), shape: [0, 5])
        }
        let file = try H5File.open(path)
        XCTAssertEqual(try file.readDataset("f32", as: Float.self), H5Array(shape: [3], values: [1.5, -2, .greatestFiniteMagnitude]))
        XCTAssertEqual(try file.readDataset("f64", as: Double.self), H5Array(shape: [2, 3, 4], values: (0..<24).map { Double($0) / 7 }))
        XCTAssertEqual(try file.readDataset("i64", as: Int64.self), H5Array(shape: [3, 2], values: [.min, 0, .max, 7, 8, 9]))
        XCTAssertEqual(try file.readDataset("i32", as: Int32.self), H5Array(shape: [3], values: [.min, 1, .max]))
        XCTAssertEqual(try file.readDataset("u8", as: UInt8.self), H5Array(shape: [16, 16], values: [UInt8](0...255)))
        XCTAssertEqual(try file.readDataset("scalar", as: Double.self), H5Array(shape: [], values: [2.5]))
        XCTAssertEqual(try file.readDataset("empty", as: Float.self), H5Array(shape: [0, 5], values: []))

        let types: [(String, H5ElementType)] = [("f32", .float32), ("f64", .float64), ("i64", .int64),
                                                ("i32", .int32), ("u8", .uint8)]
        for (name, type) in types {
            XCTAssertEqual(try file.openDataset(name).elementType(), type, name)
        }
        // HDF5 converts on read: float32 → float64, int32 → int64.
        XCTAssertEqual(try file.readDataset("f32", as: Double.self).values[0], 1.5)
        XCTAssertEqual(try file.readDataset("i32", as: Int64.self).values, [Int64(Int32.min), 1, Int64(Int32.max)])
    }

    func testCompressedChunkedDatasetRoundTripsAndIsSmaller() throws {
        let dir = TestDirectory()
        let values = (0..<100_000).map { Double($0 % 10) }
        do {
            let file = try H5File.create(dir.file("z.h5"))
            try file.createDataset("auto", values: values, shape: [1000, 100], options: H5DatasetOptions(gzip: 6, shuffle: true))
            try file.createDataset("chunks", values: values, shape: [1000, 100], options: H5DatasetOptions(chunks: [100, 100], gzip: 1))
            try file.createDataset("chunked_only", values: values, options: H5DatasetOptions(chunks: [4096]))
        }
        let file = try H5File.open(dir.file("z.h5"))
        for name in ["auto", "chunks", "chunked_only"] {
            XCTAssertEqual(try file.readDataset(name, as: Double.self).values, values, name)
        }
        let size = try FileManager.default.attributesOfItem(atPath: dir.file("z.h5"))[.size] as! Int
        XCTAssertLessThan(size, 100_000 * 8 + 100_000, "two compressed copies and one plain copy")
    }

    func testBadShapesAndChunksThrowWithoutWritingAnything() throws {
        let dir = TestDirectory()
        let file = try H5File.create(dir.file("a.h5"))
        XCTAssertThrowsError(try file.createDataset("x", values: [1.0, 2, 3], shape: [2, 2])) { error in
            XCTAssertTrue("\(error)".contains("shape [2, 2] does not hold 3 values"), "\(error)")
            XCTAssertTrue("\(error)".contains("a.h5:/x"), "\(error)")
        }
        XCTAssertFalse(try file.exists("x"))
        XCTAssertThrowsError(try file.createDataset("y", values: [1.0, 2], options: H5DatasetOptions(chunks: [3])))
        XCTAssertThrowsError(try file.createDataset("z", values: [1.0], shape: [], options: H5DatasetOptions(gzip: 4)))
        try file.createDataset("taken", values: [1.0])
        XCTAssertThrowsError(try file.createDataset("taken", values: [2.0])) { error in
            XCTAssertEqual((error as! HDF5Error).call, "H5Dcreate2")
        }
    }

    func testStringDatasets() throws {
        let dir = TestDirectory()
        let text = "name: sweep\n# µ — ✓\n"
        do {
            let file = try H5File.create(dir.file("s.h5"))
            try file.createStringDataset("spec", value: text)
            try file.createStringDataset("empty", value: "")
        }
        let file = try H5File.open(dir.file("s.h5"))
        XCTAssertEqual(try file.openDataset("spec").readString(), text)
        XCTAssertEqual(try file.openDataset("spec").elementType(), .string)
        XCTAssertEqual(try file.openDataset("empty").readString(), "")
        XCTAssertThrowsError(try file.readDataset("spec", as: Double.self))
    }

    func testAutomaticChunksStayUnderAMebibyte() {
        XCTAssertEqual(automaticChunks(shape: [100, 10], elementSize: 8), [100, 10])
        let big = automaticChunks(shape: [784, 1024], elementSize: 4)
        XCTAssertLessThanOrEqual(big.reduce(4, *), 1 << 20)
        XCTAssertTrue(zip(big, [784, 1024]).allSatisfy { $0 > 0 && $0 <= $1 })
    }
}
