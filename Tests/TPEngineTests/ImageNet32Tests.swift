import CZlib
import Foundation
import XCTest
@testable import TPEngine

/// Builds npz archives byte by byte as numpy writes them (numpy/lib/_npyio_impl.py `_savez`,
/// numpy/lib/format.py): `<name>.npy` members in .npy format, stored or deflated, each local header
/// with both sizes 0xFFFFFFFF and the true ones in a zip64 extra field (numpy's force_zip64); the
/// central directory has them plainly, or — with `zip64` — in its own zip64 fields, as archives past
/// 4 GiB do.
enum NPZWriter {
    struct Member {
        let name: String
        let bytes: [UInt8]
        var method: UInt16 = 0
    }

    /// A .npy file: magic, version, header length, the padded dict header, then `payload`.
    static func npy(descr: String, shape: [Int], payload: [UInt8], fortranOrder: Bool = false,
                    version: UInt8 = 1) -> [UInt8] {
        let tuple = "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
        var header = Array("{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(tuple), }".utf8)
        let prefix = version == 1 ? 10 : 12
        // numpy pads with spaces and ends with a newline so the data starts 64-byte aligned.
        header += repeatElement(UInt8(ascii: " "), count: 63 - (prefix + header.count) % 64) + [0x0A]
        let length = version == 1 ? le(header.count, 2) : le(header.count, 4)
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + header + payload
    }

    /// Raw deflate data: zlib's compress2 output without its 2-byte header and 4-byte Adler-32 trailer.
    static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(UInt(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(size))
        precondition(compress2(&out, &size, bytes, UInt(bytes.count), 6) == Z_OK)
        return Array(out[2 ..< Int(size) - 4])
    }

    static func archive(_ members: [Member], zip64: Bool = false) -> [UInt8] {
        var file = [UInt8](), directory = [UInt8]()
        for member in members {
            let crc = UInt32(crc32(0, member.bytes, UInt32(member.bytes.count)))
            let data = member.method == 8 ? deflate(member.bytes) : member.bytes
            let name = Array(member.name.utf8)
            let offset = file.count
            let sizes = le(member.bytes.count, 8) + le(data.count, 8)
            file += le(0x0403_4B50, 4) + le(45, 2) + le(0, 2) + le(Int(member.method), 2) + le(0, 4) + le(Int(crc), 4)
                + le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4) + le(name.count, 2) + le(20, 2) + name
                + le(1, 2) + le(16, 2) + sizes + data
            let (central, extra) = zip64
                ? (le(0xFFFF_FFFF, 4) + le(0xFFFF_FFFF, 4), le(1, 2) + le(24, 2) + sizes + le(offset, 8))
                : (le(data.count, 4) + le(member.bytes.count, 4), [])
            directory += le(0x0201_4B50, 4) + le(0x32D, 2) + le(45, 2) + le(0, 2) + le(Int(member.method), 2)
                + le(0, 4) + le(Int(crc), 4) + central + le(name.count, 2) + le(extra.count, 2) + le(0, 2)
                + le(0, 2) + le(0, 2) + le(0x0180_0000, 4) + le(zip64 ? 0xFFFF_FFFF : offset, 4) + name + extra
        }
        let (start, count) = (file.count, members.count)
        file += directory
        if zip64 {
            let record = file.count
            file += le(0x0606_4B50, 4) + le(44, 8) + le(45, 2) + le(45, 2) + le(0, 4) + le(0, 4)
                + le(count, 8) + le(count, 8) + le(directory.count, 8) + le(start, 8)
            file += le(0x0706_4B50, 4) + le(0, 4) + le(record, 8) + le(1, 4)
        }
        return file + le(0x0605_4B50, 4) + le(0, 4) + le(zip64 ? 0xFFFF : count, 2) + le(zip64 ? 0xFFFF : count, 2)
            + le(zip64 ? 0xFFFF_FFFF : directory.count, 4) + le(zip64 ? 0xFFFF_FFFF : start, 4) + le(0, 2)
    }

    static func le(_ value: Int, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}

/// Writes Downsampled ImageNet 32×32 archives (`data` N×3072 as R, G, B planes, `labels` 1-based,
/// training batches also `mean`) into a fresh temporary directory. Pixels follow `CIFARFixture.byte`.
struct ImageNet32Fixture {
    let dir: String

    init() throws {
        dir = NSTemporaryDirectory() + "tpsweep-imagenet32-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ name: String, _ bytes: [UInt8]) {
        precondition(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes)))
    }

    /// The members of file `f` with 1-based `labels` as numpy's default '<i8'.
    static func members(file f: Int, labels: [Int], method: UInt16) -> [NPZWriter.Member] {
        let pixels = labels.indices.flatMap { r in
            (0..<3).flatMap { c in (0..<1024).map { q in CIFARFixture.byte(file: f, record: r, channel: c, position: q) } }
        }
        let labelBytes = labels.flatMap { NPZWriter.le($0, 8) }
        return [NPZWriter.Member(name: "data.npy", bytes: NPZWriter.npy(descr: "|u1", shape: [labels.count, 3072], payload: pixels),
                                 method: method),
                NPZWriter.Member(name: "labels.npy", bytes: NPZWriter.npy(descr: "<i8", shape: [labels.count], payload: labelBytes),
                                 method: method),
                NPZWriter.Member(name: "mean.npy", bytes: NPZWriter.npy(descr: "<f8", shape: [3072], payload: .init(repeating: 0, count: 8 * 3072)),
                                 method: method)]
    }

    /// Ten training batches of `perFile` images (labels 1 + (97 f + r) mod 1000; odd files stored, even
    /// ones deflated) and a stored test file of `test` images with labels 1000, 1, 2, ….
    func writeAll(perFile: Int, test: Int) {
        for f in 1...10 {
            let labels = (0..<perFile).map { 1 + (97 * f + $0) % 1000 }
            write("train_data_batch_\(f).npz", NPZWriter.archive(Self.members(file: f, labels: labels, method: f % 2 == 0 ? 8 : 0)))
        }
        let labels = (0..<test).map { $0 == 0 ? 1000 : $0 }
        write("val_data.npz", NPZWriter.archive(Array(Self.members(file: 0, labels: labels, method: 0).prefix(2))))
    }
}

final class ImageNet32Tests: XCTestCase {
    /// Stored and deflated batches are concatenated in order, every image reordered to 32×32×3
    /// channels last, every label made 0-based.
    func testReadsArchivesChannelsLastWithZeroBasedLabels() throws {
        let fixture = try ImageNet32Fixture()
        defer { fixture.remove() }
        fixture.writeAll(perFile: 2, test: 3)
        let train = try ImageNet32.load(dir: fixture.dir, files: ImageNet32.trainFiles)
        XCTAssertEqual(train.dims, [20, 32, 32, 3])
        XCTAssertEqual(train.numClasses, 1000)
        XCTAssertEqual(train.labels, (1...10).flatMap { f in (0..<2).map { Int32((97 * f + $0) % 1000) } })
        CIFARFixture.assertChannelsLast(train, [(0, 1, 0), (3, 2, 1), (19, 10, 1)])
    }

    /// Through `loadSplits`: sizes, 1000-wide one-hot targets, 0-based labels (1000 becomes 999)
    /// and the default per-channel normalisation, 0.5/0.5, to [−1, 1].
    func testSplitsAreOneHotOverAThousandClassesAndNormalisedPerChannel() throws {
        let fixture = try ImageNet32Fixture()
        defer { fixture.remove() }
        fixture.writeAll(perFile: 2, test: 3)
        let splits: DataSplits<Float> = try loadSplits(.imagenet32(dir: fixture.dir), validationSize: 2, seed: 3)
        XCTAssertEqual([splits.train.count, splits.validation.count, splits.test.count], [18, 2, 3])
        XCTAssertEqual([splits.test.inputDim, splits.test.targetDim], [3072, 1000])
        XCTAssertEqual(splits.test.imageShape, ImageShape(height: 32, width: 32, channels: 3))
        XCTAssertEqual(splits.test.labels, [999, 0, 1])
        XCTAssertEqual(splits.test.targets[0, 999], 1)
        XCTAssertEqual((0..<1000).map { splits.test.targets[0, $0] }.reduce(0, +), 1)
        CIFARFixture.assertNormalisedToUnitRange(splits.test, row: 2, file: 0, record: 2)
        var config = RunConfig.defaults(for: .bp)
        config.data.dataset = .imagenet32
        config.data.dir = fixture.dir
        XCTAssertEqual(config.dataSource, .imagenet32(dir: fixture.dir))
    }

    /// Whatever numpy may write reads the same: label dtypes of 2, 4 and 8 bytes in either byte order,
    /// .npy versions 2.0 and 3.0, zip64 central directories.
    func testReadsEveryIntegerDtypeNpyVersionAndZip64Directory() throws {
        let labels = [1000, 1, 513]
        let variants: [(String, [UInt8])] = [
            ("<i4", labels.flatMap { NPZWriter.le($0, 4) }),
            (">i2", labels.flatMap { NPZWriter.le($0, 2).reversed() }),
            ("<u2", labels.flatMap { NPZWriter.le($0, 2) }),
            (">u8", labels.flatMap { NPZWriter.le($0, 8).reversed() }),
        ]
        let data = ImageNet32Fixture.members(file: 4, labels: labels, method: 8)[0]
        for (version, zip64) in [(UInt8(1), true), (2, false), (3, true)] {
            for (descr, payload) in variants {
                let fixture = try ImageNet32Fixture()
                defer { fixture.remove() }
                let labelMember = NPZWriter.Member(name: "labels.npy", bytes: NPZWriter.npy(
                    descr: descr, shape: [3], payload: payload, version: version), method: 8)
                fixture.write("val_data.npz", NPZWriter.archive([data, labelMember], zip64: zip64))
                let test = try ImageNet32.load(dir: fixture.dir, files: ImageNet32.testFiles)
                XCTAssertEqual(test.labels, [999, 0, 512], "\(descr), version \(version), zip64 \(zip64)")
                XCTAssertEqual(test.pixels[3072 + 5 * 3 + 2], CIFARFixture.byte(file: 4, record: 1, channel: 2, position: 5))
            }
        }
    }

    func testMalformedArchivesGiveClearErrors() throws {
        typealias Member = NPZWriter.Member
        let good = ImageNet32Fixture.members(file: 1, labels: [3, 4], method: 0)
        let (data, labels) = (good[0], good[1])
        func npy(_ name: String, _ descr: String, _ shape: [Int], _ payload: [UInt8], fortranOrder: Bool = false,
                 version: UInt8 = 1) -> Member {
            Member(name: name, bytes: NPZWriter.npy(descr: descr, shape: shape, payload: payload,
                                                   fortranOrder: fortranOrder, version: version))
        }
        func labelMember(_ values: [Int]) -> Member { npy("labels.npy", "<i8", [values.count], values.flatMap { NPZWriter.le($0, 8) }) }
        func with(_ bytes: [UInt8], at offset: Int, _ patch: [UInt8]) -> [UInt8] {
            var bytes = bytes
            bytes.replaceSubrange(offset ..< offset + patch.count, with: patch)
            return bytes
        }
        let stored = NPZWriter.archive([data, labels])
        let deflated = NPZWriter.archive([Member(name: "data.npy", bytes: data.bytes, method: 8), labels])
        // Data of the first member starts after its 30-byte local header, "data.npy" and the 20-byte extra field.
        let firstData = 30 + 8 + 20
        /// `bytes` with a 4-byte field of the first central directory entry (data.npy's) set to `value`.
        func withCentralField(_ bytes: [UInt8], at field: Int, _ value: Int) -> [UInt8] {
            let entry = (0..<bytes.count - 4).first { bytes[$0 ..< $0 + 4].elementsEqual([0x50, 0x4B, 0x01, 0x02]) }!
            return with(bytes, at: entry + field, NPZWriter.le(value, 4))
        }
        let cases: [(name: String, bytes: [UInt8]?, message: String)] = [
            ("train_data_batch_3.npz", nil, "file not found"),
            ("train_data_batch_2.npz", Array(stored.dropLast(10)),
             "not a ZIP archive (an npz is one): no end-of-central-directory record in its last \(stored.count - 10) bytes (cut off?)"),
            ("train_data_batch_4.npz", Array(repeating: 7, count: 100),
             "not a ZIP archive (an npz is one): no end-of-central-directory record in its last 100 bytes"),
            ("train_data_batch_5.npz", with(stored, at: 0, [0x51]),
             "member data.npy: wrong local header signature 51 4b 03 04, expected 50 4b 03 04"),
            ("train_data_batch_6.npz", NPZWriter.archive([data]), "no member labels.npy; the archive holds data.npy"),
            ("train_data_batch_7.npz", NPZWriter.archive([labels]), "no member data.npy; the archive holds labels.npy"),
            ("train_data_batch_8.npz", NPZWriter.archive([npy("data.npy", "|u1", [2, 3071], .init(repeating: 0, count: 6142)), labels]),
             "member data.npy: shape (2, 3071); expected (N, 3072) with N ≥ 1: one 32×32×3 image per row"),
            ("train_data_batch_9.npz", NPZWriter.archive([npy("data.npy", "|u1", [6144], .init(repeating: 0, count: 6144)), labels]),
             "member data.npy: shape (6144,); expected (N, 3072)"),
            ("train_data_batch_10.npz", NPZWriter.archive([data, labelMember([1, 2, 3])]),
             "member labels.npy: shape (3,); expected (2,): one label per row of data.npy"),
            ("val_data.npz", NPZWriter.archive([data, labelMember([1, 0])]),
             "member labels.npy: label out of range: label 0 at index 1, expected 1...1000"),
            ("train_data_batch_1.npz", NPZWriter.archive([data, labelMember([1001, 1])]),
             "member labels.npy: label out of range: label 1001 at index 0, expected 1...1000"),
            ("train_data_batch_2.npz", with(stored, at: firstData + 200, [0xAB]),
             "member data.npy: CRC-32 mismatch: the data gives 0x"),
            // A final block of reserved type 3.
            ("train_data_batch_3.npz", with(deflated, at: firstData, [0xFF]),
             "member data.npy: corrupt deflate data: invalid block type"),
            // The central directory's uncompressed size (offset 24) and local header offset (42) of data.npy.
            ("train_data_batch_3.npz", withCentralField(deflated, at: 24, 7000),
             "member data.npy: 6272 bytes uncompressed, but the ZIP directory says 7000"),
            ("train_data_batch_3.npz", withCentralField(stored, at: 24, 7000),
             "member data.npy: 6272 bytes uncompressed, but the ZIP directory says 7000"),
            ("train_data_batch_3.npz", withCentralField(stored, at: 42, 1 << 30),
             "member data.npy: its 30 bytes at offset 1073741824 run past the end of the \(stored.count)-byte file (cut off?)"),
            ("train_data_batch_4.npz", NPZWriter.archive([data, Member(name: "labels.npy", bytes: labels.bytes, method: 12)]),
             "member labels.npy: compression method 12; expected 0 (stored, np.savez) or 8 (deflate, np.savez_compressed)"),
            ("train_data_batch_5.npz", NPZWriter.archive([npy("data.npy", "<i2", [2, 3072], .init(repeating: 0, count: 12288)), labels]),
             "member data.npy: dtype '<i2'; expected '|u1' (uint8)"),
            ("train_data_batch_6.npz", NPZWriter.archive([data, npy("labels.npy", "<f8", [2], .init(repeating: 0, count: 16))]),
             "member labels.npy: dtype '<f8'; expected an integer dtype"),
            ("train_data_batch_6.npz", NPZWriter.archive([data, npy("labels.npy", "<U5", [2], .init(repeating: 0, count: 40))]),
             "member labels.npy: dtype '<U5'; expected a numeric dtype such as '|u1' or '<i8'"),
            ("train_data_batch_7.npz", NPZWriter.archive([npy("data.npy", "|u1", [2, 3072], .init(repeating: 0, count: 6144),
                                                              fortranOrder: true), labels]),
             "member data.npy: stored in Fortran order; expected C order"),
            ("train_data_batch_8.npz", NPZWriter.archive([Member(name: "data.npy", bytes: Array("not an array".utf8)), labels]),
             "member data.npy: not a .npy array: starts with 6e 6f 74 20 61 6e, expected 93 4e 55 4d 50 59"),
            ("train_data_batch_9.npz", NPZWriter.archive([npy("data.npy", "|u1", [2, 3072], .init(repeating: 0, count: 3072)), labels]),
             "member data.npy: 3072 payload bytes after the header; its dtype and shape declare 6144"),
            ("train_data_batch_10.npz", NPZWriter.archive([npy("data.npy", "|u1", [2, 3072], .init(repeating: 0, count: 6144),
                                                               version: 4), labels]),
             "member data.npy: unsupported .npy format version 4.0; expected 1.0, 2.0 or 3.0"),
            ("val_data.npz", NPZWriter.archive([data, Member(name: "labels.npy", bytes: with(labels.bytes, at: 10, Array("{'descr' '".utf8)))]),
             "member labels.npy: malformed .npy header: expected ':' at"),
            ("val_data.npz", NPZWriter.archive([data, Member(name: "labels.npy", bytes: with(labels.bytes, at: 12, Array("dtype".utf8)))]),
             "member labels.npy: malformed .npy header: unexpected key 'dtype'"),
        ]
        for c in cases {
            let fixture = try ImageNet32Fixture()
            defer { fixture.remove() }
            fixture.writeAll(perFile: 1, test: 1)
            try FileManager.default.removeItem(atPath: fixture.dir + "/" + c.name)
            if let bytes = c.bytes { fixture.write(c.name, bytes) }
            XCTAssertThrowsError(try loadSplits(.imagenet32(dir: fixture.dir), validationSize: 1, seed: 1) as DataSplits<Float>,
                                 c.message) { error in
                XCTAssertTrue("\(error)".hasPrefix(fixture.dir + "/" + c.name + ": " + c.message), "\(c.name): \(error)")
            }
        }
    }
}
