#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The CIFAR-10 binary batches (https://www.cs.toronto.edu/~kriz/cifar.html, "binary version"):
/// each file is a sequence of 3073-byte records, one label byte (0–9) followed by the 32×32 image as
/// 1024 red, 1024 green and 1024 blue bytes, each plane row-major. The standard files hold 10 000
/// records each; any whole number of records is accepted (tests write small files).
///
/// Images are reordered to channels last (32×32×3, `ImageShape`'s NHWC) once, at reading.
enum CIFAR10 {
    static let shape = ImageShape(height: 32, width: 32, channels: 3)
    static let numClasses = 10
    static let recordBytes = 1 + 32 * 32 * 3
    static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    static let testFiles = ["test_batch.bin"]

    /// Reads and concatenates `files` from `dir`, in order.
    static func load(dir: String, files: [String]) throws -> LabelledImages {
        var pixels = [UInt8](), labels = [UInt8]()
        func inDir(_ name: String) -> String { dir.hasSuffix("/") ? dir + name : dir + "/" + name }
        for name in files {
            let path = inDir(name)
            let bytes = try readFile(path)
            guard !bytes.isEmpty else { throw DataError.file(path: path, problem: .noRecords) }
            guard bytes.count % recordBytes == 0 else {
                throw DataError.file(path: path, problem: .notWholeRecords(bytes: bytes.count, recordBytes: recordBytes))
            }
            let records = bytes.count / recordBytes
            let (plane, channels) = (shape.pixels, shape.channels)
            let first = pixels.count
            pixels += repeatElement(0, count: records * shape.count)
            labels.reserveCapacity(labels.count + records)
            for r in 0..<records {
                let label = bytes[r * recordBytes]
                guard Int(label) < numClasses else {
                    throw DataError.file(path: path, problem: .labelOutOfRange(
                        index: r, value: Int(label), numClasses: numClasses))
                }
                labels.append(label)
            }
            pixels.withUnsafeMutableBufferPointer { pixels in
                bytes.withUnsafeBufferPointer { bytes in
                    for r in 0..<records {
                        let image = pixels.baseAddress! + first + r * shape.count
                        for c in 0..<channels {
                            let source = bytes.baseAddress! + r * recordBytes + 1 + c * plane
                            for q in 0..<plane { image[q * channels + c] = source[q] }
                        }
                    }
                }
            }
        }
        return LabelledImages(path: inDir(files.first ?? ""),
                              dims: [labels.count, shape.height, shape.width, shape.channels],
                              pixels: pixels, labels: labels, numClasses: numClasses)
    }

    /// The whole file, or the `DataError` that says why not.
    private static func readFile(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            let code = errno
            throw DataError.file(path: path, problem: code == ENOENT
                                 ? .missing(alsoTried: []) : .unreadable(reason: String(cString: strerror(code))))
        }
        defer { fclose(file) }
        guard fseek(file, 0, SEEK_END) == 0, case let size = ftell(file), size >= 0, fseek(file, 0, SEEK_SET) == 0 else {
            throw DataError.file(path: path, problem: .unreadable(reason: String(cString: strerror(errno))))
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            initialized = size == 0 ? 0 : fread(buffer.baseAddress, 1, size, file)
        }
        guard bytes.count == size else {
            throw DataError.file(path: path, problem: .unreadable(reason: "read \(bytes.count) of \(size) bytes"))
        }
        return bytes
    }
}
