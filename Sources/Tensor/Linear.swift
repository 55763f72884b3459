/// Matrix products. Every product in the engine goes through here, as one BLAS call per batch.

/// Floating-point operations issued to BLAS by this process (2mnk per GEMM, 2mn per GEMV), so a
/// benchmark reports achieved GFLOP/s from counted work rather than from a hand-kept formula.
/// One process trains one model (an MPI rank is a process), so a process-wide count is exact.
public enum FLOPCounter {
    nonisolated(unsafe) public static var count = 0
}

/// C ← α·op(A)·op(B) + β·C, where op transposes when asked. Shapes are checked.
@inlinable
public func gemm<T: Scalar>(_ c: MatRef<T>, _ a: MatRef<T>, transA: Bool = false,
                            _ b: MatRef<T>, transB: Bool = false, alpha: T = 1, beta: T = 0) {
    let (m, k) = transA ? (a.cols, a.rows) : (a.rows, a.cols)
    let (kb, n) = transB ? (b.cols, b.rows) : (b.rows, b.cols)
    precondition(k == kb && m == c.rows && n == c.cols,
                 "gemm shapes: op(A) \(m)×\(k), op(B) \(kb)×\(n), C \(c.rows)×\(c.cols)")
    if m == 0 || n == 0 { return }
    if k == 0 {
        scale(c, by: beta)
        return
    }
    FLOPCounter.count &+= 2 * m * n * k
    T.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
           a: a.base, lda: a.cols, b: b.base, ldb: b.cols, beta: beta, c: c.base, ldc: c.cols)
}

/// y ← α·Σ_rows(A) + β·y: the column sums of A (bias gradients), as one BLAS matrix–vector call
/// against a vector of ones that the caller keeps.
@inlinable
public func sumRows<T: Scalar>(_ a: MatRef<T>, into y: MatRef<T>, ones: MatRef<T>,
                               alpha: T = 1, beta: T = 0) {
    precondition(y.count == a.cols && ones.count >= a.rows)
    if a.rows == 0 { scale(y, by: beta); return }
    FLOPCounter.count &+= 2 * a.rows * a.cols
    T.gemv(trans: true, m: a.rows, n: a.cols, alpha: alpha, a: a.base, lda: a.cols,
           x: ones.base, beta: beta, y: y.base)
}
