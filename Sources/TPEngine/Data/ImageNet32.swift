/// Downsampled ImageNet 32×32 (Chrabaszcz, Loshchilov & Hutter 2017, "A Downsampled Variant of
/// ImageNet as an Alternative to the CIFAR datasets", arXiv 1707.08819) in its npz form from
/// image-net.org: train_data_batch_1.npz … train_data_batch_10.npz (1 281 167 images) and
/// val_data.npz (50 000), which serves as the test set. Each archive holds
/// - `data`: N×3072 uint8, per image 1024 red, 1024 green and 1024 blue bytes, each plane row-major
///   (CIFAR-10's layout);
/// - `labels`: N class numbers 1…1000;
/// - in the training batches also `mean`, the mean training image, not used here.
///
/// Sources: the authors' Imagenet32_Scripts (github.com/PatrykChrabaszcz/Imagenet32_Scripts):
/// image2numpy_imagenet_train.py builds each row as R, G, B planes of uint8 and the labels as a
/// Python list of 1-based class numbers, WRNs_imagenet.py subtracts 1 ("Labels are indexed from 1").
/// np.savez stores such a list as numpy's default integer, '<i8' on Linux; any integer dtype is
/// accepted. Any number of rows per file is accepted (tests write small archives).
///
/// Images are reordered to channels last (32×32×3) and labels made 0-based, once, at reading.
enum ImageNet32 {
    static let shape = ImageShape(height: 32, width: 32, channels: 3)
    static let numClasses = 1000
    static let trainFiles = (1...10).map { "train_data_batch_\($0).npz" }
    static let testFiles = ["val_data.npz"]

    /// Reads and concatenates `files` from `dir`, in order.
    static func load(dir: String, files: [String]) throws -> LabelledImages {
        var pixels = [UInt8](), labels = [Int32]()
        let archives = try files.map { try NumpyArchive(path: LabelledImages.path(dir: dir, name: $0)) }
        // One allocation for all images, sized from the ZIP directories: growing the array file by
        // file would copy gigabytes and, while it does, hold them twice.
        pixels.reserveCapacity(archives.reduce(0) { $0 &+ $1.reservation(for: "data") })
        for archive in archives {
            let data = try archive.array("data")
            try data.requireBytes()
            guard data.shape.count == 2, data.shape[0] > 0, data.shape[1] == shape.count else {
                throw data.error(.wrongShape(shape: data.shape, expected: "(N, 3072) with N ≥ 1: one 32×32×3 image per row"))
            }
            let rows = data.shape[0]
            let classes = try archive.array("labels")
            guard classes.shape == [rows] else {
                throw classes.error(.wrongShape(shape: classes.shape, expected: "(\(rows),): one label per row of data.npy"))
            }
            let values = try classes.integers()
            if let index = values.firstIndex(where: { !(1...numClasses).contains($0) }) {
                throw classes.error(.labelOutOfRange(index: index, value: values[index], expected: 1...numClasses))
            }
            labels += values.map { Int32($0 - 1) }
            data.payload.withUnsafeBufferPointer { payload in
                LabelledImages.appendChannelsLast(rows, of: shape, from: payload.baseAddress!, stride: shape.count,
                                                  to: &pixels)
            }
        }
        return LabelledImages(path: LabelledImages.path(dir: dir, name: files.first ?? ""), shape: shape,
                              pixels: pixels, labels: labels, numClasses: numClasses)
    }
}
