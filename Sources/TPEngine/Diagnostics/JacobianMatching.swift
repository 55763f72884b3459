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
/// A sample whose forward Jacobian is 0 (every ReLU unit of the layer off) has no reference to
/// be relative to: it is left out, and the layer's error is the mean over the samples used (NaN
/// only when none is).
///
/// - Returns: one error per map level of `feedback`, bottom-up, in the order of the rule's
///   `reconstructionLayers`.
/// - Parameter samples: at most this many rows of the batch are used (nil: all of them).
public func jacobianMatchingErrors<T: Scalar>(_ net: Network<T>, _ feedback: LayerFeedback<T>,
                                              samples: Int? = nil) -> [Double] {
    jacobianMatchingErrors(net, feedback, samples: samples, slopes: JacobianMatchingSlopes(net: net))
}

/// As above, with the slopes' storage given: the diagnostics measure every few batches and
/// allocate it once.
func jacobianMatchingErrors<T: Scalar>(_ net: Network<T>, _ feedback: LayerFeedback<T>, samples: Int?,
                                       slopes: JacobianMatchingSlopes<T>) -> [Double] {
    feedback.prepare(net)
    let rows = min(samples ?? net.batch, net.batch)
    return feedback.levels.map { l in
        // A conv block's mirror [E22] has no dense Q to sum over; its error is not measured here.
        guard let map = feedback.maps[l] else { return .nan }
        let layer = net.layers[l]
        let (n, m) = (layer.fanIn, layer.fanOut)
        let forwardSlope = slopes.forward.view(rows: net.batch, cols: m)
        let feedbackSlope = slopes.feedback.view(rows: net.batch, cols: n)
        derivative(layer.activation, a: net.a[l].ref, h: net.h[l + 1].ref, into: forwardSlope)
        derivative(map.activation, a: feedback.gOfHPre[l]!.ref, h: feedback.gOfH[l]!.ref, into: feedbackSlope)
        let w = layer.weight.value, q = map.weight.value
        var total = 0.0, used = 0
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
            guard reference > 0 else { continue }
            total += (difference / reference).squareRoot()
            used += 1
        }
        return used > 0 ? total / Double(used) : .nan
    }
}

/// Storage for s'(a) of a forward layer and of its feedback map over a batch.
final class JacobianMatchingSlopes<T: Scalar> {
    let forward: Matrix<T>, feedback: Matrix<T>

    init(net: Network<T>) {
        let width = net.widths.max() ?? 1
        forward = Matrix(rows: net.maxBatch, cols: width)
        feedback = Matrix(rows: net.maxBatch, cols: width)
    }
}

/// s'(a) for every entry of a batch into `slope`, from its pre-activation `a` and output `h`.
private func derivative<T: Scalar>(_ s: Activation, a: MatRef<T>, h: MatRef<T>, into slope: MatRef<T>) {
    fill(slope, 1)
    s.multiplyDerivative(slope, a: a, h: h)
}
