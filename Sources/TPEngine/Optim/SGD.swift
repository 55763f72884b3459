extension Optimizer {
    /// SGD with heavy-ball momentum and L2 weight decay, as torch.optim.SGD (no dampening) [E22].
    func sgdStep() {
        let velocity = state1
        let (lr, mu, wd) = (T(learningRate), T(settings.momentum), T(settings.weightDecay))
        // The first step starts the momentum buffer at the gradient itself, as PyTorch does.
        let keep: T = steps > 1 ? mu : 0
        for (k, p) in parameters.enumerated() {
            let (x, g, b) = (p.value.data, p.grad.data, velocity[k].data)
            for i in 0..<p.value.count {
                let gi = g[i] + wd * x[i]
                b[i] = keep * b[i] + gi
                x[i] -= lr * (mu == 0 ? gi : b[i])
            }
        }
    }
}
