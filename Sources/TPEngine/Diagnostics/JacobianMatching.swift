/// Jacobian matching [E22]: how far each layer-to-layer feedback map is from the transpose of its
/// forward layer's Jacobian, ‖J_g − J_fᵀ‖_F / ‖J_fᵀ‖_F, averaged over the samples of the batch in
/// `net` (after a forward pass). L-DRL's minimiser makes the error vanish for small noise, so the
/// metric tracks whether the feedback has learnt what [E22] says it learns.
///
/// For f(x) = s(Wx + b) at pre-activation a and g(y) = s_g(Qy + d) at y = f(x), the Jacobians are
/// J_f = diag(s'(a)) W and J_g = diag(s_g'(Qy + d)) Q, so entry (i, j) of J_g − J_fᵀ is
/// s_g'_i Q_ij − W_ji s'_j: the error is a sum over the entries of Q, no Jacobian is formed.
/// Accumulates in Double: near a match the difference is small against the reference.
///
/// - Returns: one error per map level of `feedback`, bottom-up, in the order of the rule's
///   `reconstructionLayers`.
/// - Parameter samples: at most this many rows of the batch are used (nil: all of them).
public func jacobianMatchingErrors<T: Scalar>(_ net: Network<T>, _ feedback: LayerFeedback<T>,
                                              samples: Int? = nil) -> [Double] {
    feedback.prepare(net)
    let rows = min(samples ?? net.batch, net.batch)
    guard rows > 0 else { return feedback.levels.map { _ in .nan } }
    return feedback.levels.map { l in
        let layer = net.layers[l], map = feedback.maps[l]!
        let forwardSlope = derivative(layer.activation, a: net.a[l].ref, h: net.h[l + 1].ref)
        let feedbackSlope = derivative(map.activation, a: feedback.gOfHPre[l]!.ref, h: feedback.gOfH[l]!.ref)
        let w = layer.weight.value, q = map.weight.value
        let (n, m) = (layer.fanIn, layer.fanOut)
        var total = 0.0
        for b in 0..<rows {
            var difference = 0.0, reference = 0.0
            for i in 0..<n {
                let sg = Double(feedbackSlope[b, i])
                for j in 0..<m {
                    let transposed = Double(w[j, i]) * Double(forwardSlope[b, j])
                    let d = sg * Double(q[i, j]) - transposed
                    difference += d * d
                    reference += transposed * transposed
                }
            }
            total += reference > 0 ? (difference / reference).squareRoot() : .nan
        }
        return total / Double(rows)
    }
}

/// s'(a) for every entry of a batch, from its pre-activation `a` and output `h`.
private func derivative<T: Scalar>(_ s: Activation, a: MatRef<T>, h: MatRef<T>) -> Matrix<T> {
    let slope = Matrix<T>(rows: a.rows, cols: a.cols)
    fill(slope.ref, 1)
    s.multiplyDerivative(slope.ref, a: a, h: h)
    return slope
}
