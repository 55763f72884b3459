import XCTest
@testable import TPEngine

/// conv → s → max-pool → dense, trained by backprop: the test's own small loop, since `Network` is
/// still a stack of dense layers. Every buffer is sized once for `batch`.
private final class TinyConvNet<T: Scalar> {
    let conv: ConvLayer<T>
    let pool: MaxPool<T>
    let dense: DenseLayer<T>
    let loss = LossFunction(.crossEntropy, reduction: .mean)
    let a1: Matrix<T>, h1: Matrix<T>, pooled: Matrix<T>, logits: Matrix<T>, output: Matrix<T>
    let outputGradient: Matrix<T>, pooledGradient: Matrix<T>, h1Gradient: Matrix<T>, ones: Matrix<T>

    var parameters: [Parameter<T>] { conv.parameters + dense.parameters }

    init(image: ImageShape, channels: Int, kernel: Int, padding: Int, pool window: Int, poolStride: Int,
         poolPadding: Int, classes: Int, batch: Int, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        let geometry = try ConvGeometry(input: image, outChannels: channels, kernel: kernel, padding: padding)
        conv = ConvLayer(name: "conv1", geometry: geometry, activation: Activation(.tanh), maxBatch: batch,
                         initialization: .xavierNormal, using: &g)
        fillNormal(conv.bias!.value.ref, std: 0.1, using: &g)
        let poolGeometry = try PoolGeometry(input: geometry.output, window: window, stride: poolStride, padding: poolPadding)
        pool = MaxPool(poolGeometry, maxBatch: batch)
        dense = DenseLayer(name: "fc", fanIn: poolGeometry.output.count, fanOut: classes, activation: Activation(.linear),
                           hasBias: true)
        Initialization.fill(dense.weight.value, .xavierNormal, using: &g)
        a1 = Matrix(rows: batch, cols: geometry.output.count)
        h1 = Matrix(rows: batch, cols: geometry.output.count)
        h1Gradient = Matrix(rows: batch, cols: geometry.output.count)
        pooled = Matrix(rows: batch, cols: poolGeometry.output.count)
        pooledGradient = Matrix(rows: batch, cols: poolGeometry.output.count)
        logits = Matrix(rows: batch, cols: classes)
        output = Matrix(rows: batch, cols: classes)
        outputGradient = Matrix(rows: batch, cols: classes)
        ones = Matrix(rows: 1, cols: batch)
        fill(ones.ref, 1)
    }

    /// The batch's mean loss, with every parameter's gradient stored.
    func lossAndGradients(_ x: MatRef<T>, targets y: MatRef<T>) -> Double {
        conv.forward(x, a: a1.ref, h: h1.ref)
        pool.forward(h1.ref, into: pooled.ref)
        dense.forward(pooled.ref, a: logits.ref, h: output.ref)
        let lossSum = loss.evaluate(output: output.ref, targets: y, grad: outputGradient.ref).lossSum
        dense.accumulateGradients(delta: outputGradient.ref, input: pooled.ref, scale: 1, ones: ones.ref)
        gemm(pooledGradient.ref, outputGradient.ref, dense.weight.value.ref)
        pool.unpool(pooledGradient.ref, into: h1Gradient.ref)
        conv.activation.multiplyDerivative(h1Gradient.ref, a: a1.ref, h: h1.ref)
        conv.accumulateGradients(delta: h1Gradient.ref, input: x, scale: 1)
        return lossSum / Double(x.rows)
    }
}

final class ConvLayerTests: XCTestCase {
    /// Backprop through conv, tanh, overlapping max-pooling and a dense layer against central
    /// differences of the loss (Float64), for every weight and bias of the conv layer.
    func testBackpropThroughTheConvLayerMatchesFiniteDifferences() throws {
        let net = try TinyConvNet<Double>(image: ImageShape(height: 6, width: 5, channels: 2), channels: 3, kernel: 3,
                                          padding: 1, pool: 3, poolStride: 2, poolPadding: 1, classes: 4, batch: 3, seed: 1)
        let x = Matrix<Double>(rows: 3, cols: 60), y = Matrix<Double>(rows: 3, cols: 4)
        var g = SeededGenerator(seed: 2)
        fillNormal(x.ref, using: &g)
        for r in 0..<3 { y[r, r] = 1 }
        _ = net.lossAndGradients(x.ref, targets: y.ref)
        let analytics = net.conv.parameters.map { $0.grad.copy() }  // before any perturbation
        for (p, analytic) in zip(net.conv.parameters, analytics) {
            for j in 0..<p.value.count {
                let keep = p.value.data[j], h = 1e-6
                p.value.data[j] = keep + h
                let up = net.lossAndGradients(x.ref, targets: y.ref)
                p.value.data[j] = keep - h
                let down = net.lossAndGradients(x.ref, targets: y.ref)
                p.value.data[j] = keep
                XCTAssertEqual(analytic.data[j], (up - down) / (2 * h), accuracy: 1e-8, "\(p.name)[\(j)]")
            }
        }
    }

    /// A few epochs of SGD with momentum on 64 CIFAR-10-format images (written in the real file
    /// format and loaded as a run loads them) lower the training loss well below its start.
    func testAFewBatchesOfCIFARShapedDataReduceTheLoss() throws {
        let fixture = try CIFARFixture()
        defer { fixture.remove() }
        fixture.writeAll(perFile: 13, test: 1)
        let data: DataSplits<Float> = try loadSplits(.cifar10(dir: fixture.dir), validationSize: 1, seed: 1)
        XCTAssertEqual(data.train.count, 64)
        let batch = 16
        let net = try TinyConvNet<Float>(image: ImageShape(height: 32, width: 32, channels: 3), channels: 8, kernel: 5,
                                         padding: 2, pool: 3, poolStride: 2, poolPadding: 1, classes: 10,
                                         batch: batch, seed: 3)
        var settings = RunConfig.Optimizer()
        settings.kind = .sgd
        settings.momentum = 0.9
        let sgd = Optimizer(settings, lr: 0.05, parameters: net.parameters)
        let x = Matrix<Float>(rows: batch, cols: 3072), y = Matrix<Float>(rows: batch, cols: 10)
        var epochLosses: [Double] = []
        for _ in 0..<6 {
            var sum = 0.0
            for start in stride(from: 0, to: 64, by: batch) {
                data.train.gatherBatch(indices: ArraySlice((Int32(start) ..< Int32(start + batch))), inputs: x.ref, targets: y.ref)
                sum += net.lossAndGradients(x.ref, targets: y.ref)
                sgd.step()
            }
            epochLosses.append(sum / 4)
        }
        XCTAssertEqual(epochLosses[0], Double.log(10), accuracy: 0.5, "starts near chance")
        XCTAssertLessThan(epochLosses.last!, 0.5 * epochLosses[0], "losses per epoch: \(epochLosses)")
    }
}
