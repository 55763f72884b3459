import RealModule

/// The per-layer diagnostics a run logs besides its losses: the angle between each layer's update
/// and the BP gradient (on request: it costs one backward pass), the Gauss–Newton diagnostics (on
/// request, see `Diagnostics`), weight norms, and how far each layer moved during the epoch. Every
/// requested measurement is timed; the epoch report carries each one's seconds.
final class TrainingMetrics<T: Scalar> {
    let backprop: Backpropagation<T>?
    /// BP gradients of the current batch, when angles are requested.
    let bpWeightGrads: [Matrix<T>], bpBiasGrads: [Matrix<T>?]
    /// The requested Gauss–Newton diagnostics; nil when none is.
    let diagnostics: Diagnostics<T>?
    /// Weights at the start of the epoch.
    let epochStart: [Matrix<T>]
    /// Batches between BP-angle measurements and between diagnostic measurements (0: last batch
    /// of the epoch).
    let logInterval: Int, diagnosticInterval: Int
    /// Wall-clock seconds of each measured metric so far this epoch.
    var epochSeconds: [String: Double] = [:]
    /// The angles of every candidate λ so far this epoch, by angle name (`gnt_angle`, `gn_angle`).
    var epochSearches: [String: AngleSearchTotals] = [:]

    init(net: Network<T>, bpAngles: Bool, logInterval: Int = 0, diagnostics: Diagnostics<T>? = nil,
         diagnosticInterval: Int = 0) {
        backprop = bpAngles ? Backpropagation(net: net) : nil
        bpWeightGrads = bpAngles ? net.layers.map { Matrix(rows: $0.weight.value.rows, cols: $0.weight.value.cols) } : []
        bpBiasGrads = bpAngles ? net.layers.map { $0.bias.map { Matrix(rows: 1, cols: $0.value.cols) } } : []
        self.diagnostics = diagnostics
        epochStart = net.layers.map { $0.weight.value.copy() }
        self.logInterval = logInterval
        self.diagnosticInterval = diagnosticInterval
    }

    /// `methodUpdate` fills the rule's forward gradients for an output gradient: the diagnostics
    /// recompute the update on a subsample of the batch. Throws `ConfigError` when a requested
    /// diagnostic cannot run on this network.
    convenience init(net: Network<T>, config: RunConfig, feedback: LayerFeedback<T>?,
                     methodUpdate: @escaping (MatRef<T>) -> Void) throws {
        let diagnostics = try Diagnostics(net: net, config: config, feedback: feedback, methodUpdate: methodUpdate)
        self.init(net: net, bpAngles: config.metrics.bpAngles, logInterval: config.metrics.logInterval,
                  diagnostics: diagnostics, diagnosticInterval: config.metrics.diagnosticInterval)
    }

    /// Measures what is due on batch `index` (after the rule's forward gradients, before the
    /// forward step) and returns its record; nil when nothing is due.
    func measure(_ net: Network<T>, batch index: Int, batchesPerEpoch: Int,
                 outputGradient e: MatRef<T>) -> BatchRecord? {
        let anglesDue = backprop != nil && due(batch: index, interval: logInterval, batchesPerEpoch: batchesPerEpoch)
        let diagnosticsDue = diagnostics != nil
            && due(batch: index, interval: diagnosticInterval, batchesPerEpoch: batchesPerEpoch)
        guard anglesDue || diagnosticsDue else { return nil }
        var record = BatchRecord(batch: index, trainLoss: .nan, bpAngle: [])
        if anglesDue {
            timed("bp_angle", into: &epochSeconds) { record.bpAngle = measureBPAngles(net, outputGradient: e) }
        }
        if diagnosticsDue, let diagnostics {
            let (values, seconds, searched) = diagnostics.measure(net, outputGradient: e)
            record.diagnostics = values
            epochSeconds.merge(seconds, uniquingKeysWith: +)
            for (name, angles) in searched { epochSearches[name, default: AngleSearchTotals()].add(angles) }
        }
        return record
    }

    /// Epoch means of the batch records, and the seconds the measurements took. A searched angle
    /// reports, per layer, the λ whose epoch-mean angle is smallest, with that mean.
    func summarise(_ records: [BatchRecord], into report: inout EpochReport) {
        report.bpAngle = perLayerMeans(records.map(\.bpAngle))
        for name in Set(records.flatMap(\.diagnostics.keys)) {
            report.diagnostics[name] = perLayerMeans(records.compactMap { $0.diagnostics[name] })
        }
        if let diagnostics {
            for (name, totals) in epochSearches {
                let best = totals.epochBest(dampings: diagnostics.dampings)
                report.diagnostics[name] = best.angles
                report.diagnostics[Diagnostics<T>.dampingName(of: name)] = best.dampings
            }
        }
        report.diagnosticSeconds = epochSeconds
    }

    func beginEpoch(_ net: Network<T>) {
        for (l, layer) in net.layers.enumerated() { copy(layer.weight.value.ref, into: epochStart[l].ref) }
        epochSeconds = [:]
        epochSearches = [:]
    }

    /// Whether batch `index` measures: every `interval` batches, or on the last batch of the epoch
    /// when the interval is 0.
    func due(batch index: Int, interval: Int, batchesPerEpoch: Int) -> Bool {
        interval > 0 ? index % interval == 0 : index == batchesPerEpoch - 1
    }

    /// ∠(ΔW_l, ∂ℓ/∂W_l) in degrees for every layer, with ΔW_l the gradient the rule just computed.
    func measureBPAngles(_ net: Network<T>, outputGradient e: MatRef<T>) -> [Double] {
        guard let backprop else { return [] }
        backprop.gradients(net, outputGradient: e, weightGrads: bpWeightGrads, biasGrads: bpBiasGrads)
        return net.layers.indices.map { l in angle(net.layers[l].weight.grad.ref, bpWeightGrads[l].ref) }
    }

    /// Per-layer means over the records that measured (non-empty ones).
    func perLayerMeans(_ records: [[Double]]) -> [Double] {
        let measured = records.filter { !$0.isEmpty }
        guard let first = measured.first else { return [] }
        return first.indices.map { l in measured.map { $0[l] }.reduce(0, +) / Double(measured.count) }
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
