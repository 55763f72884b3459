import COpenBLAS
import RealModule

/// The element types the engine computes in: Float32 (default, fast) and Float64 (for GAIT-prop and
/// for numerical checks). Each conformance routes to the matching single- or double-precision CBLAS
/// routine, so generic code specialises to a direct BLAS call.
public protocol Scalar: Real, BinaryFloatingPoint, SIMDScalar, Codable, Sendable
where Self.RawSignificand: FixedWidthInteger {
    /// C ← α·op(A)·op(B) + β·C on row-major storage.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// y ← α·op(A)·x + β·y on row-major storage.
    static func gemv(trans: Bool, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)
    /// Element-wise tanh of n values (y may alias x).
    static func tanh(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count n: Int)
    /// Element-wise exp of n values (y may alias x).
    static func exp(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count n: Int)
    /// A short name for logs and stored metadata ("float32", "float64").
    static var dtypeName: String { get }
    /// LU factorisation with partial pivoting of the n×n column-major matrix `a` in place (LAPACK
    /// getrf); returns LAPACK's info (> 0: exactly singular).
    static func getrf(n: Int, a: UnsafeMutablePointer<Self>, pivots: UnsafeMutablePointer<Int32>) -> Int
    /// Solves op(A)·X = B for the n×nrhs column-major B in place, A factored by `getrf` (LAPACK getrs).
    static func getrs(transpose: Bool, n: Int, nrhs: Int, a: UnsafePointer<Self>,
                      pivots: UnsafePointer<Int32>, b: UnsafeMutablePointer<Self>)
    /// Max-pools one window for every channel, keeping the argmax offsets (`MaxPool`); a portable
    /// default, and Float's own vector kernel (PoolWindow.swift).
    static func poolWindow(_ image: UnsafePointer<Self>, _ window: PoolWindow, into out: UnsafeMutablePointer<Self>,
                           indices: UnsafeMutablePointer<Int32>)
}

@inline(__always) private func trans(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Float: Scalar {
    @inlinable public static var dtypeName: String { "float32" }

    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, trans(transA), trans(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func gemv(trans t: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>,
                            lda: Int, x: UnsafePointer<Float>, beta: Float,
                            y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasRowMajor, trans(t), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        VectorMath.tanh(x, y, count: n)
    }

    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        VectorMath.exp(x, y, count: n)
    }

    public static func getrf(n: Int, a: UnsafeMutablePointer<Float>, pivots: UnsafeMutablePointer<Int32>) -> Int {
        var (m, nn, info) = (Int32(n), Int32(n), Int32(0))
        sgetrf_(&m, &nn, a, &m, pivots, &info)
        return Int(info)
    }

    public static func getrs(transpose: Bool, n: Int, nrhs: Int, a: UnsafePointer<Float>,
                             pivots: UnsafePointer<Int32>, b: UnsafeMutablePointer<Float>) {
        var (t, nn, r, info) = (CChar(UInt8(ascii: transpose ? "T" : "N")), Int32(n), Int32(nrhs), Int32(0))
        sgetrs_(&t, &nn, &r, a, &nn, pivots, b, &nn, &info)
    }
}

extension Double: Scalar {
    @inlinable public static var dtypeName: String { "float64" }

    public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, trans(transA), trans(transB), Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func gemv(trans t: Bool, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>,
                            lda: Int, x: UnsafePointer<Double>, beta: Double,
                            y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, trans(t), Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    // Float64 is the precision of checks, not of speed: libm's correctly rounded functions.
    public static func tanh(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
        for i in 0..<n { y[i] = Double.tanh(x[i]) }
    }

    public static func exp(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
        for i in 0..<n { y[i] = Double.exp(x[i]) }
    }

    public static func getrf(n: Int, a: UnsafeMutablePointer<Double>, pivots: UnsafeMutablePointer<Int32>) -> Int {
        var (m, nn, info) = (Int32(n), Int32(n), Int32(0))
        dgetrf_(&m, &nn, a, &m, pivots, &info)
        return Int(info)
    }

    public static func getrs(transpose: Bool, n: Int, nrhs: Int, a: UnsafePointer<Double>,
                             pivots: UnsafePointer<Int32>, b: UnsafeMutablePointer<Double>) {
        var (t, nn, r, info) = (CChar(UInt8(ascii: transpose ? "T" : "N")), Int32(n), Int32(nrhs), Int32(0))
        dgetrs_(&t, &nn, &r, a, &nn, pivots, b, &nn, &info)
    }
}

/// OpenBLAS thread control. A sweep rank trains one model with one thread; see docs/benchmarks.md.
public enum BLASThreads {
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(n)) }
    public static var current: Int { Int(openblas_get_num_threads()) }
}
