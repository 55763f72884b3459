/// The difference reconstruction loss (DRL) of [M20], the feedback loss of `drl` (and of
/// `iterative` on drl feedback). For each hidden level o, h̃_o = h_o + σε travels up to the output
/// and comes back down through the difference rule and the feedback of the layers above;
/// L_o = (1/σ²) mean_b ‖h̃_o − r_o‖², with gradients to the map of level o only. Its minimiser
/// makes the feedback path's Jacobian the damped pseudo-inverse of the forward one, so the
/// propagated targets approximate Gauss–Newton targets. A conv block's map is its mirror [E22]:
/// it takes the probe's stacked copies of the batch one at a time (`LayerFeedback.apply`), each
/// unpooled through the network's indices; the probe pools with its own.
final class DifferenceReconstruction<T: Scalar> {
    let probe: NoiseProbe<T>
    /// Scratch: pre-activation and output of a map over all active blocks; the reconstruction
    /// error; the error through s'_fb at r and at h.
    let mapPre: Matrix<T>, mapOut: Matrix<T>, error: Matrix<T>, errorAtR: Matrix<T>

    init(net: Network<T>, sigma: Double) {
        probe = NoiseProbe(net: net, sigma: sigma)
        let width = net.widths.max() ?? 1, rows = net.maxBatch * Swift.max(net.depth - 1, 1)
        mapPre = Matrix(rows: rows, cols: width)
        mapOut = Matrix(rows: rows, cols: width)
        error = Matrix(rows: net.maxBatch, cols: width)
        errorAtR = Matrix(rows: net.maxBatch, cols: width)
    }

    /// Gradients of every map of `feedback` (which must have all levels 1..<L); `losses[l − 1]` is
    /// the loss of level l.
    func gradients(_ net: Network<T>, feedback: LayerFeedback<T>, noise g: inout SeededGenerator,
                   losses: UnsafeMutableBufferPointer<Double>) {
        let b = net.batch, depth = net.depth, s = 1 / (probe.sigma * probe.sigma)
        feedback.prepare(net)
        probe.run(net, using: &g)
        // Down from the output: at level j the streams of origins 1..j−1 pass through the map of
        // layer l = j−1; origin j−1 ends there, the others continue in place of their forward values.
        for j in stride(from: depth, through: 2, by: -1) {
            let l = j - 1, width = net.widths[l], active = j - 1
            let y = probe.stacked[j].prefix(b * active)
            let u = mapPre.view(rows: b * active, cols: width), gy = mapOut.view(rows: b * active, cols: width)
            feedback.apply(level: l, y, a: u, h: gy, batch: b)
            let hl = net.h[l].ref, gh = feedback.gOfH[l]!.ref
            for blk in 0..<(active - 1) {
                let dst = probe.stacked[l].prefix(b * Swift.min(l, probe.origins)).rows(blk * b, b)
                addDifference(gy.rows(blk * b, b), plus: hl, minus: gh, into: dst)
            }
            // r − h̃ for origin l, then its gradient through both g(r_{l+1}) and g(h_{l+1}).
            let last = (active - 1) * b
            let e = error.view(rows: b, cols: width)
            addDifference(gy.rows(last, b), plus: hl, minus: gh, into: e)
            axpy(-1, probe.block(l, origin: l, batch: b), e)
            losses[l - 1] = Double(s) * sumOfSquares(e) / Double(b)
            scale(e, by: 2 * s / T(b))
            let eR = errorAtR.view(rows: b, cols: width)
            copy(e, into: eR)
            let activation = feedback.activation(level: l)
            activation.multiplyDerivative(eR, a: u.rows(last, b), h: gy.rows(last, b))
            activation.multiplyDerivative(e, a: feedback.gOfHPre[l]!.ref, h: gh)
            feedback.accumulateGradients(level: l, delta: eR, input: y.rows(last, b), ones: net.ones.ref)
            feedback.accumulateGradients(level: l, delta: e, input: net.h[j].ref, scale: -1, ones: net.ones.ref,
                                         accumulate: true)
        }
    }
}
