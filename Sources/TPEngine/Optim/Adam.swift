import RealModule

extension Optimizer {
    /// Adam with L2 weight decay added to the gradient, as torch.optim.Adam does (the optimizer of
    /// [M20], where feedback weight decay is the DRL's regulariser).
    func adamStep() {
        let (m, v) = (state1, state2)
        let c1 = 1 - Double.pow(settings.beta1, Double(steps)), c2 = 1 - Double.pow(settings.beta2, Double(steps))
        let stepSize = T(learningRate / c1), invSqrtC2 = T(1 / c2.squareRoot())
        let (b1, b2, e, wd) = (T(settings.beta1), T(settings.beta2), T(settings.eps), T(settings.weightDecay))
        for (k, p) in parameters.enumerated() {
            let (x, g, pm, pv) = (p.value.data, p.grad.data, m[k].data, v[k].data)
            for i in 0..<p.value.count {
                let gi = g[i] + wd * x[i]
                pm[i] = b1 * pm[i] + (1 - b1) * gi
                pv[i] = b2 * pv[i] + (1 - b2) * gi * gi
                x[i] -= stepSize * pm[i] / (pv[i].squareRoot() * invSqrtC2 + e)
            }
        }
    }
}
