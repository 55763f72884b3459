import Foundation
import TPEngine

/// Random 32×32×3 images in CIFAR-10's binary batch format (a label byte, then 3072 pixel bytes per
/// record), in a fresh temporary folder: what `bench --cifar-shaped` trains on, so the CNNs can be
/// timed at CIFAR's image size through the real reader without the dataset, which no Debian package
/// holds. Speed does not depend on the pixel values.
struct CIFARShapedFolder {
    let dir: String

    /// `images` training records spread over the five training batches (the reader wants each
    /// non-empty), and one test record.
    init(images: Int) throws {
        dir = NSTemporaryDirectory() + "tpsweep-bench-cifar-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var g = SeededGenerator(seed: 0)
        func records(_ count: Int) -> Data {
            Data((0..<count * 3073).map { i in i % 3073 == 0 ? UInt8(i / 3073 % 10) : UInt8(truncatingIfNeeded: g.next()) })
        }
        let perFile = (max(images, 5) + 4) / 5
        for f in 1...5 { try write("data_batch_\(f).bin", records(perFile)) }
        try write("test_batch.bin", records(1))
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }

    private func write(_ name: String, _ bytes: Data) throws {
        try bytes.write(to: URL(fileURLWithPath: dir + "/" + name))
    }
}
