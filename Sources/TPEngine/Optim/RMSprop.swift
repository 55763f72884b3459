extension Optimizer {
    /// Centered RMSprop (torch.optim.RMSprop with centered=True), the optimizer of [L15]: the
    /// gradient is divided by an estimate of its standard deviation rather than its RMS.
    func rmspropStep() {
        let (squareAverage, gradAverage, velocity) = (state1, state2, state3)
        let (lr, a, e) = (T(learningRate), T(settings.alpha), T(settings.eps))
        let (mu, wd) = (T(settings.momentum), T(settings.weightDecay))
        for (k, p) in parameters.enumerated() {
            let (x, g) = (p.value.data, p.grad.data)
            let (sa, ga, b) = (squareAverage[k].data, gradAverage[k].data, velocity[k].data)
            for i in 0..<p.value.count {
                let gi = g[i] + wd * x[i]
                sa[i] = a * sa[i] + (1 - a) * gi * gi
                ga[i] = a * ga[i] + (1 - a) * gi
                let scaled = gi / ((sa[i] - ga[i] * ga[i]).squareRoot() + e)
                b[i] = mu * b[i] + scaled
                x[i] -= lr * b[i]
            }
        }
    }
}
