@testable import TPEngine

/// Small helpers shared by the engine tests.
enum TestNet {
    /// A Float64 network with random inputs loaded and a forward pass done.
    static func make(_ widths: [Int], hidden: ActivationKind = .tanh, output: ActivationKind = .linear,
                     batch: Int, seed: UInt64 = 1) -> Network<Double> {
        var g = SeededGenerator(seed: seed)
        let net = Network<Double>(widths: widths, hidden: Activation(hidden), output: Activation(output),
                                  maxBatch: batch, initialization: .xavierNormal, using: &g)
        for layer in net.layers { if let b = layer.bias { fillNormal(b.value.ref, std: 0.1, using: &g) } }
        fillNormal(net.input, using: &g)
        net.forward()
        return net
    }

    /// Row-major square matrix inverse by Gauss–Jordan with partial pivoting.
    static func inverse(_ a: [Double], _ n: Int) -> [Double] {
        var m = a, inv = (0..<(n * n)).map { $0 / n == $0 % n ? 1.0 : 0.0 }
        for c in 0..<n {
            let p = (c..<n).max { abs(m[$0 * n + c]) < abs(m[$1 * n + c]) }!
            for j in 0..<n { m.swapAt(c * n + j, p * n + j); inv.swapAt(c * n + j, p * n + j) }
            let d = m[c * n + c]
            for j in 0..<n { m[c * n + j] /= d; inv[c * n + j] /= d }
            for r in 0..<n where r != c {
                let f = m[r * n + c]
                for j in 0..<n { m[r * n + j] -= f * m[c * n + j]; inv[r * n + j] -= f * inv[c * n + j] }
            }
        }
        return inv
    }

    /// C = A·B for row-major matrices.
    static func multiply(_ a: [Double], _ b: [Double], _ n: Int, _ k: Int, _ m: Int) -> [Double] {
        (0..<(n * m)).map { i in (0..<k).reduce(0.0) { $0 + a[(i / m) * k + $1] * b[$1 * m + i % m] } }
    }
}

extension RunConfig {
    /// A few seconds' regression run on a student–teacher task: 300 training samples (50 for
    /// validation) in batches of 32, a 6-8-8-2 student (GAIT-prop's layers are square: 6-6-6),
    /// three epochs.
    static func tinyRegression(_ method: Method) -> RunConfig {
        var config = RunConfig.defaults(for: method)
        config.loss.kind = .mse
        config.data.dataset = .studentTeacher
        config.data.teacherWidths = [6, 20, 20, 2]
        config.data.teacherTrainSize = 300
        config.data.teacherTestSize = 100
        config.data.validationSize = 50
        config.model.hidden = method == .gait ? [6, 6] : [8, 8]
        config.batchSize = 32
        config.epochs = 3
        return config
    }
}
