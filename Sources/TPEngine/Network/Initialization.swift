/// Weight initialisation [M20]: Xavier-normal by default, orthogonal on request; biases start at 0.
enum Initialization {
    /// Fills a fan_out×fan_in matrix. A convolution's `outChannels × patchSize` weights give their
    /// fans explicitly (PyTorch's: fan_in = C_in·k², fan_out = C_out·k²).
    static func fill<T: Scalar>(_ w: Matrix<T>, _ kind: InitKind, fans: (in: Int, out: Int)? = nil,
                                using g: inout SeededGenerator) {
        switch kind {
        case .xavierNormal:
            let (fanIn, fanOut) = fans ?? (w.cols, w.rows)
            let std = (2.0 / Double(fanIn + fanOut)).squareRoot()
            fillNormal(w.ref, std: T(std), using: &g)
        case .orthogonal:
            fillNormal(w.ref, using: &g)
            orthonormalize(w)
        }
    }

    /// Modified Gram–Schmidt on the longer side's vectors, so that W Wᵀ = I (wide or square) or
    /// Wᵀ W = I (tall): the semi-orthogonal matrix of the QR of a Gaussian matrix. Runs once per
    /// layer at start, in Double for stability.
    static func orthonormalize<T: Scalar>(_ w: Matrix<T>) {
        let byRows = w.rows <= w.cols
        let (count, length) = byRows ? (w.rows, w.cols) : (w.cols, w.rows)
        var v = [Double](repeating: 0, count: count * length)
        for i in 0..<count { for j in 0..<length { v[i * length + j] = Double(byRows ? w[i, j] : w[j, i]) } }
        for i in 0..<count {
            for k in 0..<i {
                var d = 0.0
                for j in 0..<length { d += v[i * length + j] * v[k * length + j] }
                for j in 0..<length { v[i * length + j] -= d * v[k * length + j] }
            }
            var n = 0.0
            for j in 0..<length { n += v[i * length + j] * v[i * length + j] }
            n = n.squareRoot()
            for j in 0..<length { v[i * length + j] /= n }
        }
        for i in 0..<count { for j in 0..<length {
            let x = T(v[i * length + j])
            if byRows { w[i, j] = x } else { w[j, i] = x }
        } }
    }
}
