/// `dtp-lee`, difference target propagation as Lee et al. ran it [L15]: the output layer learns
/// from the true gradient of the loss, the top hidden layer's target is a gradient step,
/// τ_{L−1} = h_{L−1} − β ∂ℓ/∂h_{L−1}, and the layers below get dtp's difference targets
/// τ_{l−1} = g_l(τ_l) + h_{l−1} − g_l(h_l). No map inverts the output layer (nothing would use it).
/// Feedback is trained by layer-wise denoising reconstruction, in whole epochs alternating with
/// the forward epochs, and both use centered RMSprop (the defaults of this method).
public final class DTPLee<T: Scalar>: LayerFeedbackRule {
    public let targets: Targets<T>
    let feedback: LayerFeedback<T>
    let loss: DenoisingReconstruction<T>
    /// δ_L = e ⊙ s'_L(a_L), the output layer's gradient signal.
    let outputDelta: Matrix<T>

    public init(net: Network<T>, config: RunConfig, using g: inout SeededGenerator) {
        targets = Targets(net: net, config: config)
        feedback = LayerFeedback(net: net, config: config, levels: 1..<Swift.max(net.depth - 1, 1), using: &g)
        loss = DenoisingReconstruction(net: net, sigma: config.tp.sigma)
        outputDelta = Matrix(rows: net.maxBatch, cols: net.widths[net.depth])
    }

    public var batchOrder: BatchOrder { .alternatingEpochs }

    /// A conv block's feedback is its mirror [E22], trained by the same denoising loss; a CNN's
    /// output layer, the one trained by its true gradient, is dense.
    public static var trainsConvolutionalNetworks: Bool { true }

    public static func check(widths: [Int], config: RunConfig) throws {
        guard widths.count >= 3 else {
            throw ConfigError.inconsistent(keys: ["method", "model.hidden"],
                                           problem: "method = dtp-lee needs at least one hidden layer")
        }
    }

    public func forwardGradients(_ net: Network<T>, outputGradient e: MatRef<T>) {
        let top = net.depth - 1, output = net.layers[top]
        targets.setOutput(e, batch: net.batch)
        outputDelta.rows = net.batch
        let delta = outputDelta.ref
        copy(e, into: delta)
        output.activation.multiplyDerivative(delta, a: net.a[top].ref, h: net.h[top + 1].ref)
        // Δ_{L−1} = −β ∂ℓ/∂h_{L−1} = −β δ_L W_L, then difference targets below it.
        gemm(targets.delta[top - 1].ref, delta, output.weight.value.ref, alpha: -targets.beta)
        propagateTargets(net)
        targets.localLossGradients(net, layers: 0..<top)
        output.accumulateGradients(delta: delta, input: net.h[top].ref, scale: 1, ones: net.ones.ref)
    }

    public func feedbackGradients(_ net: Network<T>, noise g: inout SeededGenerator,
                                  losses: UnsafeMutableBufferPointer<Double>) {
        loss.gradients(net, feedback: feedback, noise: &g, losses: losses)
    }
}
