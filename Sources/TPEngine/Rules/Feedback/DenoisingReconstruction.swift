/// Layer-wise denoising reconstruction [L15], the feedback loss of `tp`, `dtp` and `dtp-lee`: for
/// every level l that has a map, h̃ = h_{l−1} + σε goes up through the forward layer and back down
/// through g_l, and L_l = c · mean_b ‖g_l(f_l(h̃)) − h̃‖² with c = 1/σ² (1/0.02² below σ = 0.02; the
/// scale is [M20]'s). Only Q_l, d_l receive gradients. A conv block's map is its mirror [E22]
/// (E22's "VanillaDTP"): f_l pools h̃ with its own indices, kept in a scratch trace, and the mirror
/// unpools through the network's, as it does for the targets.
final class DenoisingReconstruction<T: Scalar> {
    let sigma: T
    /// Scratch: the corrupted input h̃, the forward layer's pre-activation and output on it, the residual.
    let corrupted: [Matrix<T>], forwardPre: [Matrix<T>], forwardOut: [Matrix<T>], error: [Matrix<T>]
    /// Pooling traces of f_l(h̃), so the network's argmax indices stay intact. The first layer has
    /// no map, so it needs none.
    let traces: [PoolTrace<T>?]
    private let batchSized: [Matrix<T>]

    init(net: Network<T>, sigma: Double) {
        self.sigma = T(sigma)
        corrupted = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanIn) }
        forwardPre = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.preActivationWidth) }
        forwardOut = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
        error = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanIn) }
        traces = net.layers.indices.map { $0 == 0 ? nil : net.layers[$0].makeTrace(maxRows: net.maxBatch) }
        batchSized = corrupted + forwardPre + forwardOut + error
    }

    /// Gradients of every map of `feedback`; `losses[i]` is the loss of its i-th level.
    func gradients(_ net: Network<T>, feedback: LayerFeedback<T>, noise g: inout SeededGenerator,
                   losses: UnsafeMutableBufferPointer<Double>) {
        let floor = Swift.max(sigma, T(0.02)), scaleFactor = 1 / (floor * floor)
        let b = net.batch
        feedback.setBatch(b)
        for m in batchSized { m.rows = b }
        for (i, l) in feedback.levels.enumerated() {
            let x = corrupted[l].ref, fx = forwardOut[l].ref
            fillNormal(x, std: sigma, using: &g)
            axpy(1, net.h[l].ref, x)
            net.layers[l].forward(x, a: forwardPre[l].ref, h: fx, trace: traces[l])
            let r = feedback.out[l]!.ref, u = feedback.pre[l]!.ref
            feedback.apply(level: l, fx, a: u, h: r)
            let e = error[l].ref
            difference(r, x, into: e)
            losses[i] = Double(scaleFactor) * sumOfSquares(e) / Double(b)
            scale(e, by: 2 * scaleFactor / T(b))
            feedback.activation(level: l).multiplyDerivative(e, a: u, h: r)
            feedback.accumulateGradients(level: l, delta: e, input: fx, ones: net.ones.ref)
        }
    }
}
