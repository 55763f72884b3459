import RealModule

/// GN angle [M20]: the angle between the method's update ΔW_l and the damped Gauss–Newton update
/// of the minibatch for W_l alone, ΔW_GN = Jᵀ(JJᵀ + λI)⁺ e with J = ∂h_L/∂W_l stacked over the
/// samples and e = ∂ℓ/∂h_L (λ → ∞ turns it into the BP gradient, up to scale). Both are gradient
/// directions; the angle ignores their scale, and so the loss's 1/B.
///
/// Without forming ΔW_GN: with ẽ_k = v_kᵀe and q_k = v_kᵀ J vec ΔW_l in the eigenbasis of JJᵀ,
/// ⟨ΔW_l, Jᵀc⟩ = ⟨J vec ΔW_l, c⟩ = Σ_k q_k ẽ_k/(μ_k + λ) and ‖Jᵀc‖² = cᵀJJᵀc = Σ_k μ_k ẽ_k²/(μ_k + λ)²,
/// so every λ of a damping search costs O(B·n_L).
final class GNAngle<T: Scalar> {
    /// e stacked as one column (row b·n_L + r is e[b, r]) and its eigen-coordinates.
    let error: Matrix<Double>, errorCoordinates: Matrix<Double>

    init(maxRows: Int) {
        error = Matrix(rows: maxRows, cols: 1)
        errorCoordinates = Matrix(rows: maxRows, cols: 1)
    }

    /// The angle in degrees for each λ of `dampings`, for the layer `jacobian` holds; e is the
    /// output gradient of the same samples. NaN when either update is 0.
    func measure(_ jacobian: ParameterJacobian<T>, outputGradient e: MatRef<T>, dampings: [Double]) -> [Double] {
        let rows = jacobian.rows
        precondition(e.count == rows)
        let stacked = error.view(rows: rows, cols: 1), ec = errorCoordinates.view(rows: rows, cols: 1)
        convert(e, into: stacked)
        jacobian.eigenCoordinates(stacked, into: ec)
        let q = jacobian.coordinatesOfUpdate.base, mu = jacobian.eigenvalues
        let updateNorm = sumOfSquares(jacobian.update).squareRoot()
        return dampings.map { lambda in
            var inner = 0.0, normSquared = 0.0
            for k in 0..<rows where jacobian.keeps(k, damping: lambda) {
                let c = ec.base[k] / (mu[k] + lambda)
                inner += q[k] * c
                normSquared += Swift.max(mu[k], 0) * c * c
            }
            guard updateNorm > 0, normSquared > 0 else { return .nan }
            let cosine = Swift.min(1, Swift.max(-1, inner / (updateNorm * normSquared.squareRoot())))
            return Double.acos(cosine) * 180 / .pi
        }
    }
}
