/// `gnt`, ideal Gauss–Newton targets [M20], an analysis reference: every hidden level k gets the
/// damped Gauss–Newton target of the output target, τ_k = h_k + J_bᵀ (J_b J_bᵀ + λ_k I)⁺ (τ_L − h_L)
/// per sample b, J_b = ∂h_L/∂h_k (methods.md's Δh_k = J_bᵀ(J_bJ_bᵀ + λI)⁻¹ e_b with e_b scaled by β,
/// the output target's step). No feedback pathway; the per-sample solve is the costly part.
/// λ_k comes from `tp.damping` (one value or one per hidden layer; 0 = pseudo-inverse).
public final class GNT<T: Scalar>: TargetRule {
    public let targets: Targets<T>
    let jacobians: OutputJacobians<T>
    let solver: GaussNewtonTargets<T>
    /// Index k: λ of level k, as the one candidate of the solver's damping list (index 0 unused).
    let damping: [[Double]]

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        jacobians = OutputJacobians(net: net)
        solver = GaussNewtonTargets(jacobians: jacobians)
        damping = ([0] + config.tp.damping.perLayer(net.depth - 1, otherwise: 0)).map { [$0] }
    }

    public func propagateTargets(_ net: Network<T>) {
        jacobians.compute(net)
        let output = targets.delta[net.depth - 1].ref
        for k in 1..<net.depth {
            let delta = targets.delta[k - 1].ref
            solver.targets(level: k, output: output, dampings: damping[k], into: { _ in delta })
        }
    }
}
