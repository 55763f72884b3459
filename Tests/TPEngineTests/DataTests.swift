import CZlib
import Foundation
import XCTest
@testable import TPEngine

/// Writes files in the real IDX format (gzip or raw) into a fresh temporary directory.
private struct IDXFixture {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "tpsweep-data-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    /// The bytes of an IDX file of unsigned bytes with the given dimensions.
    static func idx(dims: [Int], payload: [UInt8], typeCode: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, typeCode, UInt8(dims.count)]
        for d in dims { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return bytes + payload
    }

    /// Writes `bytes` to `name`, gzip-compressed when the name ends in .gz.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir + "/" + name
        if name.hasSuffix(".gz") {
            let file = gzopen(path, "wb")!
            bytes.withUnsafeBytes { _ = gzwrite(file, $0.baseAddress, UInt32($0.count)) }
            gzclose(file)
        } else {
            precondition(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "cannot write \(path)")
        }
        return path
    }

    /// A complete MNIST-layout directory: `trainCount` and `testCount` 2×2 images with
    /// pixel value (image index + pixel index) and label (image index mod 3).
    func writeDataset(trainCount: Int, testCount: Int) {
        for (part, n) in [("train", trainCount), ("t10k", testCount)] {
            let pixels = (0 ..< n * 4).map { UInt8(($0 / 4 + $0 % 4) % 256) }
            write("\(part)-images-idx3-ubyte.gz", Self.idx(dims: [n, 2, 2], payload: pixels))
            write("\(part)-labels-idx1-ubyte.gz", Self.idx(dims: [n], payload: (0..<n).map { UInt8($0 % 3) }))
        }
    }
}

private let fashionDir = DataSource.fashionMNISTDirectory

private func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
    a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
}

/// Fashion-MNIST loaded once for all tests that need it (decompression is the slow part).
private let fashionSplits = Result<DataSplits<Float>, any Error> {
    try loadSplits(.fashionMNIST(), validationSize: 5000, trainSubset: 0, testSubset: 0, seed: 7)
}

final class IDXReaderTests: XCTestCase {
    func testReadsGzipAndRawFiles() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let payload: [UInt8] = (0..<12).map { UInt8($0 * 20) }
        let bytes = IDXFixture.idx(dims: [2, 3, 2], payload: payload)
        for name in ["small-idx3-ubyte.gz", "small-idx3-ubyte"] {
            let file = try IDXReader.read(fixture.write(name, bytes))
            XCTAssertEqual(file.dims, [2, 3, 2], name)
            XCTAssertEqual(file.payload, payload, name)
        }
        let labels = try IDXReader.read(fixture.write("labels.gz", IDXFixture.idx(dims: [3], payload: [9, 0, 255])))
        XCTAssertEqual(labels.dims, [3])
        XCTAssertEqual(labels.payload, [9, 0, 255])
    }

    func testRealFashionMNISTFiles() throws {
        let trainImages = try IDXReader.read(fashionDir + "/train-images-idx3-ubyte.gz")
        let trainLabels = try IDXReader.read(fashionDir + "/train-labels-idx1-ubyte.gz")
        let testImages = try IDXReader.read(fashionDir + "/t10k-images-idx3-ubyte.gz")
        let testLabels = try IDXReader.read(fashionDir + "/t10k-labels-idx1-ubyte.gz")
        XCTAssertEqual(trainImages.dims, [60000, 28, 28])
        XCTAssertEqual(trainImages.payload.count, 60000 * 784)
        XCTAssertEqual(trainLabels.dims, [60000])
        XCTAssertEqual(testImages.dims, [10000, 28, 28])
        XCTAssertEqual(testLabels.dims, [10000])
        XCTAssertTrue(trainLabels.payload.allSatisfy { $0 <= 9 })
        var testCounts = [Int](repeating: 0, count: 10)
        for label in testLabels.payload { testCounts[Int(label)] += 1 }
        XCTAssertEqual(testCounts, [Int](repeating: 1000, count: 10))
        // Not an empty image set: real pictures use the whole byte range.
        XCTAssertEqual(trainImages.payload.max(), 255)
        XCTAssertEqual(trainImages.payload.min(), 0)
    }

    /// Each malformed input must name its file and say what is wrong.
    func testBadFilesGiveClearErrors() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        let good = IDXFixture.idx(dims: [3, 2, 2], payload: [UInt8](repeating: 1, count: 12))
        var cutStream = try Data(contentsOf: URL(fileURLWithPath: fixture.write("full.gz", good)))
        cutStream.removeLast(10)
        let cases: [(name: String, bytes: [UInt8]?, message: String)] = [
            ("absent-idx3-ubyte.gz", nil, "file not found"),
            ("truncated-idx3-ubyte.gz", Array(good.dropLast(2)), "truncated payload: expected 12 bytes, got 10"),
            ("magic-idx3-ubyte.gz", [0, 1, 8, 3] + good.dropFirst(4), "wrong magic 00 01 08 03"),
            ("float-idx3-ubyte.gz", IDXFixture.idx(dims: [3], payload: [UInt8](repeating: 0, count: 12), typeCode: 0x0D),
             "unsupported IDX type code 0x0d (float32)"),
            ("header-idx3-ubyte", [0, 0, 8, 3, 0, 0], "truncated header: expected 16 bytes, got 6"),
            ("long-idx3-ubyte", good + [7], "payload longer than the 12 bytes"),
        ]
        for c in cases {
            let path = fixture.dir + "/" + c.name
            if let bytes = c.bytes { fixture.write(c.name, bytes) }
            XCTAssertThrowsError(try IDXReader.read(path), c.name) { error in
                XCTAssertTrue("\(error)".hasPrefix(path + ": " + c.message), "\(c.name): \(error)")
            }
        }
        // Garbage under a .gz name, and a gzip stream cut short: zlib's own reason is passed on.
        let garbage = fixture.write("garbage-idx3-ubyte", Array("this is not gzip data at all".utf8))
        try FileManager.default.moveItem(atPath: garbage, toPath: garbage + ".gz")
        XCTAssertThrowsError(try IDXReader.read(garbage + ".gz")) { error in
            XCTAssertEqual("\(error)", "\(garbage).gz: not a gzip file, though the name ends in .gz")
        }
        let cut = fixture.dir + "/cut-idx3-ubyte.gz"
        try cutStream.write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try IDXReader.read(cut)) { error in
            XCTAssertTrue("\(error)".hasPrefix(cut + ": corrupt gzip data: "), "\(error)")
        }
    }

    /// Problems between an image file and its label file, found by the dataset loader.
    func testBadLabelFilesGiveClearErrors() throws {
        let cases: [(labels: [UInt8], dims: [Int], message: String)] = [
            ([0, 1], [2], "label count mismatch: 2 labels, but %IMAGES% holds 3 images"),
            ([0, 200, 1], [3], "label out of range: label 200 at index 1, expected 0...9"),
            ([0, 1, 2], [3, 1], "expected 1 dimension, the header declares 2 (3×1)"),
        ]
        for c in cases {
            let fixture = try IDXFixture()
            defer { fixture.remove() }
            fixture.writeDataset(trainCount: 3, testCount: 3)
            let labels = fixture.write("train-labels-idx1-ubyte.gz", IDXFixture.idx(dims: c.dims, payload: c.labels))
            let images = fixture.dir + "/train-images-idx3-ubyte.gz"
            XCTAssertThrowsError(try loadSplits(.fashionMNIST(dir: fixture.dir), validationSize: 1,
                                                seed: 0) as DataSplits<Float>) { error in
                XCTAssertEqual("\(error)", labels + ": " + c.message.replacingOccurrences(of: "%IMAGES%", with: images))
            }
        }
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        XCTAssertThrowsError(try loadSplits(.mnist(dir: fixture.dir), seed: 0) as DataSplits<Double>) { error in
            XCTAssertEqual("\(error)", "\(fixture.dir)/train-images-idx3-ubyte.gz: file not found "
                           + "(also tried \(fixture.dir)/train-images-idx3-ubyte)")
        }
    }
}

final class DatasetTests: XCTestCase {
    func testFashionMNISTSplits() throws {
        let splits = try fashionSplits.get()
        XCTAssertEqual(splits.train.count, 55000)
        XCTAssertEqual(splits.validation.count, 5000)
        XCTAssertEqual(splits.test.count, 10000)
        XCTAssertEqual(splits.train.name, "fashion-mnist/train")
        for part in [splits.train, splits.validation, splits.test] {
            XCTAssertEqual(part.inputDim, 784)
            XCTAssertEqual(part.targetDim, 10)
            XCTAssertEqual(part.numClasses, 10)
            XCTAssertEqual(part.labels.count, part.count)
            let x = part.inputs.toArray()
            XCTAssertEqual(x.min(), 0, part.name)
            XCTAssertEqual(x.max(), 1, part.name)
            // Targets are the one-hot rows of the labels.
            let y = part.targets.toArray()
            XCTAssertEqual(y, part.labels.flatMap { label in (0..<10).map { $0 == label ? Float(1) : 0 } }, part.name)
        }
        // Train and validation partition the 60000 training images: 6000 per class in all.
        var counts = [Int](repeating: 0, count: 10)
        for label in splits.train.labels + splits.validation.labels { counts[Int(label)] += 1 }
        XCTAssertEqual(counts, [Int](repeating: 6000, count: 10))
        // The test set keeps file order: its first image is the file's first image, scaled.
        let raw = try IDXReader.read(fashionDir + "/t10k-images-idx3-ubyte.gz")
        XCTAssertEqual(Array(splits.test.inputs.toArray()[..<784]), raw.payload[..<784].map { Float($0) / 255 })
    }

    func testSplitIsSeededPartition() throws {
        let plan = { (seed: UInt64) in
            try SplitPlan(trainPool: 60000, testCount: 10000, validationSize: 5000, trainSubset: 0,
                          testSubset: 0, seed: seed)
        }
        let a = try plan(7), b = try plan(7), c = try plan(8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a.validation, c.validation)
        XCTAssertEqual(Set(a.validation).count, 5000)
        XCTAssertTrue(Set(a.validation).isDisjoint(with: a.train))
        XCTAssertEqual(Set(a.validation).union(a.train), Set(0..<60000))
        XCTAssertEqual(a.test, Array(0..<10000))
        // Loaded data follow the plan: validation row 0 is training image plan.validation[0].
        let splits = try fashionSplits.get()
        let raw = try IDXReader.read(fashionDir + "/train-images-idx3-ubyte.gz")
        let source = a.validation[0] * 784
        XCTAssertEqual(Array(splits.validation.inputs.toArray()[..<784]),
                       raw.payload[source ..< source + 784].map { Float($0) / 255 })
    }

    func testSubsetsArePrefixesOfTheFullSplit() throws {
        let full = try fashionSplits.get()
        let small: DataSplits<Float> = try loadSplits(.fashionMNIST(), validationSize: 5000, trainSubset: 1000,
                                                      testSubset: 300, seed: 7)
        XCTAssertEqual(small.train.count, 1000)
        XCTAssertEqual(small.validation.count, 5000)
        XCTAssertEqual(small.test.count, 300)
        XCTAssertEqual(small.train.inputs.toArray(), Array(full.train.inputs.toArray()[..<(1000 * 784)]))
        XCTAssertEqual(small.train.labels, Array(full.train.labels[..<1000]))
        XCTAssertEqual(small.validation.labels, full.validation.labels)
        XCTAssertEqual(small.test.labels, Array(full.test.labels[..<300]))
    }

    func testParameterErrorsNameTheParameter() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        fixture.writeDataset(trainCount: 10, testCount: 4)
        let cases: [(validation: Int, train: Int, test: Int, message: String)] = [
            (10, 0, 0, "invalid validationSize = 10: must be smaller than the 10 training samples"),
            (12, 0, 0, "invalid validationSize = 12: must be smaller than the 10 training samples"),
            (-1, 0, 0, "invalid validationSize = -1: must be ≥ 0"),
            (3, 8, 0, "invalid trainSubset = 8: must be at most the 7 training samples left"),
            (3, 0, 5, "invalid testSubset = 5: must be at most the 4 test samples"),
        ]
        for c in cases {
            XCTAssertThrowsError(try loadSplits(.fashionMNIST(dir: fixture.dir), validationSize: c.validation,
                                                trainSubset: c.train, testSubset: c.test, seed: 1) as DataSplits<Float>,
                                 c.message) { error in
                XCTAssertTrue("\(error)".hasPrefix(c.message), "\(error)")
            }
        }
        let ok: DataSplits<Float> = try loadSplits(.fashionMNIST(dir: fixture.dir), validationSize: 9, seed: 1)
        XCTAssertEqual([ok.train.count, ok.validation.count, ok.test.count], [1, 9, 4])
        XCTAssertThrowsError(try loadSplits(.idx(dir: fixture.dir, normalization: .standardize(mean: 0, std: 0)),
                                            validationSize: 1, seed: 1) as DataSplits<Float>) { error in
            XCTAssertTrue("\(error)".hasPrefix("invalid normalization.std = 0.0"), "\(error)")
        }
    }

    func testNormalizationsAndUncompressedFiles() throws {
        let fixture = try IDXFixture()
        defer { fixture.remove() }
        fixture.writeDataset(trainCount: 6, testCount: 2)
        // The uncompressed test images replace the gzip ones: both forms are found.
        let rawTest: [UInt8] = [0, 255, 51, 102, 10, 20, 30, 40]
        try FileManager.default.removeItem(atPath: fixture.dir + "/t10k-images-idx3-ubyte.gz")
        fixture.write("t10k-images-idx3-ubyte", IDXFixture.idx(dims: [2, 2, 2], payload: rawTest))
        let mnist: DataSplits<Double> = try loadSplits(.mnist(dir: fixture.dir), validationSize: 2, seed: 3)
        let unit: DataSplits<Double> = try loadSplits(.idx(dir: fixture.dir, normalization: .unit, numClasses: 3),
                                                      validationSize: 2, seed: 3)
        XCTAssertEqual(unit.test.name, fixture.dir.split(separator: "/").last! + "/test")
        XCTAssertEqual(unit.test.targetDim, 3)
        XCTAssertEqual(mnist.test.targetDim, 10)
        XCTAssertEqual(maxDifference(unit.test.inputs.toArray(), rawTest.map { Double($0) / 255 }), 0, accuracy: 1e-15)
        XCTAssertEqual(maxDifference(mnist.test.inputs.toArray(), rawTest.map { (Double($0) / 255 - 0.1307) / 0.3081 }),
                       0, accuracy: 1e-12)
        // Training rows: image i has pixels i, i+1, i+2, i+3 and label i mod 3.
        for part in [unit.train, unit.validation] {
            let images = (0..<part.count).map { Int(part.inputs[$0, 0] * 255 + 0.5) }
            XCTAssertEqual(part.labels, images.map { Int32($0 % 3) })
            XCTAssertEqual(maxDifference(part.inputs.toArray(), images.flatMap { i in (0..<4).map { Double(i + $0) / 255 } }),
                           0, accuracy: 1e-15)
        }
        // Together they hold each of the six training images once.
        let firstPixels = [unit.train, unit.validation].flatMap { part in (0..<part.count).map { part.inputs[$0, 0] } }
        XCTAssertEqual(firstPixels.map { Int($0 * 255 + 0.5) }.sorted(), Array(0..<6))
    }

    func testGatherBatchCopiesRows() {
        let data = Dataset<Float>(name: "toy", inputs: Matrix(rows: 4, cols: 3, values: (0..<12).map(Float.init)),
                                  targets: Matrix(rows: 4, cols: 2, values: [1, 0, 0, 1, 1, 0, 0, 1]),
                                  labels: [0, 1, 0, 1], numClasses: 2)
        let x = Matrix<Float>(rows: 3, cols: 3), y = Matrix<Float>(rows: 3, cols: 2)
        let order: [Int32] = [9, 3, 0, 2, 9]
        data.gatherBatch(indices: order[1...3], inputs: x.ref, targets: y.ref)
        XCTAssertEqual(x.toArray(), [9, 10, 11, 0, 1, 2, 6, 7, 8])
        XCTAssertEqual(y.toArray(), [0, 1, 1, 0, 1, 0])
        // A shorter last batch uses a prefix of the same buffers.
        x.rows = 1
        y.rows = 1
        data.gatherBatch(indices: order[2...2], inputs: x.ref, targets: y.ref)
        XCTAssertEqual(x.toArray(), [0, 1, 2])
    }
}

final class StudentTeacherTests: XCTestCase {
    private let spec = StudentTeacherSpec(widths: [3, 7, 5, 2], trainSize: 40, testSize: 20, seed: 11)

    func testShapesAndDeterminism() throws {
        let a: DataSplits<Double> = try loadSplits(.studentTeacher(spec), validationSize: 10, seed: 1)
        XCTAssertEqual([a.train.count, a.validation.count, a.test.count], [30, 10, 20])
        for part in [a.train, a.validation, a.test] {
            XCTAssertEqual(part.inputDim, 3)
            XCTAssertEqual(part.targetDim, 2)
            XCTAssertEqual(part.numClasses, 0)
            XCTAssertTrue(part.labels.isEmpty)
        }
        let b: DataSplits<Double> = try loadSplits(.studentTeacher(spec), validationSize: 10, seed: 1)
        XCTAssertEqual(a.train.inputs.toArray(), b.train.inputs.toArray())
        XCTAssertEqual(a.test.targets.toArray(), b.test.targets.toArray())
        // Another split seed: same task and test set, other validation rows.
        let c: DataSplits<Double> = try loadSplits(.studentTeacher(spec), validationSize: 10, seed: 2)
        XCTAssertEqual(a.test.targets.toArray(), c.test.targets.toArray())
        XCTAssertNotEqual(a.validation.inputs.toArray(), c.validation.inputs.toArray())
        // Another spec seed: another teacher and other samples.
        var other = spec
        other.seed = 12
        let d: DataSplits<Double> = try loadSplits(.studentTeacher(other), validationSize: 10, seed: 1)
        XCTAssertNotEqual(a.test.inputs.toArray(), d.test.inputs.toArray())
        // Float32 sees the Float64 task, rounded once.
        let f: DataSplits<Float> = try loadSplits(.studentTeacher(spec), validationSize: 10, seed: 1)
        XCTAssertEqual(f.test.targets.toArray(), a.test.targets.toArray().map(Float.init))
    }

    func testTargetsAreTheTeachersOutput() throws {
        let splits: DataSplits<Double> = try loadSplits(.studentTeacher(spec), validationSize: 10, seed: 1)
        let teacher = TeacherNetwork(widths: spec.widths, seed: spec.seed)
        for row in [0, 19] {
            var h = (0..<3).map { splits.test.inputs[row, $0] }
            for (l, w) in teacher.weights.enumerated() {
                var next = [Double](repeating: 0, count: w.cols)
                for j in 0..<w.cols {
                    for i in 0..<w.rows { next[j] += h[i] * w[i, j] }
                    if l < teacher.weights.count - 1 { next[j] = max(next[j], 0) }
                }
                h = next
            }
            XCTAssertEqual(h[0], splits.test.targets[row, 0], accuracy: 1e-12)
            XCTAssertEqual(h[1], splits.test.targets[row, 1], accuracy: 1e-12)
        }
        // Not a degenerate teacher: outputs differ between samples.
        XCTAssertNotEqual(splits.test.targets[0, 0], splits.test.targets[1, 0])
    }

    func testDistributionsOfInputsWeightsAndNoise() throws {
        let big = StudentTeacherSpec(widths: [6, 400, 2], trainSize: 4000, testSize: 10, noiseStd: 0.5, seed: 3)
        let splits: DataSplits<Double> = try loadSplits(.studentTeacher(big), validationSize: 0, seed: 1)
        let x = splits.train.inputs.toArray()
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count)
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
        // Xavier-normal: variance 2 / (fan in + fan out).
        let teacher = TeacherNetwork(widths: big.widths, seed: big.seed)
        let w = teacher.weights[0].toArray()
        XCTAssertEqual(w.map { $0 * $0 }.reduce(0, +) / Double(w.count), 2.0 / 406, accuracy: 0.1 * 2 / 406)
        // Targets minus the clean teacher output are the noise.
        let clean = teacher.forward(splits.train.inputs)
        let noise = zip(splits.train.targets.toArray(), clean.toArray()).map { $0 - $1 }
        let noiseVariance = noise.map { $0 * $0 }.reduce(0, +) / Double(noise.count)
        XCTAssertEqual(noiseVariance, 0.25, accuracy: 0.02)
    }

    func testBadSpecsAreRejected() {
        let cases: [(StudentTeacherSpec, String)] = [
            (StudentTeacherSpec(widths: [3]), "invalid studentTeacher.widths"),
            (StudentTeacherSpec(widths: [3, 0, 2]), "invalid studentTeacher.widths"),
            (StudentTeacherSpec(trainSize: 0), "invalid studentTeacher.trainSize = 0"),
            (StudentTeacherSpec(noiseStd: -1), "invalid studentTeacher.noiseStd = -1.0"),
            (StudentTeacherSpec(trainSize: 100), "invalid validationSize = 5000: must be smaller than the 100"),
        ]
        for (spec, message) in cases {
            XCTAssertThrowsError(try loadSplits(.studentTeacher(spec), seed: 0) as DataSplits<Float>) { error in
                XCTAssertTrue("\(error)".hasPrefix(message), "\(error)")
            }
        }
    }
}
