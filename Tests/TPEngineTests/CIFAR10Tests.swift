import Foundation
import XCTest
@testable import TPEngine

/// Writes CIFAR-10 binary batches (label byte + 1024 R, 1024 G, 1024 B bytes per record) into a
/// fresh temporary directory.
struct CIFARFixture {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "tpsweep-cifar-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    /// Pixel byte of plane `c`, position `q` (row-major in 32×32) of record `r` of file `f`.
    static func byte(file f: Int, record r: Int, channel c: Int, position q: Int) -> UInt8 {
        UInt8((f * 31 + r * 7 + c * 50 + q) % 256)
    }

    static func records(file f: Int, labels: [UInt8]) -> [UInt8] {
        labels.enumerated().flatMap { r, label in
            [label] + (0..<3).flatMap { c in (0..<1024).map { q in byte(file: f, record: r, channel: c, position: q) } }
        }
    }

    func write(_ name: String, _ bytes: [UInt8]) {
        precondition(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes)))
    }

    /// Checks a few pixels of each `(image, file, record)`: image `image` of `images` must be record
    /// `record` of file `file`, reordered to channels last.
    static func assertChannelsLast(_ images: LabelledImages, _ samples: [(image: Int, file: Int, record: Int)],
                                   file: StaticString = #filePath, line: UInt = #line) {
        for (image, f, r) in samples {
            for (y, x, c) in [(0, 0, 0), (0, 1, 2), (31, 31, 1), (17, 4, 2)] {
                XCTAssertEqual(images.pixels[image * 3072 + (y * 32 + x) * 3 + c],
                               byte(file: f, record: r, channel: c, position: y * 32 + x), file: file, line: line)
            }
        }
    }

    /// Checks a few inputs of row `row` of `set`, record `record` of file `f`, normalised by 0.5/0.5.
    static func assertNormalisedToUnitRange(_ set: Dataset<Float>, row: Int, file f: Int, record r: Int,
                                            file: StaticString = #filePath, line: UInt = #line) {
        for (y, x, c) in [(0, 0, 0), (5, 9, 1), (31, 30, 2)] {
            let value = Float(byte(file: f, record: r, channel: c, position: y * 32 + x))
            XCTAssertEqual(set.inputs[row, (y * 32 + x) * 3 + c], (value / 255 - 0.5) / 0.5, accuracy: 1e-6,
                           file: file, line: line)
        }
    }

    /// Five training batches of `perFile` records (labels (file + record) mod 10) and a test batch.
    func writeAll(perFile: Int, test: Int) {
        for f in 1...5 { write("data_batch_\(f).bin", Self.records(file: f, labels: (0..<perFile).map { UInt8((f + $0) % 10) })) }
        write("test_batch.bin", Self.records(file: 0, labels: (0..<test).map { UInt8($0 % 10) }))
    }

    /// Five training batches of `perFile` records and a test batch of 4 whose brightness tells their
    /// class (with a texture on top), so a few epochs of a CNN can learn them.
    func writeLearnable(perFile: Int) {
        func records(file f: Int, count: Int) -> [UInt8] {
            (0..<count).flatMap { r -> [UInt8] in
                let label = (f + r) % 10
                return [UInt8(label)] + (0..<3072).map { q in UInt8(label * 20 + (q * 13 + r * 7 + f) % 40) }
            }
        }
        for f in 1...5 { write("data_batch_\(f).bin", records(file: f, count: perFile)) }
        write("test_batch.bin", records(file: 0, count: 4))
    }

    /// `method`'s defaults on `architecture`, reading this folder's files in small batches, without
    /// pruning: what the short CNN training tests run.
    func trainingConfig(_ method: Method, _ architecture: Architecture, epochs: Int) -> RunConfig {
        var config = RunConfig.defaults(for: method)
        config.model.architecture = architecture
        config.data.dataset = .cifar10
        config.data.dir = dir
        config.data.validationSize = 1
        config.batchSize = 16
        config.epochs = epochs
        config.prune.enabled = false
        return config
    }
}

extension XCTestCase {
    /// A few epochs of `method` on `architecture`, through `train` on tiny learnable files in the
    /// CIFAR-10 format (`CIFARFixture.trainingConfig`, then `adjust`), lower the training loss below
    /// `fraction` of the first epoch's. Returns the run for further checks.
    @discardableResult
    func checkTrainingReducesTheLoss(_ method: Method, _ architecture: Architecture, epochs: Int, fraction: Double,
                                     adjust: (inout RunConfig) -> Void = { _ in },
                                     file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        let fixture = try CIFARFixture()
        defer { fixture.remove() }
        fixture.writeLearnable(perFile: 13)
        var config = fixture.trainingConfig(method, architecture, epochs: epochs)
        adjust(&config)
        let result = try train(config)
        XCTAssertEqual(result.status, .completed, result.message, file: file, line: line)
        let losses = result.epochs.map(\.trainLoss)
        XCTAssertLessThan(losses.last!, fraction * losses[0], "\(method) training loss per epoch: \(losses)",
                          file: file, line: line)
        return result
    }
}

final class CIFAR10Tests: XCTestCase {
    /// Files are concatenated in order and every image is reordered to 32×32×3, channels last.
    func testReadsBatchesChannelsLast() throws {
        let fixture = try CIFARFixture()
        defer { fixture.remove() }
        fixture.writeAll(perFile: 2, test: 3)
        let train = try CIFAR10.load(dir: fixture.dir, files: CIFAR10.trainFiles)
        XCTAssertEqual(train.dims, [10, 32, 32, 3])
        XCTAssertEqual(train.labels, (1...5).flatMap { f in (0..<2).map { Int32((f + $0) % 10) } })
        CIFARFixture.assertChannelsLast(train, [(0, 1, 0), (3, 2, 1), (9, 5, 1)])
    }

    /// Through `loadSplits`: sizes, the per-channel normalisation (0.5/0.5 maps bytes to [−1, 1]),
    /// labels and one-hot targets; the test set keeps file order.
    func testSplitsAreNormalisedPerChannel() throws {
        let fixture = try CIFARFixture()
        defer { fixture.remove() }
        fixture.writeAll(perFile: 2, test: 3)
        let splits: DataSplits<Float> = try loadSplits(.cifar10(dir: fixture.dir), validationSize: 2, seed: 3)
        XCTAssertEqual([splits.train.count, splits.validation.count, splits.test.count], [8, 2, 3])
        XCTAssertEqual(splits.test.inputDim, 3072)
        XCTAssertEqual(splits.test.labels, [0, 1, 2])
        XCTAssertEqual(splits.test.targets[2, 2], 1)
        CIFARFixture.assertNormalisedToUnitRange(splits.test, row: 2, file: 0, record: 2)
        let custom: DataSplits<Double> = try loadSplits(
            .cifar10(dir: fixture.dir, normalization: .perChannel(mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616])),
            validationSize: 0, seed: 3)
        let byte = Double(CIFARFixture.byte(file: 0, record: 0, channel: 1, position: 0))
        XCTAssertEqual(custom.test.inputs[0, 1], (byte / 255 - 0.4822) / 0.2435, accuracy: 1e-12)
        // What crop padding fills in: a black pixel, normalised.
        XCTAssertEqual(splits.train.blackPixel, [-1, -1, -1])
        for (c, (mean, std)) in [(0.4914, 0.247), (0.4822, 0.2435), (0.4465, 0.2616)].enumerated() {
            XCTAssertEqual(custom.validation.blackPixel[c], -mean / std, accuracy: 1e-12)
        }
    }

    func testBadFilesGiveClearErrors() throws {
        let good = CIFARFixture.records(file: 1, labels: [1, 2])
        let cases: [(name: String, bytes: [UInt8]?, message: String)] = [
            ("data_batch_3.bin", nil, "file not found"),
            ("data_batch_2.bin", good + [1, 2, 3, 4, 5],
             "wrong size: 6151 bytes is not a whole number of 3073-byte records (1 label byte + 3072 pixel bytes each); "
                + "2 records and 5 bytes over"),
            ("data_batch_4.bin", Array(good.dropLast()), "wrong size: 6145 bytes is not a whole number of 3073-byte records"),
            ("data_batch_5.bin", CIFARFixture.records(file: 1, labels: [3, 10]),
             "label out of range: label 10 at index 1, expected 0...9"),
            ("test_batch.bin", [], "empty file: no records"),
        ]
        for c in cases {
            let fixture = try CIFARFixture()
            defer { fixture.remove() }
            fixture.writeAll(perFile: 1, test: 1)
            try FileManager.default.removeItem(atPath: fixture.dir + "/" + c.name)
            if let bytes = c.bytes { fixture.write(c.name, bytes) }
            XCTAssertThrowsError(try loadSplits(.cifar10(dir: fixture.dir), validationSize: 1, seed: 1) as DataSplits<Float>,
                                 c.name) { error in
                XCTAssertTrue("\(error)".hasPrefix(fixture.dir + "/" + c.name + ": " + c.message), "\(c.name): \(error)")
            }
        }
        XCTAssertThrowsError(try loadSplits(.cifar10(dir: "/nonexistent", normalization: .perChannel(mean: [0.5], std: [0.5])),
                                            seed: 1) as DataSplits<Float>) { error in
            XCTAssertEqual("\(error)", "invalid normalization = mean [0.5], std [0.5]: needs one mean and one std per channel (3)")
        }
    }
}

final class ImageAugmentationTests: XCTestCase {
    let shape = ImageShape(height: 4, width: 5, channels: 2)

    /// The image shifted by (dy, dx) and optionally mirrored, `fill` off the image.
    func transformed(_ x: [Double], dy: Int, dx: Int, flip: Bool, fill: [Double]) -> [Double] {
        (0..<shape.count).map { i in
            let (y, x0, c) = (i / (shape.width * 2), i / 2 % shape.width, i % 2)
            let (sy, sx) = (y + dy, (flip ? shape.width - 1 - x0 : x0) + dx)
            return sy < 0 || sy >= shape.height || sx < 0 || sx >= shape.width ? fill[c] : x[(sy * shape.width + sx) * 2 + c]
        }
    }

    /// Every augmented sample is one of the (2p + 1)² shifts, mirrored or not, of its original, with
    /// the border at the normalised value of a black pixel; over many samples every choice occurs;
    /// the same seed gives the same batch.
    func testEverySampleIsAShiftedOrMirroredCopy() throws {
        let augmenter = try ImageAugmenter<Double>(shape: shape, padding: 1, horizontalFlip: true, fill: [-1, -1])
        let batch = Matrix<Double>(rows: 200, cols: shape.count)
        var rng = SeededGenerator(seed: 4)
        fillUniform(batch.ref, low: 0, high: 1, using: &rng)
        let original = batch.copy()
        var draws = SeededGenerator(seed: 5)
        augmenter.apply(batch.ref, using: &draws)
        var seen = Set<[Int]>()
        for n in 0..<batch.rows {
            let source = Array(original.toArray()[n * shape.count ..< (n + 1) * shape.count])
            let result = Array(batch.toArray()[n * shape.count ..< (n + 1) * shape.count])
            let matches = (-1...1).flatMap { dy in (-1...1).flatMap { dx in [false, true].map { [dy, dx, $0 ? 1 : 0] } } }
                .filter { transformed(source, dy: $0[0], dx: $0[1], flip: $0[2] == 1, fill: [-1, -1]) == result }
            XCTAssertFalse(matches.isEmpty, "sample \(n) is not a shift or mirror image of its original")
            seen.formUnion(matches)
        }
        XCTAssertEqual(seen.count, 18, "every shift, with and without the flip")
        let again = original.copy()
        var sameDraws = SeededGenerator(seed: 5)
        augmenter.apply(again.ref, using: &sameDraws)
        XCTAssertEqual(again.toArray(), batch.toArray())
    }

    func testPaddingMustLeaveSomeImage() {
        XCTAssertThrowsError(try ImageAugmenter<Float>(shape: shape, padding: 4, horizontalFlip: false, fill: [0, 0])) {
            XCTAssertEqual("\($0)", "invalid data.crop_padding = 4: must be in 0..<4 for 4×5×2 images")
        }
    }

    /// `data.crop_padding` and `data.horizontal_flip` reach the training batches: the curves change,
    /// the seed repeats them, and [M20]'s CNN still learns through the shifts and flips.
    func testAugmentedTrainingIsSeededAndStillLearns() throws {
        let fixture = try CIFARFixture()
        defer { fixture.remove() }
        fixture.writeLearnable(perFile: 13)
        var config = fixture.trainingConfig(.bp, .m20CNN, epochs: 6)
        let plain = try train(config).epochs.map(\.trainLoss)
        config.data.cropPadding = 4
        config.data.horizontalFlip = true
        let augmented = try train(config).epochs.map(\.trainLoss)
        XCTAssertNotEqual(augmented, plain)
        XCTAssertEqual(try train(config).epochs.map(\.trainLoss), augmented)
        XCTAssertLessThan(augmented.last!, 0.5 * augmented[0], "training loss per epoch: \(augmented)")
    }
}
