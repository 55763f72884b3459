import RealModule

extension Optimizer {
    /// Adam with L2 weight decay added to the gradient, as torch.optim.Adam does (the optimizer of
    /// [M20], where feedback weight decay is the DRL's regulariser). Runs every batch over every
    /// parameter, so its body is written for eight lanes at a time.
    func adamStep() {
        let (m, v) = (state1, state2)
        let c1 = 1 - Double.pow(settings.beta1, Double(steps)), c2 = 1 - Double.pow(settings.beta2, Double(steps))
        let stepSize = T(learningRate / c1), invSqrtC2 = T(1 / c2.squareRoot())
        let (b1, b2, e, wd) = (T(settings.beta1), T(settings.beta2), T(settings.eps), T(settings.weightDecay))
        for (k, p) in parameters.enumerated() {
            let (x, g, pm, pv, n) = (p.value.data, p.grad.data, m[k].data, v[k].data, p.value.count)
            let (b1v, b2v, ev, wdv) = (SIMD8(repeating: b1), SIMD8(repeating: b2), SIMD8(repeating: e), SIMD8(repeating: wd))
            let (stepv, cv) = (SIMD8(repeating: stepSize), SIMD8(repeating: invSqrtC2))
            var i = 0
            while i + 8 <= n {
                let xi = x.load8(i), gi = g.load8(i) + wdv * xi
                let mi = b1v * pm.load8(i) + (1 - b1v) * gi
                let vi = b2v * pv.load8(i) + (1 - b2v) * gi * gi
                pm.store8(mi, i)
                pv.store8(vi, i)
                x.store8(xi - stepv * mi / (vi.squareRoot() * cv + ev), i)
                i += 8
            }
            while i < n {
                let gi = g[i] + wd * x[i]
                pm[i] = b1 * pm[i] + (1 - b1) * gi
                pv[i] = b2 * pv[i] + (1 - b2) * gi * gi
                x[i] -= stepSize * pm[i] / (pv[i].squareRoot() * invSqrtC2 + e)
                i += 1
            }
        }
    }
}
