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
        var pixels = [UInt8](), labels = [Int32]()
        for name in files {
            let path = LabelledImages.path(dir: dir, name: name)
            let bytes = try DataFile.read(path)
            guard !bytes.isEmpty else { throw DataError.file(path: path, problem: .noRecords) }
            guard bytes.count % recordBytes == 0 else {
                throw DataError.file(path: path, problem: .notWholeRecords(bytes: bytes.count, recordBytes: recordBytes))
            }
            let records = bytes.count / recordBytes
            labels.reserveCapacity(labels.count + records)
            for r in 0..<records {
                let label = bytes[r * recordBytes]
                guard Int(label) < numClasses else {
                    throw DataError.file(path: path, problem: .labelOutOfRange(
                        index: r, value: Int(label), numClasses: numClasses))
                }
                labels.append(Int32(label))
            }
            bytes.withUnsafeBufferPointer { bytes in
                LabelledImages.appendChannelsLast(records, of: shape, from: bytes.baseAddress! + 1, stride: recordBytes,
                                                  to: &pixels)
            }
        }
        return LabelledImages(path: LabelledImages.path(dir: dir, name: files.first ?? ""), shape: shape,
                              pixels: pixels, labels: labels, numClasses: numClasses)
    }
}
