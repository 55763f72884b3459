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

    /// A Float64 conv net whose second layer, the first with feedback, is a pooling conv block, so
    /// its mirror unpools: 6×5×2 images → conv 3×3 (3 channels) tanh → conv 3×3 (4 channels) tanh,
    /// max-pool 2/2/0 → dense `classes` linear. `deep` adds a third pooling block before the dense
    /// layer, conv 3×3 (3 channels) tanh, max-pool 2/2/0 to 1×1, so that two levels have mirrors and
    /// the upper one sees more than one probe block in `drl`. Inputs scaled by `inputScale`, forward
    /// pass done.
    static func conv(batch: Int, classes: Int = 3, inputScale: Double = 1, deep: Bool = false,
                     seed: UInt64 = 3) throws -> Network<Double> {
        var g = SeededGenerator(seed: seed)
        let g1 = try ConvGeometry(input: ImageShape(height: 6, width: 5, channels: 2), outChannels: 3, kernel: 3, padding: 1)
        let g2 = try ConvGeometry(input: g1.output, outChannels: 4, kernel: 3, padding: 1)
        let pool = try PoolGeometry(input: g2.output, window: 2)
        func block(_ name: String, _ geometry: ConvGeometry, _ pooling: PoolGeometry?) -> Layer<Double> {
            .conv(ConvBlock(conv: ConvLayer(name: name, geometry: geometry, activation: Activation(.tanh), maxBatch: batch,
                                            initialization: .xavierNormal, using: &g), pooling: pooling))
        }
        var layers = [block("layer1", g1, nil), block("layer2", g2, pool)]
        if deep {
            let g3 = try ConvGeometry(input: pool.output, outChannels: 3, kernel: 3, padding: 1)
            layers.append(block("layer3", g3, try PoolGeometry(input: g3.output, window: 2)))
        }
        let output = DenseLayer<Double>(name: "layer\(layers.count + 1)", fanIn: layers.last!.fanOut, fanOut: classes,
                                        activation: Activation(.linear), hasBias: true)
        Initialization.fill(output.weight.value, .xavierNormal, using: &g)
        let net = Network(layers: layers + [.dense(output)], maxBatch: batch)
        for layer in net.layers { fillNormal(layer.bias!.value.ref, std: 0.3, using: &g) }
        fillNormal(net.input, std: inputScale, using: &g)
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

/// (f(x + h) − f(x − h)) / 2h for x = `values[i]`, which is restored afterwards: one central
/// difference of a scalar function of stored numbers (parameters, inputs).
func centralDifference(_ values: UnsafeMutablePointer<Double>, _ i: Int, step h: Double = 1e-6,
                       _ f: () -> Double) -> Double {
    let keep = values[i]
    values[i] = keep + h
    let up = f()
    values[i] = keep - h
    let down = f()
    values[i] = keep
    return (up - down) / (2 * h)
}
