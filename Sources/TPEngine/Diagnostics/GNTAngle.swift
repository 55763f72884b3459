/// GNT angle [M20] per hidden layer: the angle between the method's update ΔW_l and the update the
/// local loss would give with the ideal damped Gauss–Newton targets of `gnt` (methods.md, "GNT"):
/// Δh_{l,b} = J_bᵀ(J_bJ_bᵀ + λI)⁺ e_b per sample with J_b = ∂h_L/∂h_{l+1}, and the local-loss
/// update ∝ (s'(a_l) ⊙ Δh_l)ᵀ h_l. The targets and the local loss are scaled by β and 2/B (or 1/B)
/// in the rule; the angle ignores the scale, so e stands for the output difference. The output
/// layer is left out: its target is the same for every target rule.
final class GNTAngle<T: Scalar> {
    let solver: GaussNewtonTargets<T>
    /// Δh of the batch and the update it gives (scratch, viewed at each layer's shape).
    let targets: Matrix<T>, direction: Matrix<T>

    init(net: Network<T>, jacobians: OutputJacobians<T>, maxSamples: Int) {
        solver = GaussNewtonTargets(jacobians: jacobians)
        let hidden = net.layers.dropLast()
        targets = Matrix(rows: maxSamples, cols: hidden.map(\.fanOut).max() ?? 1)
        direction = Matrix(rows: hidden.map(\.fanOut).max() ?? 1, cols: hidden.map(\.fanIn).max() ?? 1)
    }

    /// Per hidden layer l, the smallest angle in degrees over `dampings(l)` and the λ that gave it,
    /// for the batch in `net` with its output Jacobians in the solver's `jacobians`.
    func measure(_ net: Network<T>, outputGradient e: MatRef<T>,
                 dampings: (Int) -> [Double]) -> (angles: [Double], dampings: [Double]) {
        var angles: [Double] = [], chosen: [Double] = []
        for l in 0..<(net.depth - 1) {
            let layer = net.layers[l]
            let delta = targets.view(rows: net.batch, cols: layer.fanOut)
            let update = direction.view(rows: layer.fanOut, cols: layer.fanIn)
            var best = (angle: Double.nan, damping: dampings(l).first ?? 0)
            for lambda in dampings(l) {
                solver.targets(level: l + 1, output: e, damping: lambda, into: delta)
                layer.activation.multiplyDerivative(delta, a: net.a[l].ref, h: net.h[l + 1].ref)
                gemm(update, delta, transA: true, net.h[l].ref)
                let a = angle(layer.weight.grad.ref, update)
                if best.angle.isNaN || a < best.angle { best = (a, lambda) }
            }
            angles.append(best.angle)
            chosen.append(best.damping)
        }
        return (angles, chosen)
    }
}
