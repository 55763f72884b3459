import XCTest
@testable import TPConfig
@testable import TPEngine

extension TestNet {
    /// A Float64 conv net small enough for finite differences, with random inputs loaded and a
    /// forward pass done: 6×5×2 images → conv 3×3 (3 channels) tanh, max-pool 3/2/1 (overlapping)
    /// → conv 2×2 (4 channels) ELU, no pooling → dense 5 tanh → dense `classes` linear.
    static func convNet(batch: Int, classes: Int = 4, seed: UInt64 = 1) throws -> Network<Double> {
        var g = SeededGenerator(seed: seed)
        let g1 = try ConvGeometry(input: ImageShape(height: 6, width: 5, channels: 2), outChannels: 3, kernel: 3, padding: 1)
        let pool = try PoolGeometry(input: g1.output, window: 3, stride: 2, padding: 1)
        let g2 = try ConvGeometry(input: pool.output, outChannels: 4, kernel: 2)
        func conv(_ name: String, _ geometry: ConvGeometry, _ s: Activation) -> ConvLayer<Double> {
            ConvLayer(name: name, geometry: geometry, activation: s, maxBatch: batch, initialization: .xavierNormal, using: &g)
        }
        func dense(_ name: String, _ fanIn: Int, _ fanOut: Int, _ s: Activation) -> DenseLayer<Double> {
            let layer = DenseLayer<Double>(name: name, fanIn: fanIn, fanOut: fanOut, activation: s, hasBias: true)
            Initialization.fill(layer.weight.value, .xavierNormal, using: &g)
            return layer
        }
        let layers: [Layer<Double>] = [
            .conv(ConvBlock(conv: conv("layer1", g1, Activation(.tanh)), pooling: pool)),
            .conv(ConvBlock(conv: conv("layer2", g2, Activation(.elu, slope: 1)), pooling: nil)),
            .dense(dense("layer3", g2.output.count, 5, Activation(.tanh))),
            .dense(dense("layer4", 5, classes, Activation(.linear))),
        ]
        let net = Network(layers: layers, maxBatch: batch)
        for layer in net.layers { fillNormal(layer.bias!.value.ref, std: 0.3, using: &g) }
        fillNormal(net.input, using: &g)
        net.forward()
        return net
    }
}

final class ConvNetworkTests: XCTestCase {
    /// One-hot targets, sample r of class r mod `classes`.
    func targets(batch: Int, classes: Int) -> Matrix<Double> {
        let y = Matrix<Double>(rows: batch, cols: classes)
        for r in 0..<batch { y[r, r % classes] = 1 }
        return y
    }

    /// `bp` through two conv blocks (one pooling with overlapping windows, one not) and two dense
    /// layers against central differences of the loss (Float64), for every weight and bias.
    func testBackpropThroughConvBlocksMatchesFiniteDifferences() throws {
        let net = try TestNet.convNet(batch: 3)
        let y = targets(batch: 3, classes: 4), e = Matrix<Double>(rows: 3, cols: 4)
        let loss = LossFunction(.crossEntropy, reduction: .mean)
        func meanLoss() -> Double {
            net.forward()
            return loss.evaluate(output: net.output, targets: y.ref, grad: e.ref).lossSum / 3
        }
        var g = SeededGenerator(seed: 9)
        _ = meanLoss()
        let rule = BP(net: net, config: RunConfig.defaults(for: .bp), using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        XCTAssertEqual(net.parameters.count, 8)
        for p in net.parameters {
            let analytic = p.grad.copy()
            for j in 0..<p.value.count {
                XCTAssertEqual(analytic.data[j], centralDifference(p.value.data, j, meanLoss), accuracy: 1e-8,
                               "\(p.name)[\(j)]")
            }
        }
    }

    /// The noise probe of the direct DRL [M20] on a conv net: each origin's ã_L is the output
    /// pre-activation of h_o + σε pushed through the layers above by themselves, and probing leaves
    /// the network's pooling indices (hence its BP gradient) as they were.
    func testNoiseProbeThroughConvBlocks() throws {
        let batch = 3, net = try TestNet.convNet(batch: batch)
        let y = targets(batch: batch, classes: 4), e = Matrix<Double>(rows: batch, cols: 4)
        _ = LossFunction(.crossEntropy, reduction: .mean).evaluate(output: net.output, targets: y.ref, grad: e.ref)
        var g = SeededGenerator(seed: 3)
        let rule = BP(net: net, config: RunConfig.defaults(for: .bp), using: &g)
        rule.forwardGradients(net, outputGradient: e.ref)
        let before = net.parameters.map { $0.grad.toArray() }

        let probe = NoiseProbe(net: net, sigma: 0.5)
        probe.run(net, using: &g)
        for o in 1..<net.depth {
            var x = Matrix<Double>(rows: batch, cols: net.widths[o])
            copy(net.h[o].ref, into: x.ref)
            axpy(1, probe.noise[o].prefix(batch), x.ref)
            var a = Matrix<Double>(rows: batch, cols: 1)
            for l in o..<net.depth {
                let layer = net.layers[l]
                a = Matrix(rows: batch, cols: layer.preActivationWidth)
                let h = Matrix<Double>(rows: batch, cols: layer.fanOut)
                layer.forward(x.ref, a: a.ref, h: h.ref, trace: layer.makeTrace(maxRows: batch))
                x = h
            }
            let probed = probe.outputPre(origin: o, batch: batch)
            for i in 0..<a.count { XCTAssertEqual(probed.base[i], a.data[i], accuracy: 1e-12, "origin \(o)") }
        }
        rule.forwardGradients(net, outputGradient: e.ref)
        XCTAssertEqual(net.parameters.map { $0.grad.toArray() }, before)
    }

    /// The papers' CNNs have the shapes methods.md gives them on CIFAR-10's 32×32×3 images, and
    /// `Architecture.convolutionalHiddenLayers` their depth below the output.
    func testArchitecturesHaveThePapersShapes() throws {
        let image = ImageShape(height: 32, width: 32, channels: 3)
        func widths(_ architecture: Architecture) throws -> (widths: [Int], weights: [[Int]]) {
            var g = SeededGenerator(seed: 1)
            let net: Network<Float> = try CNNPlan(architecture)!.build(
                image: image, outputWidth: 10, output: Activation(.linear), maxBatch: 2,
                initialization: .xavierNormal, using: &g)
            return (net.widths, net.layers.map { [$0.weight.value.rows, $0.weight.value.cols] })
        }
        let m20 = try widths(.m20CNN)
        XCTAssertEqual(m20.widths, [3072, 16 * 16 * 32, 4096, 512, 10])
        XCTAssertEqual(m20.weights, [[32, 75], [64, 800], [512, 4096], [10, 512]])
        XCTAssertEqual(try widths(.lenet).widths, m20.widths)
        let vgg = try widths(.simpleVGG)
        XCTAssertEqual(vgg.widths, [3072, 16 * 16 * 128, 8 * 8 * 128, 4 * 4 * 256, 2 * 2 * 256, 512, 10])
        XCTAssertEqual(vgg.weights.map(\.[0]), [128, 128, 256, 256, 512, 10])
        // TPConfig counts the same layers for the per-layer lists (levels below the output).
        for architecture in [Architecture.m20CNN, .lenet, .simpleVGG] {
            XCTAssertEqual(architecture.convolutionalHiddenLayers, try widths(architecture).widths.count - 2, "\(architecture)")
        }
    }

    /// A few epochs of `bp` on [M20]'s CIFAR CNN, through `train` on 64 images written in the real
    /// CIFAR-10 file format (`CIFARFixture.writeLearnable`), lower the training loss well below its
    /// first epoch's.
    func testTrainingM20CNNOnCIFARFilesReducesTheLoss() throws {
        try checkTrainingReducesTheLoss(.bp, .m20CNN, epochs: 6, fraction: 0.5)
    }

    /// A rule that knows only dense layers refuses a conv net with a ConfigError naming both, and an
    /// architecture that does not fit the images says which and why.
    func testUnsupportedCombinationsAreConfigErrors() throws {
        let fixture = try CIFARFixture()
        defer { fixture.remove() }
        fixture.writeAll(perFile: 2, test: 2)
        var config = RunConfig.defaults(for: .ddtpRHL)
        config.model.architecture = .lenet
        config.data.dataset = .cifar10
        config.data.dir = fixture.dir
        config.data.validationSize = 1
        XCTAssertThrowsError(try train(config)) { error in
            let text = "\(error)"
            XCTAssertTrue(error is ConfigError && text.contains("ddtp-rhl") && text.contains("lenet"), text)
            XCTAssertTrue(text.hasSuffix("a method that trains conv nets (bp, tp, dtp, dtp-lee, drl, ddtp-linear, ddtp-control, dfa, ldrl)"), text)
        }

        let small = Dataset<Float>(name: "tiny/train", inputs: Matrix(rows: 1, cols: 8 * 8 * 3), targets: Matrix(rows: 1, cols: 10),
                                   labels: [0], numClasses: 10, imageShape: ImageShape(height: 8, width: 8, channels: 3),
                                   blackPixel: [0, 0, 0])
        config = RunConfig.defaults(for: .bp)
        config.model.architecture = .simpleVGG
        var g = SeededGenerator(seed: 1)
        XCTAssertThrowsError(try Network.make(config, data: small, outputWidth: 10, using: &g)) { error in
            let text = "\(error)"
            XCTAssertTrue(error is ConfigError && text.contains("simple-vgg") && text.contains("8×8×3"), text)
        }

        config.metrics.nullSpace = true
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".contains("metrics.null_space = true"), "\(error)")
        }
        config.metrics.nullSpace = false
        config.data.dataset = .studentTeacher
        config.loss.kind = .mse
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".contains("model.architecture = simple-vgg"), "\(error)")
        }
    }
}
