/// J = ∂h_L/∂W_l of one layer over the samples of a batch [M20], without forming it. Row (b, r) of
/// J is vec(u_{b,r} x_bᵀ), with u_{b,r} row r of ∂h_L/∂a_l for sample b (block b of
/// `OutputJacobians.wrtPre[l]`) and x_b = h_l of sample b. J itself would hold B·n_L × n_{l+1}·n_l
/// numbers (84 M for a 256×256 layer of M20's net at batch 128); what the Gauss–Newton diagnostics
/// need follows from U and X alone:
///
///     (JJᵀ)[(b,r),(b',r')] = (u_{b,r}·u_{b',r'}) (x_b·x_{b'})
///     (J vec ΔW)[(b,r)]   = u_{b,r}ᵀ ΔW x_b
///     Jᵀc                 = Σ_b (Σ_r c_{b,r} u_{b,r}) x_bᵀ
///
/// JJᵀ is built and eigen-decomposed in Float64 once per layer and batch, together with the
/// method's update ΔW_l and the coordinates of J vec ΔW_l in the eigenbasis: the GN angle and the
/// null-space ratio both start from them, and any damping λ then costs O(B·n_L):
/// (JJᵀ + λI)⁺ = V diag(1/(μ_k + λ)) Vᵀ.
final class ParameterJacobian<T: Scalar> {
    /// The largest B·n_L (rows of J) the diagnostics accept: its Gram matrix and the eigen
    /// workspace take ~4·rows² doubles (128 MB here) and the decomposition ~9·rows³ flops.
    static var maxRows: Int { 2048 }

    let outputWidth: Int
    let eigen: SymmetricEigen
    /// U (B·n_L × n_{l+1}) and X (B × n_l) of the loaded layer in Float64, as views of this storage.
    let uStorage: Matrix<Double>, xStorage: Matrix<Double>
    /// X Xᵀ, and one row per sample of X ΔWᵀ or Σ_r c_{b,r} u_{b,r} (scratch).
    let inputGram: Matrix<Double>, perSample: Matrix<Double>
    /// The method's update ΔW_l (the weight gradient the rule computed) in Float64, J vec ΔW_l
    /// (scratch), and its coordinates v_kᵀ J vec ΔW_l in the eigenbasis.
    let updateStorage: Matrix<Double>, image: Matrix<Double>, updateCoordinates: Matrix<Double>
    private(set) var samples = 0, fanIn = 0, fanOut = 0
    /// Eigenvalues below this share of the largest count as zero. J carries the rounding of T, so
    /// JJᵀ is known to about rows·ε_T of its norm (numpy's `matrix_rank` convention).
    private(set) var relativeCutoff = 0.0

    init(net: Network<T>, maxSamples: Int) {
        outputWidth = net.widths[net.depth]
        let rows = maxSamples * outputWidth
        eigen = SymmetricEigen(maxN: rows)
        uStorage = Matrix(rows: rows, cols: net.layers.map(\.fanOut).max()!)
        xStorage = Matrix(rows: maxSamples, cols: net.layers.map(\.fanIn).max()!)
        inputGram = Matrix(rows: maxSamples, cols: maxSamples)
        perSample = Matrix(rows: maxSamples, cols: uStorage.cols)
        updateStorage = Matrix(rows: uStorage.cols, cols: xStorage.cols)
        image = Matrix(rows: rows, cols: 1)
        updateCoordinates = Matrix(rows: rows, cols: 1)
    }

    var rows: Int { samples * outputWidth }
    var u: MatRef<Double> { uStorage.view(rows: rows, cols: fanOut) }
    var x: MatRef<Double> { xStorage.view(rows: samples, cols: fanIn) }
    var update: MatRef<Double> { updateStorage.view(rows: fanOut, cols: fanIn) }
    /// Coordinates of J vec ΔW_l in the eigenbasis, after `load`.
    var coordinatesOfUpdate: MatRef<Double> { updateCoordinates.view(rows: rows, cols: 1) }
    /// Eigenvectors of JJᵀ as rows, after `load`.
    var basis: MatRef<Double> { MatRef(base: eigen.vectors, rows: rows, cols: rows) }
    var eigenvalues: UnsafeMutablePointer<Double> { eigen.values }

    /// Takes layer `l` of the batch in `net`, whose output Jacobians `jacobians` holds, with the
    /// method's update in its weight gradient; decomposes JJᵀ. False when the decomposition fails
    /// (non-finite Jacobians).
    func load(layer l: Int, net: Network<T>, jacobians: OutputJacobians<T>) -> Bool {
        (samples, fanIn, fanOut) = (net.batch, net.layers[l].fanIn, net.layers[l].fanOut)
        relativeCutoff = Double(rows) * Double(T.ulpOfOne)
        convert(jacobians.wrtPre[l].ref, into: u)
        convert(net.h[l].ref, into: x)
        convert(net.layers[l].weight.grad.ref, into: update)
        let gram = basis, xx = inputGram.view(rows: samples, cols: samples), n = outputWidth
        gemm(gram, u, u, transB: true)
        gemm(xx, x, x, transB: true)
        for i in 0..<rows {
            let row = gram.base + i * rows, xi = xx.base + (i / n) * samples
            for j in 0..<rows { row[j] *= xi[j / n] }
        }
        guard eigen.decompose(n: rows) else { return false }
        let jg = image.view(rows: rows, cols: 1)
        apply(update, into: jg)
        eigenCoordinates(jg, into: coordinatesOfUpdate)
        return true
    }

    /// Whether eigen-direction k takes part in (JJᵀ + λI)⁺.
    func keeps(_ k: Int, damping lambda: Double) -> Bool {
        let s = eigenvalues[k] + lambda
        return s > 0 && s > relativeCutoff * (eigenvalues[rows - 1] + lambda)
    }

    /// y ← J vec(w) for a fan_out × fan_in matrix w.
    func apply(_ w: MatRef<Double>, into y: MatRef<Double>) {
        let p = perSample.view(rows: samples, cols: fanOut), u = self.u, n = outputWidth
        gemm(p, x, w, transB: true)
        for b in 0..<samples {
            for r in 0..<n { y.base[b * n + r] = dot(u.rows(b * n + r, 1), p.rows(b, 1)) }
        }
    }

    /// w ← Jᵀc, a fan_out × fan_in matrix.
    func applyTransposed(_ c: MatRef<Double>, into w: MatRef<Double>) {
        let z = perSample.view(rows: samples, cols: fanOut), u = self.u, n = outputWidth
        fill(z, 0)
        for b in 0..<samples {
            let zb = z.base + b * fanOut
            for r in 0..<n {
                let cr = c.base[b * n + r], ur = u.base + (b * n + r) * fanOut
                for i in 0..<fanOut { zb[i] += cr * ur[i] }
            }
        }
        gemm(w, z, transA: true, x)
    }

    /// out[k] = v_kᵀ y: coordinates of a length-rows vector in the eigenbasis (and back with
    /// `transposed`: y = Σ_k out[k] v_k).
    func eigenCoordinates(_ y: MatRef<Double>, into out: MatRef<Double>, transposed: Bool = false) {
        gemm(out, basis, transA: transposed, y)
    }
}
