/// GNT angle [M20] per hidden layer: the angle between the method's update ΔW_l and the update the
/// local loss would give with the ideal damped Gauss–Newton targets of `gnt` (methods.md, "GNT"):
/// Δh_{l,b} = J_bᵀ(J_bJ_bᵀ + λI)⁺ e_b per sample with J_b = ∂h_L/∂h_{l+1}, and the local-loss
/// update ∝ (s'(a_l) ⊙ Δh_l)ᵀ h_l. The targets and the local loss are scaled by β and 2/B (or 1/B)
/// in the rule; the angle ignores the scale, so e stands for the output difference. The output
/// layer is left out: its target is the same for every target rule.
final class GNTAngle<T: Scalar> {
    let solver: GaussNewtonTargets<T>
    /// Δh of the batch for each candidate λ (scratch, viewed at each layer's shape).
    let targets: [Matrix<T>]
    /// The update one candidate's Δh gives (scratch).
    let direction: Matrix<T>

    /// `candidates`: the most λ values a layer searches.
    init(net: Network<T>, jacobians: OutputJacobians<T>, maxSamples: Int, candidates: Int) {
        solver = GaussNewtonTargets(jacobians: jacobians)
        let hidden = net.layers.dropLast()
        let width = hidden.map(\.fanOut).max() ?? 1
        targets = (0..<max(candidates, 1)).map { _ in Matrix(rows: maxSamples, cols: width) }
        direction = Matrix(rows: width, cols: hidden.map(\.fanIn).max() ?? 1)
    }

    /// Per hidden layer l, the angle in degrees for each λ of `dampings(l)`, for the batch in `net`
    /// with its output Jacobians in the solver's `jacobians`.
    func measure(_ net: Network<T>, outputGradient e: MatRef<T>, dampings: (Int) -> [Double]) -> [[Double]] {
        (0..<(net.depth - 1)).map { l in
            let layer = net.layers[l], candidates = dampings(l)
            let deltas = targets.map { $0.view(rows: net.batch, cols: layer.fanOut) }
            let update = direction.view(rows: layer.fanOut, cols: layer.fanIn)
            solver.targets(level: l + 1, output: e, dampings: candidates, into: { deltas[$0] })
            return deltas.prefix(candidates.count).map { delta in
                layer.activation.multiplyDerivative(delta, a: net.a[l].ref, h: net.h[l + 1].ref)
                gemm(update, delta, transA: true, net.h[l].ref)
                return angle(layer.weight.grad.ref, update)
            }
        }
    }
}
