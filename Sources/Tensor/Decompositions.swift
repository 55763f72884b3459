import COpenBLAS

/// The LU factors of a square matrix, kept to apply its inverse to batches of vectors (GAIT-prop's
/// exact inverses). Factoring costs ⅔n³ and applying A⁻¹ to B vectors 2n²B: cheaper than forming
/// A⁻¹ (2n³ more) and more accurate. Storage is allocated once.
public final class LUFactors<T: Scalar>: @unchecked Sendable {
    public let n: Int
    let factors: Matrix<T>
    let pivots: UnsafeMutablePointer<Int32>
    /// False until a non-singular matrix has been factored.
    public private(set) var isValid = false

    public init(n: Int) {
        self.n = n
        factors = Matrix(rows: n, cols: n)
        pivots = .allocate(capacity: max(n, 1))
        pivots.initialize(repeating: 0, count: max(n, 1))
    }

    deinit { pivots.deallocate() }

    /// Factors the row-major n×n matrix `a`; false (and `isValid` false) when it is singular.
    /// LAPACK reads the row-major buffer as Aᵀ; `solveRows` accounts for that.
    @discardableResult
    public func factor(_ a: MatRef<T>) -> Bool {
        precondition(a.rows == n && a.cols == n, "LU of a \(a.rows)×\(a.cols) matrix, expected \(n)×\(n)")
        copy(a, into: factors.ref)
        FLOPCounter.count &+= 2 * n * n * n / 3
        isValid = T.getrf(n: n, a: factors.data, pivots: pivots) == 0
        return isValid
    }

    /// Replaces every row x of `rows` (B×n) by A⁻¹x. Row-major B×n storage is the column-major n×B
    /// matrix whose columns are the samples, and the factors are those of Aᵀ, so this is getrs
    /// with the transpose flag.
    public func solveRows(_ rows: MatRef<T>) {
        precondition(rows.cols == n && isValid)
        if rows.rows == 0 { return }
        FLOPCounter.count &+= 2 * n * n * rows.rows
        T.getrs(transpose: true, n: n, nrhs: rows.rows, a: factors.data, pivots: pivots, b: rows.base)
    }
}

/// Eigen-decompositions of symmetric matrices up to `maxN`×`maxN`, in Float64 (LAPACK dsyevd), with
/// the workspace allocated once: the damped pseudo-inverses of the Gauss–Newton targets and
/// diagnostics, (A + λI)⁺ = V diag(1/(s_k + λ)) Vᵀ for any λ ≥ 0 from one decomposition.
public final class SymmetricEigen: @unchecked Sendable {
    public let maxN: Int
    /// The matrix to decompose on input (row-major n×n, symmetric); after `decompose`, row k holds
    /// the k-th unit eigenvector.
    public let vectors: UnsafeMutablePointer<Double>
    /// Eigenvalues in ascending order after `decompose`.
    public let values: UnsafeMutablePointer<Double>
    public private(set) var n = 0
    let work: UnsafeMutablePointer<Double>, iwork: UnsafeMutablePointer<Int32>
    let lwork: Int, liwork: Int
    /// Scratch for the coefficients in the eigenbasis.
    let coefficients: UnsafeMutablePointer<Double>

    public init(maxN: Int) {
        self.maxN = maxN
        let m = max(maxN, 1)
        vectors = .allocate(capacity: m * m)
        vectors.initialize(repeating: 0, count: m * m)
        values = .allocate(capacity: m)
        values.initialize(repeating: 0, count: m)
        coefficients = .allocate(capacity: m)
        coefficients.initialize(repeating: 0, count: m)
        // dsyevd's documented minimum workspace with eigenvectors.
        lwork = 1 + 6 * m + 2 * m * m
        liwork = 3 + 5 * m
        work = .allocate(capacity: lwork)
        iwork = .allocate(capacity: liwork)
    }

    deinit {
        vectors.deallocate(); values.deallocate(); coefficients.deallocate()
        work.deallocate(); iwork.deallocate()
    }

    /// Decomposes the symmetric n×n matrix the caller wrote into `vectors`. False if LAPACK fails
    /// (non-finite input).
    public func decompose(n: Int) -> Bool {
        precondition(n >= 1 && n <= maxN)
        self.n = n
        var (jobz, uplo) = (CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")))
        var (nn, lw, liw, info) = (Int32(n), Int32(lwork), Int32(liwork), Int32(0))
        FLOPCounter.count &+= 9 * n * n * n  // rough: tridiagonalisation plus back-transformation
        dsyevd_(&jobz, &uplo, &nn, vectors, &nn, values, work, &lw, iwork, &liw, &info)
        return info == 0
    }

    /// x ← (A + λI)⁺ y for the last decomposed A, with eigenvalues s_k + λ below `relativeCutoff`
    /// times the largest treated as zero (the pseudo-inverse when λ = 0). x may alias y.
    public func solve(_ y: UnsafePointer<Double>, into x: UnsafeMutablePointer<Double>, damping lambda: Double,
                      relativeCutoff: Double = 1e-12) {
        let top = Swift.max(values[n - 1] + lambda, 0)
        for k in 0..<n {
            let row = vectors + k * n
            var c = 0.0
            for i in 0..<n { c += row[i] * y[i] }
            let s = values[k] + lambda
            coefficients[k] = s > relativeCutoff * top && s > 0 ? c / s : 0
        }
        for i in 0..<n { x[i] = 0 }
        for k in 0..<n {
            let row = vectors + k * n, c = coefficients[k]
            if c != 0 { for i in 0..<n { x[i] += c * row[i] } }
        }
    }
}
