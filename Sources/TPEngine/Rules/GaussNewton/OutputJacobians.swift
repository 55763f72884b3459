/// The Jacobians of the network's output with respect to every level, for each sample of the batch,
/// stacked as row blocks: the raw material of the ideal Gauss–Newton targets (`gnt`) and of the
/// Gauss–Newton diagnostics [M20].
///
/// Block b of `wrtActivation[k]` (rows b·n_L ..< (b+1)·n_L) is ∂h_L/∂h_k of sample b, n_L × n_k;
/// block b of `wrtPre[l]` is ∂h_L/∂a_l, n_L × n_{l+1}. All samples go through each layer in one
/// GEMM, (B·n_L × n_{l+1})·W_l, because W_l is shared; only the s' scaling is per sample. Levels
/// 1..<L and layers 0..<L are computed; the input level is never needed.
final class OutputJacobians<T: Scalar> {
    let outputWidth: Int
    /// Index k: ∂h_L/∂h_k for hidden level k (nil for the input and the output).
    let wrtActivation: [Matrix<T>?]
    /// Index l: ∂h_L/∂a_l for layer l.
    let wrtPre: [Matrix<T>]
    /// s'(a_l) of the batch (scratch).
    let slope: Matrix<T>

    /// Sized for batches of up to `maxBatch` samples (default: the network's largest batch; the
    /// diagnostics use fewer when they measure on a subsample).
    init(net: Network<T>, maxBatch: Int? = nil) {
        let samples = maxBatch ?? net.maxBatch
        let n = net.widths[net.depth], rows = samples * n
        outputWidth = n
        wrtActivation = net.widths.indices.map { k in k > 0 && k < net.depth ? Matrix(rows: rows, cols: net.widths[k]) : nil }
        wrtPre = net.layers.map { Matrix(rows: rows, cols: $0.fanOut) }
        slope = Matrix(rows: samples, cols: net.widths.dropFirst().max() ?? 1)
    }

    /// Block b (sample b) of a stacked Jacobian.
    func block(_ m: Matrix<T>, sample b: Int) -> MatRef<T> {
        m.prefix((b + 1) * outputWidth).rows(b * outputWidth, outputWidth)
    }

    /// Fills every Jacobian for the batch held in `net` (after its forward pass).
    func compute(_ net: Network<T>) {
        let b = net.batch, n = outputWidth, top = net.depth - 1
        for m in wrtPre { m.rows = b * n }
        for case let m? in wrtActivation { m.rows = b * n }
        // ∂h_L/∂a_top = diag(s'_L(a_top)) per sample.
        let sTop = slopes(net, layer: top)
        let mTop = wrtPre[top]
        fill(mTop.ref, 0)
        for s in 0..<b { for i in 0..<n { mTop[s * n + i, i] = sTop[s, i] } }
        for l in stride(from: top, through: 1, by: -1) {
            // ∂h_L/∂h_l = (∂h_L/∂a_l) W_l, then ∂h_L/∂a_{l−1} = (∂h_L/∂h_l) ⊙ s'(a_{l−1}) per sample.
            let jh = wrtActivation[l]!
            gemm(jh.ref, wrtPre[l].ref, net.layers[l].weight.value.ref)
            copy(jh.ref, into: wrtPre[l - 1].ref)
            let s = slopes(net, layer: l - 1), width = net.widths[l]
            let p = wrtPre[l - 1].data
            for sample in 0..<b {
                let factors = s.base + sample * width
                for r in 0..<n {
                    let row = p + (sample * n + r) * width
                    for c in 0..<width { row[c] *= factors[c] }
                }
            }
        }
    }

    /// s'(a_l) for every sample of the batch.
    func slopes(_ net: Network<T>, layer l: Int) -> MatRef<T> {
        let s = slope.view(rows: net.batch, cols: net.layers[l].fanOut)
        fill(s, 1)
        net.layers[l].activation.multiplyDerivative(s, a: net.a[l].ref, h: net.h[l + 1].ref)
        return s
    }
}

/// Ideal damped Gauss–Newton targets [M20], sample by sample: for hidden level k and sample b with
/// J_b = ∂h_L/∂h_k, Δh_{k,b} = J_bᵀ (J_b J_bᵀ + λI)⁺ Δ_{L,b}. The solve is per sample by nature (each
/// sample has its own J_b), so it loops over samples around small GEMMs: the n_L × n_L Gram
/// matrix of each sample and its eigen-decomposition in Float64 (λ = 0 gives the pseudo-inverse).
/// The decomposition does not depend on λ: a damping search decomposes each sample once and
/// solves for every candidate.
final class GaussNewtonTargets<T: Scalar> {
    let jacobians: OutputJacobians<T>
    let eigen: SymmetricEigen
    /// J_b J_bᵀ of one sample (scratch), the right-hand side and solution in Float64, and the
    /// solution in T.
    let gram: Matrix<T>, rhs: Matrix<Double>, solved: Matrix<Double>, solution: Matrix<T>

    init(jacobians: OutputJacobians<T>) {
        self.jacobians = jacobians
        let n = jacobians.outputWidth
        eigen = SymmetricEigen(maxN: n)
        gram = Matrix(rows: n, cols: n)
        rhs = Matrix(rows: 1, cols: n)
        solved = Matrix(rows: 1, cols: n)
        solution = Matrix(rows: 1, cols: n)
    }

    /// Writes Δh_k for every sample into `result(i)` (B × n_k), for each damping `dampings[i]`,
    /// from the output difference `output` (B × n_L), using the Jacobians already computed for
    /// this batch. A sample whose Gram matrix cannot be decomposed (non-finite) gets NaN, so the
    /// run is recorded as diverged.
    func targets(level k: Int, output: MatRef<T>, dampings: [Double], into result: (Int) -> MatRef<T>) {
        let n = jacobians.outputWidth, j = jacobians.wrtActivation[k]!
        let gramInEigen = MatRef(base: eigen.vectors, rows: n, cols: n)
        for b in 0..<output.rows {
            let jb = jacobians.block(j, sample: b)
            gemm(gram.ref, jb, jb, transB: true)
            convert(gram.ref, into: gramInEigen)
            guard eigen.decompose(n: n) else {
                for i in dampings.indices { fill(result(i).rows(b, 1), .nan) }
                continue
            }
            convert(output.rows(b, 1), into: rhs.ref)
            for (i, lambda) in dampings.enumerated() {
                eigen.solve(rhs.data, into: solved.data, damping: lambda)
                convert(solved.ref, into: solution.ref)
                gemm(result(i).rows(b, 1), solution.ref, jb)
            }
        }
    }
}
