/// Null-space ratio [M20]: ‖V_nullᵀ vec ΔW_l‖ / ‖vec ΔW_l‖ for J = ∂h_L/∂W_l over the samples, the
/// share of the method's update that cannot change the output on them. Computed as the norm of
/// the projection residual ΔW − Jᵀ(JJᵀ)⁺ J vec ΔW (no SVD of J): with q_k = v_kᵀ J vec ΔW already in
/// the eigenbasis of JJᵀ, (JJᵀ)⁺ J vec ΔW = Σ_k (q_k/μ_k) v_k over the kept eigenvalues.
final class NullSpaceRatio<T: Scalar> {
    /// Coefficients c in the eigenbasis and in the stacked output space, and the residual.
    let coefficients: Matrix<Double>, c: Matrix<Double>, residual: Matrix<Double>

    init(maxRows: Int, maxWeights: Int) {
        coefficients = Matrix(rows: maxRows, cols: 1)
        c = Matrix(rows: maxRows, cols: 1)
        residual = Matrix(rows: maxWeights, cols: 1)
    }

    /// The ratio for the layer `jacobian` holds; NaN for a zero update.
    func measure(_ jacobian: ParameterJacobian<T>) -> Double {
        let rows = jacobian.rows, update = jacobian.update
        let coefficients = coefficients.view(rows: rows, cols: 1), c = c.view(rows: rows, cols: 1)
        let q = jacobian.coordinatesOfUpdate.base, mu = jacobian.eigenvalues
        for k in 0..<rows { coefficients.base[k] = jacobian.keeps(k, damping: 0) ? q[k] / mu[k] : 0 }
        jacobian.eigenCoordinates(coefficients, into: c, transposed: true)
        let r = residual.view(rows: update.rows, cols: update.cols)
        jacobian.applyTransposed(c, into: r)
        let norm = sumOfSquares(update)
        guard norm > 0 else { return .nan }
        axpy(-1, update, r)
        return (sumOfSquares(r) / norm).squareRoot()
    }
}
