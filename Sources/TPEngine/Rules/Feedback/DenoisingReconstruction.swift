/// Layer-wise denoising reconstruction [L15], the feedback loss of `tp`, `dtp` and `dtp-lee`: for
/// every level l that has a map, h̃ = h_{l−1} + σε goes up through the forward layer and back down
/// through g_l, and L_l = c · mean_b ‖g_l(f_l(h̃)) − h̃‖² with c = 1/σ² (1/0.02² below σ = 0.02; the
/// scale is [M20]'s). Only Q_l, d_l receive gradients.
final class DenoisingReconstruction<T: Scalar> {
    let sigma: T
    /// Scratch: the corrupted input h̃, the forward layer's output on it, the residual.
    let corrupted: [Matrix<T>], forwardPre: [Matrix<T>], forwardOut: [Matrix<T>], error: [Matrix<T>]
    private let batchSized: [Matrix<T>]

    init(net: Network<T>, sigma: Double) {
        self.sigma = T(sigma)
        corrupted = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanIn) }
        forwardPre = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
        forwardOut = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
        error = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanIn) }
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
            let map = feedback.maps[l]!
            let x = corrupted[l].ref
            fillNormal(x, std: sigma, using: &g)
            axpy(1, net.h[l].ref, x)
            net.layers[l].forward(x, a: forwardPre[l].ref, h: forwardOut[l].ref)
            let r = feedback.out[l]!.ref, u = feedback.pre[l]!.ref
            map.forward(forwardOut[l].ref, a: u, h: r)
            let e = error[l].ref
            difference(r, x, into: e)
            losses[i] = Double(scaleFactor) * sumOfSquares(e) / Double(b)
            scale(e, by: 2 * scaleFactor / T(b))
            map.activation.multiplyDerivative(e, a: u, h: r)
            map.accumulateGradients(delta: e, input: forwardOut[l].ref, scale: 1, ones: net.ones.ref)
        }
    }
}
