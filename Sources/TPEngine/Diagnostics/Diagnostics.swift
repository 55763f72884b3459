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
    /// The rule's layer-to-layer feedback maps, when Jacobian matching is requested.
    let matchedFeedback: LayerFeedback<T>?
    /// The full batch's forward gradients while the subsample's are in place.
    let savedGradients: [Matrix<T>]

    /// Per-measurement state: whether the network is narrowed to the subsample (its gradients
    /// those of the subsample) and whether the output Jacobians are computed.
    private var narrowed = false, jacobiansReady = false

    /// nil when no diagnostic is requested. Throws `ConfigError` when a requested one cannot run
    /// on this network.
    init?(net: Network<T>, config: RunConfig, feedback: LayerFeedback<T>?,
          methodUpdate: @escaping (MatRef<T>) -> Void) throws {
        let m = config.metrics
        guard m.gntAngles || m.gnAngles || m.nullSpace || m.jacobianMatching else { return nil }
        if m.jacobianMatching && feedback == nil {
            throw ConfigError.inconsistent(
                keys: ["metrics.jacobian_matching", "method"],
                problem: "metrics.jacobian_matching = true compares layer-to-layer feedback maps with the forward"
                    + " layers' Jacobians, but method = \(config.method.rawValue) has no such maps"
                    + " (tp, dtp, dtp-lee, drl, iterative and ldrl have them)")
        }
        matchedFeedback = m.jacobianMatching ? feedback : nil
        let samples = m.diagnosticSamples == 0 ? net.maxBatch : min(m.diagnosticSamples, net.maxBatch)
        self.samples = samples
        dampings = net.layers.indices.map { l in
            m.gnDampingSearch.isEmpty ? [m.gnDamping.count == 1 ? m.gnDamping[0] : m.gnDamping[l]] : m.gnDampingSearch
        }
        self.methodUpdate = methodUpdate
        let outputWidth = net.widths[net.depth], rows = samples * outputWidth
        if m.gnAngles || m.nullSpace, rows > ParameterJacobian<T>.maxRows {
            let key = m.gnAngles ? "metrics.gn_angles" : "metrics.null_space"
            throw ConfigError.inconsistent(
                keys: [key, "metrics.diagnostic_samples", "batch_size"],
                problem: "\(key) decomposes the Gram matrix of ∂h_L/∂W over samples × outputs = \(samples) × "
                    + "\(outputWidth) = \(rows) rows; at most \(ParameterJacobian<T>.maxRows) are supported: set "
                    + "metrics.diagnostic_samples to at most \(ParameterJacobian<T>.maxRows / outputWidth)")
        }
        let jacobians = m.gntAngles || m.gnAngles || m.nullSpace ? OutputJacobians(net: net, maxBatch: samples) : nil
        self.jacobians = jacobians
        gnt = m.gntAngles ? jacobians.map { GNTAngle(net: net, jacobians: $0, maxSamples: samples) } : nil
        parameterJacobian = m.gnAngles || m.nullSpace ? ParameterJacobian(net: net, maxSamples: samples) : nil
        gn = m.gnAngles ? GNAngle(maxRows: rows) : nil
        nullSpace = m.nullSpace
            ? NullSpaceRatio(maxRows: rows, maxWeights: net.layers.map { $0.fanIn * $0.fanOut }.max()!) : nil
        savedGradients = jacobians != nil && samples < net.maxBatch ? net.parameters.map { $0.grad.copy() } : []
    }

    /// Measures every requested diagnostic on the batch in `net`, after the rule's forward
    /// gradients (the method's update) and before the optimizer step, which finds them unchanged.
    /// Returns the per-layer values by name and the seconds each diagnostic took.
    func measure(_ net: Network<T>, outputGradient e: MatRef<T>)
        -> (values: [String: [Double]], seconds: [String: Double]) {
        var values: [String: [Double]] = [:], seconds: [String: Double] = [:]
        let fullBatch = net.batch
        let used = min(samples, fullBatch), e = e.rows(0, used)
        (narrowed, jacobiansReady) = (false, false)
        defer { restore(net, fullBatch: fullBatch) }
        if let gnt {
            timed("gnt_angle", into: &seconds) {
                prepareJacobians(net, e)
                let r = gnt.measure(net, outputGradient: e) { self.dampings[$0] }
                (values["gnt_angle"], values["gnt_damping"]) = (r.angles, r.dampings)
            }
        }
        if let parameterJacobian {
            var gnAngles: [Double] = [], gnDampings: [Double] = [], ratios: [Double] = []
            for l in net.layers.indices {
                var loaded = false
                timed(gn != nil ? "gn_angle" : "null_space_ratio", into: &seconds) {
                    prepareJacobians(net, e)
                    loaded = parameterJacobian.load(layer: l, net: net, jacobians: jacobians!)
                }
                if let gn {
                    timed("gn_angle", into: &seconds) {
                        let r = loaded ? gn.measure(parameterJacobian, outputGradient: e, dampings: dampings[l])
                                       : (angle: .nan, damping: .nan)
                        gnAngles.append(r.angle)
                        gnDampings.append(r.damping)
                    }
                }
                if let nullSpace {
                    timed("null_space_ratio", into: &seconds) {
                        ratios.append(loaded ? nullSpace.measure(parameterJacobian) : .nan)
                    }
                }
            }
            if gn != nil { (values["gn_angle"], values["gn_damping"]) = (gnAngles, gnDampings) }
            if nullSpace != nil { values["null_space_ratio"] = ratios }
        }
        if let matchedFeedback {
            timed("jacobian_matching", into: &seconds) {
                values["jacobian_matching"] = jacobianMatchingErrors(net, matchedFeedback, samples: used)
            }
        }
        return (values, seconds)
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
