#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How pixel bytes 0...255 become network inputs.
public enum PixelNormalization: Sendable, Equatable {
    /// x / 255, in [0, 1] (Fashion-MNIST in [M20]).
    case unit
    /// (x / 255 − mean) / std.
    case standardize(mean: Double, std: Double)

    /// The MNIST statistics used by [M20].
    public static let mnist = PixelNormalization.standardize(mean: 0.1307, std: 0.3081)
}

/// One image file and its label file (MNIST layout), kept as bytes until a split decides which
/// rows become which dataset: each row is then converted once, straight into its final matrix.
struct LabelledImages {
    let images: IDXFile
    let labels: [UInt8]
    let numClasses: Int

    var count: Int { labels.count }
    var pixelsPerImage: Int { images.dims.dropFirst().reduce(1, *) }

    /// Reads `<dir>/<part>-images-idx3-ubyte[.gz]` and `<dir>/<part>-labels-idx1-ubyte[.gz]`,
    /// where `part` is "train" or "t10k", and checks that they belong together.
    static func load(dir: String, part: String, numClasses: Int) throws -> LabelledImages {
        let images = try IDXReader.read(resolve(dir: dir, name: "\(part)-images-idx3-ubyte"))
        let labels = try IDXReader.read(resolve(dir: dir, name: "\(part)-labels-idx1-ubyte"))
        guard images.dims.count == 3 else {
            throw DataError.file(path: images.path, problem: .wrongRank(expected: 3, dims: images.dims))
        }
        guard labels.dims.count == 1 else {
            throw DataError.file(path: labels.path, problem: .wrongRank(expected: 1, dims: labels.dims))
        }
        guard labels.dims[0] == images.dims[0] else {
            throw DataError.file(path: labels.path, problem: .countMismatch(
                labels: labels.dims[0], images: images.dims[0], imagesPath: images.path))
        }
        if let index = labels.payload.firstIndex(where: { Int($0) >= numClasses }) {
            throw DataError.file(path: labels.path, problem: .labelOutOfRange(
                index: index, value: Int(labels.payload[index]), numClasses: numClasses))
        }
        return LabelledImages(images: images, labels: labels.payload, numClasses: numClasses)
    }

    /// The gzip name if it exists, else the uncompressed one (as MNIST is often unpacked).
    private static func resolve(dir: String, name: String) throws -> String {
        let base = dir.hasSuffix("/") ? dir + name : dir + "/" + name
        for candidate in [base + ".gz", base] where access(candidate, F_OK) == 0 {
            return candidate
        }
        throw DataError.file(path: base + ".gz", problem: .missing(alsoTried: [base]))
    }

    /// The given rows as inputs (flattened images, normalised) and one-hot targets.
    func dataset<T: Scalar>(rows: [Int], normalization: PixelNormalization, name: String) -> Dataset<T> {
        let p = pixelsPerImage
        // A 256-entry table: every pixel becomes one lookup, whatever the normalisation.
        let table: [T] = (0...255).map { byte in
            let unit = Double(byte) / 255
            switch normalization {
            case .unit: return T(unit)
            case let .standardize(mean, std): return T((unit - mean) / std)
            }
        }
        let x = Matrix<T>(rows: rows.count, cols: p)
        let y = Matrix<T>(rows: rows.count, cols: numClasses)
        table.withUnsafeBufferPointer { table in
            images.payload.withUnsafeBufferPointer { pixels in
                for (b, row) in rows.enumerated() {
                    let src = pixels.baseAddress! + row * p
                    let dst = x.data + b * p
                    for j in 0..<p { dst[j] = table[Int(src[j])] }
                    y[b, Int(labels[row])] = 1
                }
            }
        }
        return Dataset(name: name, inputs: x, targets: y, labels: rows.map { Int32(labels[$0]) },
                       numClasses: numClasses)
    }
}
