import Foundation

/// The per-layer diagnostics of `metrics` beyond the BP angle — GNT angle, GN angle, null-space
/// ratio [M20], Jacobian matching [E22] — measured on one batch: which are on, their buffers
/// (allocated here, once), what each measured and the wall time each cost. The trainer builds one
/// only when at least one is requested, so a run without them does no extra work.
///
/// With `metrics.diagnostic_samples` S smaller than the batch, they use its first S samples (the
/// batch is shuffled) and the method's update is recomputed on those S, so that both sides of an
/// angle see the same samples; the full batch's gradients are put back for the optimizer step.
/// Shared work — that recomputation, the output Jacobians, each layer's Gram matrix of ∂h_L/∂W_l
/// and its eigen-decomposition — is charged to the first diagnostic that needs it, in the order
/// gnt_angle, gn_angle, null_space_ratio: the seconds of the diagnostics add up to their total.
/// Jacobian matching shares nothing: it uses the same samples and the feedback maps alone.
final class Diagnostics<T: Scalar> {
    /// Candidate damping values λ of each layer's GNT and GN angles.
    let dampings: [[Double]]
    let samples: Int
    /// Fills the forward gradients of the batch in the network for an output gradient (the rule).
    let methodUpdate: (MatRef<T>) -> Void
    let jacobians: OutputJacobians<T>?
    let gnt: GNTAngle<T>?
    let parameterJacobian: ParameterJacobian<T>?
    let gn: GNAngle<T>?
    let nullSpace: NullSpaceRatio<T>?
    /// The rule's layer-to-layer feedback maps, when Jacobian matching is requested, and the
    /// storage of its slopes.
    let matchedFeedback: LayerFeedback<T>?, matchingSlopes: JacobianMatchingSlopes<T>?
    /// The full batch's forward gradients while the subsample's are in place.
    let savedGradients: [Matrix<T>]

    /// Per-measurement state: whether the network is narrowed to the subsample (its gradients
    /// those of the subsample) and whether the output Jacobians are computed.
    private var narrowed = false, jacobiansReady = false

    /// nil when no diagnostic is requested. Throws `ConfigError` when a requested one cannot run
    /// on this network, or for a negative `diagnostic_samples` (a config edited in code after
    /// validation: the buffers below would be sized by it).
    init?(net: Network<T>, config: RunConfig, feedback: LayerFeedback<T>?,
          methodUpdate: @escaping (MatRef<T>) -> Void) throws {
        let m = config.metrics
        guard m.gntAngles || m.gnAngles || m.nullSpace || m.jacobianMatching else { return nil }
        guard m.diagnosticSamples >= 0 else {
            throw ConfigError.outOfRange(key: "metrics.diagnostic_samples", value: "\(m.diagnosticSamples)",
                                         expected: "an integer >= 0 (0: the whole batch)", at: nil)
        }
        if m.jacobianMatching && feedback == nil {
            throw ConfigError.inconsistent(
                keys: ConfigError.jacobianMatchingWithoutLayerFeedbackKeys,
                problem: "metrics.jacobian_matching = true compares layer-to-layer feedback maps with the forward"
                    + " layers' Jacobians, but method = \(config.method.rawValue) has no such maps"
                    + " (tp, dtp, dtp-lee, drl, iterative and ldrl have them)")
        }
        matchedFeedback = m.jacobianMatching ? feedback : nil
        matchingSlopes = m.jacobianMatching ? JacobianMatchingSlopes(net: net) : nil
        let samples = m.diagnosticSamples == 0 ? net.maxBatch : min(m.diagnosticSamples, net.maxBatch)
        self.samples = samples
        dampings = m.gnDampingSearch.isEmpty
            ? m.gnDamping.perLayer(net.depth, otherwise: 0).map { [$0] }
            : Array(repeating: m.gnDampingSearch, count: net.depth)
        self.methodUpdate = methodUpdate
        let outputWidth = net.widths[net.depth], rows = samples * outputWidth
        if m.gnAngles || m.nullSpace, rows > ParameterJacobian<T>.maxRows {
            let key = m.gnAngles ? "metrics.gn_angles" : "metrics.null_space"
            let fits = ParameterJacobian<T>.maxRows / outputWidth
            // Fewer samples help only while one sample's outputs fit; 0 would mean the whole batch.
            let remedy = fits > 0
                ? "set metrics.diagnostic_samples to at most \(fits)"
                : "metrics.gn_angles and metrics.null_space do not support an output of \(outputWidth) units"
            throw ConfigError.inconsistent(
                keys: [key, "metrics.diagnostic_samples", "batch_size"],
                problem: "\(key) decomposes the Gram matrix of ∂h_L/∂W over samples × outputs = \(samples) × "
                    + "\(outputWidth) = \(rows) rows; at most \(ParameterJacobian<T>.maxRows) are supported: "
                    + remedy)
        }
        let jacobians = m.gntAngles || m.gnAngles || m.nullSpace ? OutputJacobians(net: net, maxBatch: samples) : nil
        self.jacobians = jacobians
        let candidates = dampings.map(\.count).max() ?? 1
        gnt = m.gntAngles
            ? jacobians.map { GNTAngle(net: net, jacobians: $0, maxSamples: samples, candidates: candidates) } : nil
        parameterJacobian = m.gnAngles || m.nullSpace ? ParameterJacobian(net: net, maxSamples: samples) : nil
        gn = m.gnAngles ? GNAngle(maxRows: rows) : nil
        nullSpace = m.nullSpace
            ? NullSpaceRatio(maxRows: rows, maxWeights: net.layers.map { $0.fanIn * $0.fanOut }.max()!) : nil
        savedGradients = jacobians != nil && samples < net.maxBatch ? net.parameters.map { $0.grad.copy() } : []
    }

    /// Measures every requested diagnostic on the batch in `net`, after the rule's forward
    /// gradients (the method's update) and before the optimizer step, which finds them unchanged.
    /// Returns the per-layer values by name, the seconds each diagnostic took, and the angles of
    /// every candidate λ (`gnt_angle`, `gn_angle`: per layer, one per λ of `dampings[l]`).
    func measure(_ net: Network<T>, outputGradient e: MatRef<T>)
        -> (values: [String: [Double]], seconds: [String: Double], searched: [String: [[Double]]]) {
        var values: [String: [Double]] = [:], seconds: [String: Double] = [:], searched: [String: [[Double]]] = [:]
        let fullBatch = net.batch
        let used = min(samples, fullBatch), e = e.rows(0, used)
        (narrowed, jacobiansReady) = (false, false)
        defer { restore(net, fullBatch: fullBatch) }
        if let gnt {
            timed("gnt_angle", into: &seconds) {
                prepareJacobians(net, e)
                searched["gnt_angle"] = gnt.measure(net, outputGradient: e) { self.dampings[$0] }
            }
        }
        if let parameterJacobian {
            var gnAngles: [[Double]] = [], ratios: [Double] = []
            for l in net.layers.indices {
                var loaded = false
                timed(gn != nil ? "gn_angle" : "null_space_ratio", into: &seconds) {
                    prepareJacobians(net, e)
                    loaded = parameterJacobian.load(layer: l, net: net, jacobians: jacobians!)
                }
                if let gn {
                    timed("gn_angle", into: &seconds) {
                        gnAngles.append(loaded ? gn.measure(parameterJacobian, outputGradient: e, dampings: dampings[l])
                                               : dampings[l].map { _ in .nan })
                    }
                }
                if let nullSpace {
                    timed("null_space_ratio", into: &seconds) {
                        ratios.append(loaded ? nullSpace.measure(parameterJacobian) : .nan)
                    }
                }
            }
            if gn != nil { searched["gn_angle"] = gnAngles }
            if nullSpace != nil { values["null_space_ratio"] = ratios }
        }
        if let matchedFeedback, let matchingSlopes {
            timed("jacobian_matching", into: &seconds) {
                values["jacobian_matching"] = jacobianMatchingErrors(net, matchedFeedback, samples: used,
                                                                     slopes: matchingSlopes)
            }
        }
        for (name, angles) in searched {
            let best = angles.indices.map { AngleSearch.smallest(angles[$0], of: dampings[$0]) }
            (values[name], values[Self.dampingName(of: name)]) = (best.map(\.angle), best.map(\.damping))
        }
        return (values, seconds, searched)
    }

    /// The key reporting the λ of a searched angle: `gnt_angle` → `gnt_damping`.
    static func dampingName(of angle: String) -> String {
        String(angle.dropLast("angle".count)) + "damping"
    }

    /// Narrows the network to the subsample with the method's update recomputed on it, and
    /// computes the output Jacobians, once per measurement.
    private func prepareJacobians(_ net: Network<T>, _ e: MatRef<T>) {
        guard !jacobiansReady, let jacobians else { return }
        if e.rows < net.batch {
            for (p, saved) in zip(net.parameters, savedGradients) { copy(p.grad.ref, into: saved.ref) }
            net.setBatch(e.rows)
            methodUpdate(e)
            narrowed = true
        }
        jacobians.compute(net)
        jacobiansReady = true
    }

    private func restore(_ net: Network<T>, fullBatch: Int) {
        guard narrowed else { return }
        for (p, saved) in zip(net.parameters, savedGradients) { copy(saved.ref, into: p.grad.ref) }
        net.setBatch(fullBatch)
    }
}

/// Runs `body` and adds its wall time to `seconds[name]`.
func timed(_ name: String, into seconds: inout [String: Double], _ body: () -> Void) {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    seconds[name, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

extension ConfigError {
    static let jacobianMatchingWithoutLayerFeedbackKeys = ["metrics.jacobian_matching", "method"]

    /// Whether this is Jacobian matching asked of a rule without layer-to-layer feedback maps: a
    /// benchmark of every metric skips it for such rules.
    public var isJacobianMatchingWithoutLayerFeedback: Bool {
        if case let .inconsistent(keys, _) = self { return keys == Self.jacobianMatchingWithoutLayerFeedbackKeys }
        return false
    }
}
