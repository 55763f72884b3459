/// im2col and its adjoint col2im for NHWC images: the lowering that turns a convolution into one
/// GEMM. Row r = (n·Ho + oy)·Wo + ox of the lowered matrix holds the receptive field of output
/// pixel (oy, ox) of sample n, ordered (ky, kx, channel) like the weight columns; taps that fall in
/// the zero padding are 0.
///
/// For a fixed ky the taps kx = 0..<k of one output pixel are k·C consecutive input values, so each
/// kernel row is one contiguous copy (clipped at the left and right borders).

/// Writes the `samples × Ho·Wo` rows of patches of the images at `images` into `columns`.
@inlinable
public func im2col<T: Scalar>(_ g: ConvGeometry, images: UnsafePointer<T>, samples: Int,
                              into columns: UnsafeMutablePointer<T>) {
    forEachKernelRow(g, samples: samples) { image, column, kernelRow, run in
        let dst = columns + column
        guard let run else { dst.update(repeating: 0, count: kernelRow); return }
        if run.skip > 0 { dst.update(repeating: 0, count: run.skip) }
        copyValues(dst + run.skip, images + image, count: run.count)
        let tail = kernelRow - run.skip - run.count
        if tail > 0 { (dst + run.skip + run.count).update(repeating: 0, count: tail) }
    }
}

/// Adds every patch row of `columns` back onto the pixels it was read from: the adjoint of
/// `im2col` (overlapping taps sum). The caller zeroes `images` first when it wants col2im alone.
@inlinable
public func col2imAdd<T: Scalar>(_ g: ConvGeometry, columns: UnsafePointer<T>, samples: Int,
                                 into images: UnsafeMutablePointer<T>) {
    forEachKernelRow(g, samples: samples) { image, column, _, run in
        guard let run else { return }
        addInPlace(images + image, columns + column + run.skip, count: run.count)
    }
}

/// The in-bounds part of one kernel row of one patch: after `skip` padded values come `count`
/// values read from the image.
public struct KernelRowRun {
    public let skip: Int
    public let count: Int

    @inlinable init(skip: Int, count: Int) {
        self.skip = skip
        self.count = count
    }
}

/// Calls `body(imageOffset, columnOffset, kernelRowLength, run)` for every kernel row of every
/// patch, `run` nil when the row lies wholly in the padding. Offsets count elements from the first
/// image and the first lowered row. The one loop nest both directions share.
@inlinable @inline(__always)
func forEachKernelRow(_ g: ConvGeometry, samples: Int,
                      _ body: (_ image: Int, _ column: Int, _ kernelRow: Int, _ run: KernelRowRun?) -> Void) {
    let (h, w, c) = (g.input.height, g.input.width, g.input.channels)
    let (oh, ow) = (g.output.height, g.output.width)
    let (k, s, p) = (g.kernel, g.stride, g.padding)
    let kernelRow = k * c, patch = g.patchSize
    for n in 0..<samples {
        for oy in 0..<oh {
            for ox in 0..<ow {
                let x0 = ox * s - p
                let kxFirst = max(0, -x0), kxEnd = min(k, w - x0)
                let row = ((n * oh + oy) * ow + ox) * patch
                for ky in 0..<k {
                    let iy = oy * s - p + ky
                    let column = row + ky * kernelRow
                    if iy < 0 || iy >= h || kxFirst >= kxEnd {
                        body(0, column, kernelRow, nil)
                    } else {
                        body(((n * h + iy) * w + x0 + kxFirst) * c, column, kernelRow,
                             KernelRowRun(skip: kxFirst * c, count: (kxEnd - kxFirst) * c))
                    }
                }
            }
        }
    }
}

/// y ← x over `count` values, eight lanes at a time. The runs of a first layer are short (k·C = 15
/// values for a 5×5 kernel on RGB), where a `memmove` call per run costs more than the copy: lowering
/// [M20]'s first CIFAR layer took about a quarter less time this way (`tpsweep bench --conv`).
@inlinable @inline(__always)
public func copyValues<T: Scalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, count: Int) {
    let xm = UnsafeMutablePointer(mutating: x)
    var i = 0
    while i + 8 <= count {
        y.store8(xm.load8(i), i)
        i += 8
    }
    while i < count {
        y[i] = x[i]
        i += 1
    }
}

/// y ← y + x over `count` values, eight lanes at a time (two pointers: the compiler will not
/// vectorise the plain loop itself).
@inlinable @inline(__always)
public func addInPlace<T: Scalar>(_ y: UnsafeMutablePointer<T>, _ x: UnsafePointer<T>, count: Int) {
    let xm = UnsafeMutablePointer(mutating: x)
    var i = 0
    while i + 8 <= count {
        y.store8(y.load8(i) + xm.load8(i), i)
        i += 8
    }
    while i < count {
        y[i] += x[i]
        i += 1
    }
}
