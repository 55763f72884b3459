import RealModule

/// The per-layer diagnostics a run logs besides its losses: the angle between each layer's update
/// and the BP gradient (on request: it costs one backward pass), weight norms, and how far each
/// layer moved during the epoch.
final class TrainingMetrics<T: Scalar> {
    let backprop: Backpropagation<T>?
    /// BP gradients of the current batch, when angles are requested.
    let bpWeightGrads: [Matrix<T>], bpBiasGrads: [Matrix<T>?]
    /// Weights at the start of the epoch.
    let epochStart: [Matrix<T>]
    /// Batches between BP-angle measurements (0: last batch of the epoch).
    let logInterval: Int

    init(net: Network<T>, bpAngles: Bool, logInterval: Int = 0) {
        backprop = bpAngles ? Backpropagation(net: net) : nil
        bpWeightGrads = bpAngles ? net.layers.map { Matrix(rows: $0.fanOut, cols: $0.fanIn) } : []
        bpBiasGrads = bpAngles ? net.layers.map { $0.bias.map { Matrix(rows: 1, cols: $0.value.cols) } } : []
        epochStart = net.layers.map { $0.weight.value.copy() }
        self.logInterval = logInterval
    }

    convenience init(net: Network<T>, config: RunConfig, feedback: LayerFeedback<T>?) {
        self.init(net: net, bpAngles: config.metrics.bpAngles, logInterval: config.metrics.logInterval)
    }

    /// Measures what is due on batch `index` (after the rule's forward gradients, before the
    /// forward step) and returns its record; nil when nothing is due.
    func measure(_ net: Network<T>, batch index: Int, batchesPerEpoch: Int,
                 outputGradient e: MatRef<T>) -> BatchRecord? {
        guard due(batch: index, interval: logInterval, batchesPerEpoch: batchesPerEpoch) else { return nil }
        return BatchRecord(batch: index, trainLoss: .nan, bpAngle: measureBPAngles(net, outputGradient: e))
    }

    /// Epoch means of the batch records.
    func summarise(_ records: [BatchRecord], into report: inout EpochReport) {
        report.bpAngle = meanAngles(records.map(\.bpAngle))
    }

    func beginEpoch(_ net: Network<T>) {
        for (l, layer) in net.layers.enumerated() { copy(layer.weight.value.ref, into: epochStart[l].ref) }
    }

    /// Whether batch `index` measures angles: every `interval` batches, or on the last batch of the
    /// epoch when the interval is 0.
    func due(batch index: Int, interval: Int, batchesPerEpoch: Int) -> Bool {
        guard backprop != nil else { return false }
        return interval > 0 ? index % interval == 0 : index == batchesPerEpoch - 1
    }

    /// ∠(ΔW_l, ∂ℓ/∂W_l) in degrees for every layer, with ΔW_l the gradient the rule just computed.
    func measureBPAngles(_ net: Network<T>, outputGradient e: MatRef<T>) -> [Double] {
        guard let backprop else { return [] }
        backprop.gradients(net, outputGradient: e, weightGrads: bpWeightGrads, biasGrads: bpBiasGrads)
        return net.layers.indices.map { l in angle(net.layers[l].weight.grad.ref, bpWeightGrads[l].ref) }
    }

    func meanAngles(_ records: [[Double]]) -> [Double] {
        guard let first = records.first, !first.isEmpty else { return [] }
        return first.indices.map { l in records.map { $0[l] }.reduce(0, +) / Double(records.count) }
    }

    func weightNorms(_ net: Network<T>) -> [Double] {
        net.layers.map { sumOfSquares($0.weight.value.ref).squareRoot() }
    }

    func updateNorms(_ net: Network<T>) -> [Double] {
        net.layers.indices.map { l in
            let w = net.layers[l].weight.value.ref, w0 = epochStart[l].ref
            return (sumOfSquares(w) - 2 * dot(w, w0) + sumOfSquares(w0)).magnitude.squareRoot()
        }
    }
}

/// Angle in degrees between two tensors seen as vectors (arccos of the Frobenius cosine).
public func angle<T: Scalar>(_ x: MatRef<T>, _ y: MatRef<T>) -> Double {
    let nx = sumOfSquares(x), ny = sumOfSquares(y)
    guard nx > 0, ny > 0 else { return .nan }
    let c = Swift.min(1, Swift.max(-1, dot(x, y) / (nx * ny).squareRoot()))
    return Double.acos(c) * 180 / .pi
}
