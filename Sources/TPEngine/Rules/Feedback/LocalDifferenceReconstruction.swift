/// The local difference reconstruction loss (L-DRL) of Ernoult et al., "Towards Scaling Difference
/// Target Propagation by Learning Backprop Targets", ICML 2022 [E22]: the feedback loss of `ldrl`.
/// For the map g of one layer f, with x = h_{n−1} and y = h_n held fixed and ε, η ~ σ N(0, I):
///   r = g(y),  r_ε = g(f(x + ε)),  r_η = g(y + η),
///   L = −2 mean_b Σ ε ⊙ (r_ε − r) + mean_b Σ (r_η − r)².
/// To second order in σ, L = σ² (‖J_g‖² − 2 tr(J_g J_f)) = σ² (‖J_g − J_fᵀ‖² − ‖J_f‖²): its minimiser
/// is J_g = J_fᵀ, which turns difference targets into backprop targets. Only g's parameters learn.
///
/// The three inputs of g travel as one stack of row blocks [y; f(x + ε); y + η], so a dense g runs
/// as one GEMM and its weight gradient is one more (a conv block's mirror takes the blocks a batch
/// at a time, `LayerFeedback.apply`). Scratch is sized once for the widest layer.
final class LocalDifferenceReconstruction<T: Scalar> {
    /// g's stacked input (3B × n_n) and its pre-activation, output and ∂L/∂u (3B × n_{n−1}).
    let stacked: Matrix<T>, mapPre: Matrix<T>, mapOut: Matrix<T>, delta: Matrix<T>
    /// ε, x + ε and f's pre-activation on it (B rows).
    let noise: Matrix<T>, perturbed: Matrix<T>, forwardPre: Matrix<T>
    /// Ones for the bias gradient over the 3B stacked rows.
    let ones: Matrix<T>
    /// Pooling traces for f(x + ε), so the probe keeps the network's argmax indices, which the
    /// mirrors unpool through, intact.
    let traces: [PoolTrace<T>?]

    init(net: Network<T>) {
        let width = (net.widths + net.layers.map(\.preActivationWidth)).max() ?? 1, b = net.maxBatch
        stacked = Matrix(rows: 3 * b, cols: width)
        mapPre = Matrix(rows: 3 * b, cols: width)
        mapOut = Matrix(rows: 3 * b, cols: width)
        delta = Matrix(rows: 3 * b, cols: width)
        noise = Matrix(rows: b, cols: width)
        perturbed = Matrix(rows: b, cols: width)
        forwardPre = Matrix(rows: b, cols: width)
        ones = Matrix(rows: 1, cols: 3 * b)
        fill(ones.ref, 1)
        traces = net.layers.map { $0.makeTrace(maxRows: b) }
    }

    /// Fills the gradients of the feedback of `net.layers[l]` in `feedback`, for the batch in `net`
    /// and noise scale σ; returns the loss.
    func gradients(_ net: Network<T>, layer l: Int, feedback: LayerFeedback<T>, sigma: T,
                   noise g: inout SeededGenerator) -> Double {
        let b = net.batch, layer = net.layers[l], (nIn, nOut) = (layer.fanIn, layer.fanOut)
        let x = net.h[l].ref, y = net.h[l + 1].ref
        let input = stacked.view(rows: 3 * b, cols: nOut)
        copy(y, into: input.rows(0, b))
        let eps = noise.view(rows: b, cols: nIn), xe = perturbed.view(rows: b, cols: nIn)
        fillNormal(eps, std: sigma, using: &g)
        add(x, eps, into: xe)
        layer.forward(xe, a: forwardPre.view(rows: b, cols: layer.preActivationWidth), h: input.rows(b, b),
                      trace: traces[l])
        let yEta = input.rows(2 * b, b)
        fillNormal(yEta, std: sigma, using: &g)
        axpy(1, y, yEta)

        let u = mapPre.view(rows: 3 * b, cols: nIn), r = mapOut.view(rows: 3 * b, cols: nIn)
        let d = delta.view(rows: 3 * b, cols: nIn)
        feedback.apply(level: l, input, a: u, h: r, batch: b)
        let loss = lossAndOutputGradient(eps: eps, r: r, into: d, batch: b)
        feedback.activation(level: l).multiplyDerivative(d, a: u, h: r)
        feedback.accumulateGradients(level: l, delta: d, input: input, ones: ones.ref, batch: b)
        return loss
    }

    /// L and ∂L/∂r for the three blocks of `r` in one pass: ∂L/∂r_ε = −2ε/B,
    /// ∂L/∂r_η = 2(r_η − r)/B, ∂L/∂r = 2(ε − (r_η − r))/B.
    private func lossAndOutputGradient(eps: MatRef<T>, r: MatRef<T>, into d: MatRef<T>, batch b: Int) -> Double {
        let n = eps.count, c = 2 / T(b)
        let (e, r0, rEps, rEta) = (eps.base, r.base, r.base + n, r.base + 2 * n)
        let (d0, dEps, dEta) = (d.base, d.base + n, d.base + 2 * n)
        var alignment = 0.0, spread = 0.0
        for i in 0..<n {
            let towardsEps = rEps[i] - r0[i], towardsEta = rEta[i] - r0[i]
            alignment += Double(e[i] * towardsEps)
            spread += Double(towardsEta * towardsEta)
            d0[i] = c * (e[i] - towardsEta)
            dEps[i] = -c * e[i]
            dEta[i] = c * towardsEta
        }
        return (spread - 2 * alignment) / Double(b)
    }
}
