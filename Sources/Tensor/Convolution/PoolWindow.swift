/// One max-pooling window of an NHWC image `width` pixels wide with `channels` values per pixel:
/// the pixels in `rows` × `columns`, never empty (`PoolGeometry` keeps padding within half the
/// window, so every window holds a real pixel).
public struct PoolWindow {
    public let rows: Range<Int>
    public let columns: Range<Int>
    public let width: Int
    public let channels: Int

    @inlinable public init(rows: Range<Int>, columns: Range<Int>, width: Int, channels: Int) {
        self.rows = rows
        self.columns = columns
        self.width = width
        self.channels = channels
    }

    /// Offset of the first channel of pixel (y, x) in the image.
    @inlinable func offset(_ y: Int, _ x: Int) -> Int { (y * width + x) * channels }
}

extension Scalar {
    /// Max-pools one window for every channel: `out[ch]` ← the largest tap, `indices[ch]` ← its
    /// offset in the image. The first pixel seeds the maxima; a later tap wins where it is larger,
    /// or NaN over a number, so ties keep the first tap in row-major order, as in PyTorch (which,
    /// unlike this, keeps the last of several NaNs).
    ///
    /// A `Scalar` requirement with this portable default because generic code cannot vectorise it:
    /// in a generic body, SIMD lane comparisons bind to the standard library's element-by-element
    /// loops, which stay scalar after specialisation (measured 8× slower than Float's own kernel).
    @inlinable public static func poolWindow(_ image: UnsafePointer<Self>, _ window: PoolWindow,
                                             into out: UnsafeMutablePointer<Self>,
                                             indices: UnsafeMutablePointer<Int32>) {
        poolChannels(0..<window.channels, image, window, into: out, indices: indices)
    }

    /// `poolWindow` for the channels in `range`, one at a time.
    @inlinable static func poolChannels(_ range: Range<Int>, _ image: UnsafePointer<Self>, _ window: PoolWindow,
                                        into out: UnsafeMutablePointer<Self>, indices: UnsafeMutablePointer<Int32>) {
        guard !range.isEmpty else { return }
        let (top, left) = (window.rows.lowerBound, window.columns.lowerBound)
        let first = window.offset(top, left)
        for ch in range {
            out[ch] = image[first + ch]
            indices[ch] = Int32(first + ch)
        }
        for y in window.rows {
            for x in window.columns where y != top || x != left {
                let offset = window.offset(y, x)
                let tap = image + offset
                for ch in range where tap[ch] > out[ch] || (tap[ch].isNaN && !out[ch].isNaN) {
                    out[ch] = tap[ch]
                    indices[ch] = Int32(offset + ch)
                }
            }
        }
    }
}

extension Float {
    /// `poolWindow` eight channels per vector (the training dtype's hot path; the remainder goes
    /// channel by channel): same comparisons, lane by lane.
    @inlinable public static func poolWindow(_ image: UnsafePointer<Float>, _ window: PoolWindow,
                                             into out: UnsafeMutablePointer<Float>,
                                             indices: UnsafeMutablePointer<Int32>) {
        let (top, left) = (window.rows.lowerBound, window.columns.lowerBound)
        let first = window.offset(top, left)
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        var ch = 0
        while ch + 8 <= window.channels {
            var best = UnsafeRawPointer(image + first + ch).loadUnaligned(as: SIMD8<Float>.self)
            var winner = SIMD8<Int32>(repeating: Int32(first))
            for y in window.rows {
                for x in window.columns where y != top || x != left {
                    let offset = window.offset(y, x)
                    let tap = UnsafeRawPointer(image + offset + ch).loadUnaligned(as: SIMD8<Float>.self)
                    let wins = (tap .> best) .| ((tap .!= tap) .& (best .== best))
                    best.replace(with: tap, where: wins)
                    winner.replace(with: Int32(offset), where: wins)
                }
            }
            UnsafeMutableRawPointer(out + ch).storeBytes(of: best, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(indices + ch).storeBytes(of: winner &+ lanes &+ Int32(ch), as: SIMD8<Int32>.self)
            ch += 8
        }
        poolChannels(ch..<window.channels, image, window, into: out, indices: indices)
    }
}
