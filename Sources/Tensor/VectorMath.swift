#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Vectorised elementary functions for Float32.
///
/// Why not libm: per element, glibc's `tanhf` costs about 15 ns here and `expf` about 3 ns, and
/// they run once per hidden unit per sample per forward pass, so they rival the GEMMs. These
/// kernels work on eight lanes at a time and are branch-free, so every input costs the same.
///
/// Why eight lanes of plain `SIMD8<Float>`: the package is built for the baseline x86-64 target
/// (SSE2, no FMA), where SIMD8 is two SSE registers; two independent halves hide instruction
/// latency. Built with AVX2 enabled the same code becomes one YMM register. No fused multiply-adds
/// are used anywhere (without hardware FMA they become slow library calls), and because Swift does
/// not contract `a * b + c`, results are bit-identical across builds and machines.
///
/// The tail of a buffer (count not a multiple of 8) goes through the very same block kernel in a
/// zero-padded register, so an element's result never depends on where it sits in a buffer.
///
/// Accuracy, measured exhaustively over all 2³² Float inputs against Double libm: maximum relative
/// error 8.7e-8 for `exp`, 1.5e-7 for `tanh`, 2.1e-7 for `sigmoid` (wherever the true result is a
/// normal Float), i.e. one to two ulps. VectorMathTests enforce 2e-7, 3e-7 and 3e-7 on dense sweeps.
public enum VectorMath {
    typealias F8 = SIMD8<Float>
    typealias I8 = SIMD8<Int32>
    typealias U8 = SIMD8<UInt32>

    /// y[i] = eˣ⁽ⁱ⁾. y may alias x.
    ///
    /// Range handling (inputs are clamped, never trapped on):
    /// - x ≥ ln(Float.greatestFiniteMagnitude) ≈ 88.7228, including +∞, gives
    ///   `Float.greatestFiniteMagnitude`, not +∞: an overflowing activation then stays finite and
    ///   `0 · y` stays 0 instead of turning into NaN downstream.
    /// - x < ln(Float.leastNormalMagnitude) ≈ −87.3365, including −∞, gives exactly 0: results that
    ///   would be subnormal are flushed, because subnormal operands are slow in later arithmetic and
    ///   carry no useful precision.
    /// - NaN gives NaN.
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        map(x, y, n) { expBlock($0) }
    }

    /// y[i] = tanh(x[i]). y may alias x. Odd (tanh(−0) = −0), saturates to exactly ±1 for
    /// |x| ≥ 9.02 (where the Float result rounds to 1 anyway), NaN gives NaN.
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        map(x, y, n) { tanhBlock($0) }
    }

    /// y[i] = 1 / (1 + e⁻ˣ⁽ⁱ⁾). y may alias x. Accurate in relative terms on both sides: for x → −∞
    /// the result decays like eˣ (flushed to 0 once below the smallest normal Float, x < −87.3),
    /// for x → +∞ it rounds to exactly 1. NaN gives NaN.
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        map(x, y, n) { sigmoidBlock($0) }
    }

    // MARK: - Driver

    @inline(__always)
    static func map(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                    _ f: (F8) -> F8) {
        precondition(n >= 0, "negative count \(n)")
        let src = UnsafeRawPointer(x), dst = UnsafeMutableRawPointer(y)
        var i = 0
        while i + 8 <= n {
            // Load the whole block before storing: this is what makes y == x safe.
            let v = src.loadUnaligned(fromByteOffset: i * 4, as: F8.self)
            dst.storeBytes(of: f(v), toByteOffset: i * 4, as: F8.self)
            i += 8
        }
        let rest = n - i
        if rest > 0 {
            var v = F8()
            for l in 0..<rest { v[l] = x[i + l] }
            let r = f(v)
            for l in 0..<rest { y[i + l] = r[l] }
        }
    }

    // MARK: - Bit-level helpers

    @inline(__always) static func bits(_ v: F8) -> U8 { unsafeBitCast(v, to: U8.self) }
    @inline(__always) static func float(_ b: U8) -> F8 { unsafeBitCast(b, to: F8.self) }
    @inline(__always) static func float(_ b: I8) -> F8 { unsafeBitCast(b, to: F8.self) }

    /// Lane-wise square root. The generic `SIMD.squareRoot()` is lowered to eight scalar `sqrtf`
    /// calls with errno checks; SQRTPS is one instruction per four lanes.
    @inline(__always) static func sqrt(_ v: F8) -> F8 {
        #if arch(x86_64)
        return F8(lowHalf: _mm_sqrt_ps(v.lowHalf), highHalf: _mm_sqrt_ps(v.highHalf))
        #else
        var r = F8()
        for l in 0..<8 { r[l] = v[l].squareRoot() }
        return r
        #endif
    }

    // MARK: - exp

    static let log2e: Float = 1.442_695_04
    // ln 2 split so that n·ln2Hi is exact for |n| ≤ 2^15 (ln2Hi has 9 significant bits) and the
    // reduction x − n·ln2Hi is exact by Sterbenz' lemma; ln2Lo carries the remaining bits. Without
    // the split, the rounding error of n·ln2 (up to 128·ulp) would dominate the result's error.
    static let ln2Hi: Float = 0.693_359_375
    static let ln2Lo: Float = -2.121_944_4e-4
    // Adding 1.5·2²³ rounds any |t| < 2²² to the nearest integer (ties to even) using the FPU's own
    // rounding, and leaves that integer in the low mantissa bits. SSE2 has no round instruction and
    // Swift's SIMD float→int conversion would trap on NaN, so this is the only cheap route.
    static let roundMagic: Float = 12_582_912
    static let expHi: Float = 88.722_84   // just above ln(Float.greatestFiniteMagnitude)
    static let expLo: Float = -87.336_54  // just above ln(Float.leastNormalMagnitude)

    /// eˣ for x ∈ [expLo, expHi] (or NaN, which propagates). Callers clamp.
    @inline(__always) static func expCore(_ x: F8) -> F8 {
        // x = n·ln2 + r with |r| ≤ ln2/2, so eˣ = 2ⁿ·eʳ and only eʳ needs a polynomial.
        let k = x * log2e + roundMagic
        let nf = k - roundMagic
        let n = unsafeBitCast(k, to: I8.self) &- unsafeBitCast(F8(repeating: roundMagic), to: I8.self)
        let r = (x - nf * ln2Hi) - nf * ln2Lo
        // Taylor series of eʳ to degree 7: on |r| ≤ 0.347 the first omitted term is r⁸/8! < 6e-9,
        // ten times below Float rounding, so a minimax fit would buy nothing. Summing 1 + r last
        // keeps the rounding error of the small tail terms from reaching the leading digits.
        var q: F8 = F8(repeating: 1.0 / 5040)
        q = q * r + 1.0 / 720
        q = q * r + 1.0 / 120
        q = q * r + 1.0 / 24
        q = q * r + 1.0 / 6
        q = q * r + 0.5
        let p = (q * (r * r) + r) + 1
        // 2ⁿ from the exponent bits. n reaches 128 just below the overflow threshold, and 2¹²⁸ has no
        // Float encoding, so scale twice by 2^(n/2): both halves stay in the normal exponent range.
        let n1 = n &>> 1
        let n2 = n &- n1
        let s1 = float((n1 &+ 127) &<< 23)
        let s2 = float((n2 &+ 127) &<< 23)
        return p * s1 * s2
    }

    @inline(__always) static func expBlock(_ x: F8) -> F8 {
        // Comparisons with NaN are false, so NaN lanes pass through every select unchanged.
        // Written as min/max on xc itself so that they lower to MINPS/MAXPS.
        var xc = x.replacing(with: expHi, where: x .> expHi)
        xc = xc.replacing(with: expLo, where: xc .< expLo)
        var y = expCore(xc)
        y = y.replacing(with: .greatestFiniteMagnitude, where: y .> .greatestFiniteMagnitude)
        y = y.replacing(with: 0, where: x .< expLo)
        return y
    }

    // MARK: - tanh

    /// Below this |x|, tanh uses its odd polynomial; above, 1 − 2/(e^{2|x|} + 1). The formula via exp
    /// loses up to half of its digits to cancellation as |x| → 0 (1 − something close to 1), so
    /// small arguments must not use it; at 0.625 the cancellation costs under one bit.
    static let tanhSmall: Float = 0.625
    /// tanh(x) rounds to 1 in Float for |x| > 9.011; clamping keeps e^{2|x|} finite and makes ±∞
    /// map to exactly ±1.
    static let tanhClamp: Float = 10

    @inline(__always) static func tanhBlock(_ x: F8) -> F8 {
        let b = bits(x)
        let sign = b & 0x8000_0000
        var a = float(b & 0x7FFF_FFFF)
        a = a.replacing(with: tanhClamp, where: a .> tanhClamp)

        // Large |x|: with E = e^{2|x|}, the subtraction 1 − 2/(E+1) cancels at most one bit here.
        let e = expCore(a + a)
        let large = 1 - 2 / (e + 1)

        // Small |x|: tanh(x) = x + x³·P(x²). P is a degree-4 minimax fit (Lawson-weighted least
        // squares on the relative error of tanh over [0, 0.625], computed for this file); its own
        // error is 4.4e-9, far below Float rounding. Writing it as x + x·(x²·P) adds the small
        // correction to the exact leading term last.
        let z = a * a
        var p = F8(repeating: -5.705_369_9e-3)
        p = p * z + 2.063_943_3e-2
        p = p * z - 5.373_982_2e-2
        p = p * z + 1.333_144_3e-1
        p = p * z - 3.333_328_2e-1
        let small = a + a * (z * p)

        // NaN has no ordering, so NaN lanes take the polynomial branch, which propagates them.
        let r = small.replacing(with: large, where: a .>= tanhSmall)
        return float(bits(r) | sign)
    }

    // MARK: - sigmoid

    @inline(__always) static func sigmoidBlock(_ x: F8) -> F8 {
        // Work with e = e^{−|x|} ∈ (0, 1], which never overflows: σ(|x|) = 1/(1+e) and
        // σ(−|x|) = e/(1+e). The naive 1/(1+eˣ⁻) overflows for large negative x and, worse, returns
        // 1 − σ(|x|) computed by cancellation there, i.e. garbage relative accuracy.
        let negA = float(bits(x) | 0x8000_0000)          // −|x|
        let e0 = expCore(negA.replacing(with: expLo, where: negA .< expLo))
        let e = e0.replacing(with: 0, where: negA .< expLo)
        let pos = 1 / (1 + e)
        return pos.replacing(with: e * pos, where: x .< 0)
    }
}
