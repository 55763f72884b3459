#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Seeded randomness: one generator type, buffer fills for uniform and normal values, and a
/// shuffle. Every stream here is a pure function of the seed and the sequence of calls, with no
/// dependence on the standard library's unspecified algorithms, so a trial replays exactly.

// MARK: - Generator

/// xoshiro256** (Blackman & Vigna), seeded through splitmix64.
///
/// Why this generator: 256 bits of state and a 2²⁵⁶−1 period are plenty for millions of draws per
/// batch across thousands of trials, it passes the standard statistical batteries, and one step is
/// a handful of shifts, xors and two multiplications by small constants, under 1 ns. Seeding through
/// splitmix64 turns nearby seeds (0, 1, 2, …) into unrelated, never all-zero states.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    public init(seed: UInt64) {
        // splitmix64 is a bijection of its counter, so four consecutive outputs are never all zero
        // (the one state xoshiro cannot leave).
        var counter = seed
        s0 = SeededGenerator.splitmix64(&counter)
        s1 = SeededGenerator.splitmix64(&counter)
        s2 = SeededGenerator.splitmix64(&counter)
        s3 = SeededGenerator.splitmix64(&counter)
    }

    /// The generator of stream `stream` of `seed`: independent of any call order, for uses that
    /// must stay fixed by the seed alone (a data split, a generated data set).
    public init(seed: UInt64, stream: UInt64) {
        var c = stream
        self.init(seed: seed ^ SeededGenerator.splitmix64(&c))
    }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A new generator for a separate purpose (data order, initialisation, noise, …).
    ///
    /// It takes one draw from this generator and mixes in `stream`. Taking a draw means that forking
    /// twice, even with the same `stream`, gives two different children, so a fork inside a loop
    /// cannot silently repeat a stream. Mixing in `stream` keeps children apart when forked from
    /// identical states (copies of one generator). The child is a freshly seeded xoshiro state, not a
    /// shifted view of the parent's sequence, so parent and children do not overlap in practice.
    /// Because the parent advances, the children depend on the order of `fork` calls: fork all
    /// streams from a root generator at start-up, in a fixed order, before drawing anything else.
    public mutating func fork(stream: UInt64) -> SeededGenerator {
        // Hashing the id first spreads nearby ids (0, 1, 2, …) over all 64 bits of the seed.
        var c = stream
        return SeededGenerator(seed: next() ^ SeededGenerator.splitmix64(&c))
    }

    /// A uniform integer in 0 ..< bound, without modulo bias (Lemire's multiply-and-reject: the high
    /// word of x·bound is uniform once the few low words below 2⁶⁴ mod bound are rejected).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "nextIndex(below: \(bound))")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    @inlinable @inline(__always)
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    static func splitmix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - Shuffle

/// Fisher–Yates shuffle driven by `nextIndex(below:)`.
///
/// Why not `Array.shuffle(using:)`: it is deterministic for a given generator today, but its
/// documentation reserves the right to change the algorithm in a future Swift version, which would
/// silently change every stored trial's data order. This one is ours and fixed.
public func shuffle(_ indices: inout [Int32], using g: inout SeededGenerator) {
    indices.withUnsafeMutableBufferPointer { p in
        var i = p.count - 1
        while i > 0 {
            let j = g.nextIndex(below: i + 1)
            p.swapAt(i, j)
            i -= 1
        }
    }
}

// MARK: - Uniform

/// Fills `x` with independent uniform values in [low, high).
///
/// Each value uses as many random bits as T has significand bits (24 for Float, 53 for Double), so
/// every value on that grid is equally likely; a Float takes half of a 64-bit draw. When rounding
/// of low + (high − low)·u would give `high` itself, the value is set to the largest T below
/// `high`, so the interval really is half-open.
public func fillUniform<T: Scalar>(_ x: MatRef<T>, low: T = 0, high: T = 1,
                                   using g: inout SeededGenerator) {
    precondition(low < high && (high - low).isFinite, "fillUniform: need finite low < high")
    if T.self == Float.self {
        let p = UnsafeMutableRawPointer(x.base).assumingMemoryBound(to: Float.self)
        uniformFloat(p, x.count, Float(low), Float(high), &g)
    } else if T.self == Double.self {
        let p = UnsafeMutableRawPointer(x.base).assumingMemoryBound(to: Double.self)
        uniformDouble(p, x.count, Double(low), Double(high), &g)
    } else {
        // Any other Scalar: draw in Double and round. Not on any hot path.
        for i in 0..<x.count {
            let u = Double(g.next() >> 11) * 0x1p-53
            var v = T(Double(low) + (Double(high) - Double(low)) * u)
            if v >= high { v = high.nextDown }
            x.base[i] = v
        }
    }
}

private func uniformFloat(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ low: Float, _ high: Float,
                          _ g: inout SeededGenerator) {
    let width = high - low
    let top = high.nextDown
    @inline(__always) func value(_ bits24: UInt64) -> Float {
        let v = low + width * (Float(bits24) * 0x1p-24)
        return v < high ? v : top
    }
    var i = 0
    while i + 2 <= n {
        let r = g.next()
        p[i] = value(r >> 40)
        p[i + 1] = value((r >> 8) & 0xFF_FFFF)
        i += 2
    }
    if i < n { p[i] = value(g.next() >> 40) }
}

private func uniformDouble(_ p: UnsafeMutablePointer<Double>, _ n: Int, _ low: Double, _ high: Double,
                           _ g: inout SeededGenerator) {
    let width = high - low
    let top = high.nextDown
    for i in 0..<n {
        let v = low + width * (Double(g.next() >> 11) * 0x1p-53)
        p[i] = v < high ? v : top
    }
}

// MARK: - Normal

/// Fills `x` with independent normal values N(mean, std²).
///
/// Method: Box–Muller, vectorised (`NormalKernel`): eight pairs at a time for Float (two samples
/// per 64-bit draw), four for Double (one sample per draw).
/// Why not the ziggurat: its speed comes from a data-dependent branch and a table lookup per value,
/// which keeps it scalar and makes its cost depend on the draws; Box–Muller is branch-free, so whole
/// SIMD blocks go through a log, a square root and a sine/cosine pair with polynomial kernels
/// (measured ≈1.6 ns per Float sample on the reference machine, of which 0.4 ns is the generator;
/// ≈5 ns per Double sample, against ≈17 ns with libm log/sin/cos). The angle needs no argument
/// reduction (see `NormalKernel.block`) and the log needs no special cases (u is never 0).
/// Box–Muller is exact in distribution given exact uniforms; the only approximations are the
/// resolution of the uniforms, which truncates Float samples at 6.66σ (probability 3e-11) and
/// Double samples at 8.57σ (1e-17), and, for Float, radii below 4e-4 falling on a grid.
///
/// Reproducibility: the values are a fixed function of the generator's state and the buffer length
/// (blocks of 16 Floats or 8 Doubles; a partial last block still consumes a whole block of draws).
/// Filling one buffer of 2n values is therefore not the same as filling two of n.
public func fillNormal<T: Scalar>(_ x: MatRef<T>, mean: T = 0, std: T = 1,
                                  using g: inout SeededGenerator) {
    if T.self == Float.self {
        let p = UnsafeMutableRawPointer(x.base).assumingMemoryBound(to: Float.self)
        NormalKernel.fill(p, x.count, mean: Float(mean), std: Float(std), &g)
    } else if T.self == Double.self {
        let p = UnsafeMutableRawPointer(x.base).assumingMemoryBound(to: Double.self)
        NormalKernel.fill(p, x.count, mean: Double(mean), std: Double(std), &g)
    } else {
        let tmp = UnsafeMutablePointer<Double>.allocate(capacity: max(x.count, 1))
        defer { tmp.deallocate() }
        NormalKernel.fill(tmp, x.count, mean: Double(mean), std: Double(std), &g)
        for i in 0..<x.count { x.base[i] = T(tmp[i]) }
    }
}

/// Box–Muller kernels: 16 Floats from eight 64-bit draws, or 8 Doubles from eight draws.
enum NormalKernel {
    typealias F8 = SIMD8<Float>
    typealias I8 = SIMD8<Int32>
    typealias U8 = SIMD8<UInt32>

    static func fill(_ p: UnsafeMutablePointer<Float>, _ n: Int, mean: Float, std: Float,
                     _ g: inout SeededGenerator) {
        let dst = UnsafeMutableRawPointer(p)
        var i = 0
        while i + 16 <= n {
            let (a, b) = block(&g, mean, std)
            dst.storeBytes(of: a, toByteOffset: i * 4, as: F8.self)
            dst.storeBytes(of: b, toByteOffset: (i + 8) * 4, as: F8.self)
            i += 16
        }
        if i < n {
            let (a, b) = block(&g, mean, std)
            for l in 0..<min(8, n - i) { p[i + l] = a[l] }
            for l in 0..<max(0, n - i - 8) { p[i + 8 + l] = b[l] }
        }
    }

    @inline(__always) static func draw4(_ g: inout SeededGenerator) -> U8 {
        // The lane order of the 32-bit halves is irrelevant to the distribution; it only has to be
        // fixed, and reinterpreting is free.
        unsafeBitCast(SIMD4<UInt64>(g.next(), g.next(), g.next(), g.next()), to: U8.self)
    }

    @inline(__always) static func block(_ g: inout SeededGenerator, _ mean: Float, _ std: Float)
        -> (F8, F8) {
        let radiusBits = draw4(&g)
        let angleBits = draw4(&g)

        // Radius r = √(−2 ln u), u = (k + ½)·2⁻³¹ with k the top 31 bits: u ∈ [2⁻³², 1], never 0.
        // ln u = ln v − 31·ln 2 with v = k + ½, so −2 ln u = 2·((31 − e)·ln 2 − ln m) where
        // v = 2ᵉ·m: the integer part is exact and small u keeps full relative precision.
        let k = unsafeBitCast(radiusBits &>> 1, to: I8.self)
        let v = F8(k) + 0.5
        let (e, lnm) = logParts(v)
        let twoE = 2 * (F8(31 &- e) * ln2 - lnm)
        let r = VectorMath.sqrt(twoE) * std

        // Angle: a uniform φ ∈ (−π/4, π/4) from 23 signed bits, then three more bits pick a swap of
        // (cos φ, sin φ) and the two signs. Swapping maps φ to π/2 − φ and the signs reflect, so the
        // eight equally likely variants cover the circle exactly once: θ is uniform on [0, 2π) without
        // any argument reduction, and the polynomials only ever see |φ| ≤ π/4.
        let c = unsafeBitCast(angleBits, to: I8.self) &>> 9          // [−2²², 2²²)
        let phi = (F8(c) + 0.5) * (Float.pi / 4 * 0x1p-22)
        let (sn, cs) = sinCos(phi)
        // All-ones lanes where bit 0 is set. Built by shifts: the integer `.!=` comparison is
        // lowered lane by lane through memory and would cost more than the rest of the block.
        let swap = unsafeBitCast(unsafeBitCast(angleBits &<< 31, to: I8.self) &>> 31, to: U8.self)
        let cb = VectorMath.bits(cs), sb = VectorMath.bits(sn)
        let x = VectorMath.float((sb & swap) | (cb & ~swap))
        let y = VectorMath.float((cb & swap) | (sb & ~swap))
        let signX = (angleBits & 2) &<< 30
        let signY = (angleBits & 4) &<< 29
        let zx = VectorMath.float(VectorMath.bits(r * x) ^ signX)
        let zy = VectorMath.float(VectorMath.bits(r * y) ^ signY)
        return (zx + mean, zy + mean)
    }

    static let ln2: Float = 0.693_147_18

    /// v = 2ᵉ·m with m ∈ [√½, √2), and ln m, for positive normal v.
    @inline(__always) static func logParts(_ v: F8) -> (I8, F8) {
        let b = VectorMath.bits(v)
        var e = unsafeBitCast(b &>> 23, to: I8.self) &- 127
        var m = VectorMath.float((b & 0x007F_FFFF) | 0x3F80_0000)   // [1, 2)
        // Centre m on 1 so that s below is at most 0.172 and the series converges fast.
        let high = m .> 1.414_213_56
        m = m.replacing(with: m * 0.5, where: high)
        e = e.replacing(with: e &+ 1, where: high)
        // ln m = 2·atanh(s), s = (m−1)/(m+1): an odd series in s whose first omitted term,
        // 2s¹¹/11, is below 7e-10 for |s| ≤ 0.172. The division is cheaper than the extra terms
        // a series in (m−1) would need.
        let s = (m - 1) / (m + 1)
        let z = s * s
        var q = F8(repeating: 1.0 / 9)
        q = q * z + 1.0 / 7
        q = q * z + 1.0 / 5
        q = q * z + 1.0 / 3
        let lnm = 2 * s + 2 * s * (z * q)
        return (e, lnm)
    }

    /// sin φ and cos φ for |φ| ≤ π/4 by their Taylor series (first omitted terms φ¹¹/11! < 2e-9 and
    /// φ¹²/12! < 1e-10 there: below Float rounding).
    @inline(__always) static func sinCos(_ phi: F8) -> (F8, F8) {
        let z = phi * phi
        var s = F8(repeating: 1.0 / 362_880)
        s = s * z - 1.0 / 5040
        s = s * z + 1.0 / 120
        s = s * z - 1.0 / 6
        let sn = phi + phi * (z * s)
        var c = F8(repeating: -1.0 / 3_628_800)
        c = c * z + 1.0 / 40320
        c = c * z - 1.0 / 720
        c = c * z + 1.0 / 24
        c = c * z - 0.5
        let cs = 1 + z * c
        return (sn, cs)
    }
}

// MARK: - Double kernel

extension NormalKernel {
    typealias D4 = SIMD4<Double>
    typealias Q4 = SIMD4<UInt64>
    typealias L4 = SIMD4<Int64>

    static func fill(_ p: UnsafeMutablePointer<Double>, _ n: Int, mean: Double, std: Double,
                     _ g: inout SeededGenerator) {
        let dst = UnsafeMutableRawPointer(p)
        var i = 0
        while i + 8 <= n {
            let (a, b) = block(&g, mean, std)
            dst.storeBytes(of: a, toByteOffset: i * 8, as: D4.self)
            dst.storeBytes(of: b, toByteOffset: (i + 4) * 8, as: D4.self)
            i += 8
        }
        if i < n {
            let (a, b) = block(&g, mean, std)
            for l in 0..<min(4, n - i) { p[i + l] = a[l] }
            for l in 0..<max(0, n - i - 4) { p[i + 4 + l] = b[l] }
        }
    }

    @inline(__always) static func dbits(_ v: D4) -> Q4 { unsafeBitCast(v, to: Q4.self) }
    @inline(__always) static func double(_ b: Q4) -> D4 { unsafeBitCast(b, to: D4.self) }

    /// 2⁵² + k exactly, for 0 ≤ k < 2⁵², by writing k into the significand of 2⁵². SSE2 has no
    /// 64-bit integer → double conversion, and subtracting 2⁵² afterwards is exact.
    @inline(__always) static func twoP52Plus(_ k: Q4) -> D4 { double(k | 0x4330_0000_0000_0000) }

    @inline(__always) static func sqrt(_ v: D4) -> D4 {
        #if arch(x86_64)
        return D4(lowHalf: _mm_sqrt_pd(v.lowHalf), highHalf: _mm_sqrt_pd(v.highHalf))
        #else
        var r = D4()
        for l in 0..<4 { r[l] = v[l].squareRoot() }
        return r
        #endif
    }

    /// The Float kernel's scheme with 52-bit uniforms and longer series: four pairs per block.
    @inline(__always) static func block(_ g: inout SeededGenerator, _ mean: Double, _ std: Double)
        -> (D4, D4) {
        let radiusBits = Q4(g.next(), g.next(), g.next(), g.next())
        let angleBits = Q4(g.next(), g.next(), g.next(), g.next())

        // u = (k + ½)·2⁻⁵², k the top 52 bits: u ∈ [2⁻⁵³, 1). −2 ln u = 2·((52 − e)·ln 2 − ln m).
        let v = twoP52Plus(radiusBits &>> 12) - (0x1p52 - 0.5)
        let (e, lnm) = logParts(v)
        let scale = twoP52Plus(unsafeBitCast(52 &- e, to: Q4.self)) - 0x1p52
        let r = sqrt(2 * (scale * ln2d - lnm)) * std

        // φ = (j − 2⁵¹ + ½)·(π/4)/2⁵¹ ∈ (−π/4, π/4), every step exact up to the final product;
        // bits 0–2 pick swap and signs as in the Float kernel.
        let j = twoP52Plus(angleBits &>> 12) - 0x1p52
        let phi = ((j - 0x1p51) + 0.5) * (Double.pi / 4 * 0x1p-51)
        let (sn, cs) = sinCos(phi)
        let swap = unsafeBitCast(unsafeBitCast(angleBits &<< 63, to: L4.self) &>> 63, to: Q4.self)
        let cb = dbits(cs), sb = dbits(sn)
        let x = (sb & swap) | (cb & ~swap)
        let y = (cb & swap) | (sb & ~swap)
        let signX = (angleBits & 2) &<< 62
        let signY = (angleBits & 4) &<< 61
        let zx = double(dbits(r * double(x)) ^ signX)
        let zy = double(dbits(r * double(y)) ^ signY)
        return (zx + mean, zy + mean)
    }

    static let ln2d: Double = 0.693_147_180_559_945_3

    /// v = 2ᵉ·m with m ∈ [√½, √2), and ln m, for positive normal v.
    @inline(__always) static func logParts(_ v: D4) -> (L4, D4) {
        let b = dbits(v)
        var e = unsafeBitCast(b &>> 52, to: L4.self) &- 1023
        var m = double((b & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
        let high = m .> 1.414_213_562_373_095_1
        m = m.replacing(with: m * 0.5, where: high)
        e = e.replacing(with: e &+ 1, where: high)
        // 2·atanh(s) through s¹⁹: the first omitted term, 2s²¹/21, is below 2e-17 of the sum.
        let s = (m - 1) / (m + 1)
        let z = s * s
        var q = D4(repeating: 1.0 / 19)
        q = q * z + 1.0 / 17
        q = q * z + 1.0 / 15
        q = q * z + 1.0 / 13
        q = q * z + 1.0 / 11
        q = q * z + 1.0 / 9
        q = q * z + 1.0 / 7
        q = q * z + 1.0 / 5
        q = q * z + 1.0 / 3
        return (e, 2 * s + 2 * s * (z * q))
    }

    /// Taylor series through φ¹⁷ and φ¹⁶ (first omitted terms below 1e-19 for |φ| ≤ π/4).
    @inline(__always) static func sinCos(_ phi: D4) -> (D4, D4) {
        let z = phi * phi
        var s = D4(repeating: 1.0 / 355_687_428_096_000)            // 1/17!
        s = s * z - 1.0 / 1_307_674_368_000                         // 1/15!
        s = s * z + 1.0 / 6_227_020_800                             // 1/13!
        s = s * z - 1.0 / 39_916_800                                // 1/11!
        s = s * z + 1.0 / 362_880
        s = s * z - 1.0 / 5040
        s = s * z + 1.0 / 120
        s = s * z - 1.0 / 6
        let sn = phi + phi * (z * s)
        var c = D4(repeating: 1.0 / 20_922_789_888_000)             // 1/16!
        c = c * z - 1.0 / 87_178_291_200                            // 1/14!
        c = c * z + 1.0 / 479_001_600                               // 1/12!
        c = c * z - 1.0 / 3_628_800
        c = c * z + 1.0 / 40320
        c = c * z - 1.0 / 720
        c = c * z + 1.0 / 24
        c = c * z - 0.5
        return (sn, 1 + z * c)
    }
}
