/// The data augmentation of [E22]'s CIFAR-10 runs (torchvision's RandomCrop(32, padding=4) then
/// RandomHorizontalFlip): each sample of a gathered batch is shifted by a random offset in
/// −padding…padding on both axes, the uncovered border filled as the zero padding of the raw image
/// would be after normalisation, and mirrored left–right with probability ½.
///
/// Applied in place to a minibatch after `Dataset.gatherBatch`, so the stored dataset stays
/// unchanged and every epoch sees fresh draws from the generator the caller passes (seeded).
public final class ImageAugmenter<T: Scalar>: @unchecked Sendable {
    public let shape: ImageShape
    public let padding: Int
    public let horizontalFlip: Bool
    /// Per channel, the value a black pixel has after normalisation (what padding becomes).
    let fill: [T]
    /// One image, the source of the sample being rewritten.
    let scratch: Matrix<T>

    /// - Parameter fill: per channel, the normalised value of a zero byte (`Dataset.blackPixel`).
    public init(shape: ImageShape, padding: Int, horizontalFlip: Bool, fill: [T]) throws {
        guard padding >= 0 && padding < min(shape.height, shape.width) else {
            throw DataError.invalidParameter(name: "data.crop_padding", value: String(padding),
                                             requirement: "must be in 0..<\(min(shape.height, shape.width)) for \(shape) images")
        }
        precondition(fill.count == shape.channels, "\(fill.count) fill values for \(shape.channels) channels")
        self.shape = shape
        self.padding = padding
        self.horizontalFlip = horizontalFlip
        self.fill = fill
        scratch = Matrix(rows: 1, cols: shape.count)
    }

    /// The augmenter of `config.data` for `data`'s images (the border shows their black pixel); nil
    /// when augmentation is off. Throws when the samples are not images or the padding is too wide.
    public static func make(_ config: RunConfig.Data, for data: Dataset<T>) throws -> ImageAugmenter? {
        guard config.cropPadding > 0 || config.horizontalFlip else { return nil }
        guard let shape = data.imageShape else {
            let (key, value) = config.cropPadding > 0 ? ("data.crop_padding", String(config.cropPadding))
                                                      : ("data.horizontal_flip", "true")
            throw DataError.invalidParameter(name: key, value: value,
                                             requirement: "augmentation needs images, and \(data.name) holds none")
        }
        return try ImageAugmenter(shape: shape, padding: config.cropPadding, horizontalFlip: config.horizontalFlip,
                                  fill: data.blackPixel)
    }

    /// Rewrites every row of `batch` (B × shape.count). Draws, per sample, the vertical offset,
    /// the horizontal offset (when padding > 0) and the flip (when enabled), in that order.
    public func apply(_ batch: MatRef<T>, using g: inout SeededGenerator) {
        precondition(batch.cols == shape.count, "a \(batch.rows)×\(batch.cols) batch does not hold \(shape) images")
        let (h, w, c) = (shape.height, shape.width, shape.channels)
        let rowLength = w * c
        for n in 0..<batch.rows {
            let dy = padding > 0 ? g.nextIndex(below: 2 * padding + 1) - padding : 0
            let dx = padding > 0 ? g.nextIndex(below: 2 * padding + 1) - padding : 0
            let flip = horizontalFlip && g.next() >> 63 == 1
            if dy == 0 && dx == 0 && !flip { continue }
            let image = batch.base + n * shape.count
            scratch.data.update(from: image, count: shape.count)
            // Output pixel (y, x) shows cropped pixel (y, x') with x' = x or w − 1 − x (flip), and
            // the crop shows source pixel (y + dy, x' + dx), or fill where that is off the image.
            for y in 0..<h {
                let out = image + y * rowLength
                let sy = y + dy
                for x in 0..<w {
                    let sx = (flip ? w - 1 - x : x) + dx
                    let pixel = out + x * c
                    if sy < 0 || sy >= h || sx < 0 || sx >= w {
                        for ch in 0..<c { pixel[ch] = fill[ch] }
                    } else {
                        pixel.update(from: scratch.data + (sy * w + sx) * c, count: c)
                    }
                }
            }
        }
    }
}
