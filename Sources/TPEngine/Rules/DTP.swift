/// `dtp`, difference target propagation [L15, M20]: difference-corrected layer-to-layer targets,
/// feedback trained by layer-wise denoising reconstruction.
public final class DTP<T: Scalar>: LayerFeedbackRule {
    public let targets: Targets<T>
    let feedback: LayerFeedback<T>
    let sigma: T
    /// Scratch: the corrupted input h̃ and the forward layer's output on it.
    let corrupted: [Matrix<T>], forwardPre: [Matrix<T>], forwardOut: [Matrix<T>], error: [Matrix<T>]

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = LayerFeedback(net: net, config: config, using: &g)
        sigma = T(config.tp.sigma)
        corrupted = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanIn) }
        forwardPre = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
        forwardOut = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanOut) }
        error = net.layers.map { Matrix(rows: net.maxBatch, cols: $0.fanIn) }
        batchSized = corrupted + forwardPre + forwardOut + error
    }

    private let batchSized: [Matrix<T>]

    /// L_l = c · mean_b ‖g_l(f_l(h̃)) − h̃‖², h̃ = h_{l−1} + σε, c = 1/σ² (1/0.02² below σ = 0.02)
    /// [L15; the scale is M20's]. Only Q_l, d_l receive gradients.
    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
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
