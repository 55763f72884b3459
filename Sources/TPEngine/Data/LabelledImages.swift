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
    /// (x / 255 − mean[c]) / std[c] for channel c of colour images.
    case perChannel(mean: [Double], std: [Double])

    /// The MNIST statistics used by [M20].
    public static let mnist = PixelNormalization.standardize(mean: 0.1307, std: 0.3081)
    /// CIFAR-10 as [M20] normalises it: every channel to [−1, 1].
    public static let cifar10 = PixelNormalization.perChannel(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])

    /// Checks the statistics against images with `channels` channels.
    func validate(channels: Int) throws {
        let (means, stds): ([Double], [Double])
        switch self {
        case .unit: return
        case let .standardize(mean, std): (means, stds) = ([mean], [std])
        case let .perChannel(mean, std):
            guard mean.count == channels && std.count == channels else {
                throw DataError.invalidParameter(
                    name: "normalization", value: "mean \(mean), std \(std)",
                    requirement: "needs one mean and one std per channel (\(channels))")
            }
            (means, stds) = (mean, std)
        }
        if let std = stds.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw DataError.invalidParameter(name: "normalization.std", value: "\(std)",
                                             requirement: "must be finite and > 0")
        }
        if let mean = means.first(where: { !$0.isFinite }) {
            throw DataError.invalidParameter(name: "normalization.mean", value: "\(mean)", requirement: "must be finite")
        }
    }

    /// The network input of every byte 0...255 of channel `channel`.
    func table<T: Scalar>(channel: Int) -> [T] {
        (0...255).map { byte in
            let unit = Double(byte) / 255
            switch self {
            case .unit: return T(unit)
            case let .standardize(mean, std): return T((unit - mean) / std)
            case let .perChannel(mean, std): return T((unit - mean[channel]) / std[channel])
            }
        }
    }
}

/// Images and their labels as bytes, channels last (one image after another, each H × W × C), kept
/// so until a split decides which rows become which dataset: each row is then converted once,
/// straight into its final matrix. Read from IDX files (MNIST layout), CIFAR-10 batches or
/// Downsampled ImageNet archives.
struct LabelledImages {
    /// The images' file, for messages.
    let path: String
    /// The image count, then the image's dimensions (H, W for grey images; H, W, C for colour).
    let dims: [Int]
    let pixels: [UInt8]
    /// Class numbers 0..<numClasses; wider than bytes for ImageNet's 1000 classes.
    let labels: [Int32]
    let numClasses: Int

    var count: Int { labels.count }

    init(path: String, dims: [Int], pixels: [UInt8], labels: [Int32], numClasses: Int) {
        (self.path, self.dims, self.pixels, self.labels, self.numClasses) = (path, dims, pixels, labels, numClasses)
    }

    /// Colour images of `shape`, one per label, channels last.
    init(path: String, shape: ImageShape, pixels: [UInt8], labels: [Int32], numClasses: Int) {
        self.init(path: path, dims: [labels.count, shape.height, shape.width, shape.channels], pixels: pixels,
                  labels: labels, numClasses: numClasses)
    }
    var pixelsPerImage: Int { dims.dropFirst().reduce(1, *) }
    var channels: Int { dims.count > 3 ? dims[3] : 1 }

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
        return LabelledImages(path: images.path, dims: images.dims, pixels: images.payload,
                              labels: labels.payload.map(Int32.init), numClasses: numClasses)
    }

    /// The gzip name if it exists, else the uncompressed one (as MNIST is often unpacked).
    private static func resolve(dir: String, name: String) throws -> String {
        let base = path(dir: dir, name: name)
        for candidate in [base + ".gz", base] where access(candidate, F_OK) == 0 {
            return candidate
        }
        throw DataError.file(path: base + ".gz", problem: .missing(alsoTried: [base]))
    }

    /// `name` inside `dir`, with or without a trailing slash on `dir`.
    static func path(dir: String, name: String) -> String {
        dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }

    /// Appends `count` images stored plane by plane (channel 0 row-major, then channel 1, …, as
    /// CIFAR-10 and Downsampled ImageNet store them) to `pixels`, reordered to channels last.
    /// Image i starts at `source + i * stride`.
    static func appendChannelsLast(_ count: Int, of shape: ImageShape, from source: UnsafePointer<UInt8>, stride: Int,
                                   to pixels: inout [UInt8]) {
        let (plane, channels, first) = (shape.pixels, shape.channels, pixels.count)
        pixels += repeatElement(0, count: count * shape.count)
        pixels.withUnsafeMutableBufferPointer { pixels in
            for i in 0..<count {
                let image = pixels.baseAddress! + first + i * shape.count
                for c in 0..<channels {
                    let planeStart = source + i * stride + c * plane
                    for q in 0..<plane { image[q * channels + c] = planeStart[q] }
                }
            }
        }
    }

    /// The given rows as inputs (flattened images, normalised) and one-hot targets.
    func dataset<T: Scalar>(rows: [Int], normalization: PixelNormalization, name: String) -> Dataset<T> {
        let (p, c) = (pixelsPerImage, channels)
        // One 256-entry table per channel: every value becomes one lookup, whatever the normalisation.
        let table: [T] = (0..<c).flatMap { normalization.table(channel: $0) as [T] }
        let x = Matrix<T>(rows: rows.count, cols: p)
        let y = Matrix<T>(rows: rows.count, cols: numClasses)
        table.withUnsafeBufferPointer { table in
            pixels.withUnsafeBufferPointer { pixels in
                for (b, row) in rows.enumerated() {
                    let src = pixels.baseAddress! + row * p
                    let dst = x.data + b * p
                    for pixel in stride(from: 0, to: p, by: c) {
                        for ch in 0..<c { dst[pixel + ch] = table[ch << 8 | Int(src[pixel + ch])] }
                    }
                    y[b, Int(labels[row])] = 1
                }
            }
        }
        return Dataset(name: name, inputs: x, targets: y, labels: rows.map { labels[$0] },
                       numClasses: numClasses, imageShape: ImageShape(height: dims[1], width: dims[2], channels: c),
                       blackPixel: (0..<c).map { table[$0 << 8] })
    }
}
