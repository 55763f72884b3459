/// Layer-to-layer feedback maps g_l(h) = s_fb(Q_l h + d_l) that carry level l+1 back to level l
/// [L15, M20] (or, `activation-first` as [E22], g_l(h) = Q_l s_l(h) + d_l with layer l's own
/// activation s_l), with the difference correction of DTP. Shared by `dtp` and `drl`, which differ
/// only in how they train Q and d. Level 0 (the input) has no feedback map: the first layer's
/// would be unused. A conv block's feedback is its mirror (`ConvMirror`, [E22]) instead of a dense
/// map. The feedback losses reach either kind through the level-wise `apply`, `activation` and
/// `accumulateGradients`, so every rule on these maps trains conv nets with its own loss.
public final class LayerFeedback<T: Scalar> {
    /// `maps[l]` inverts the dense `layers[l]` (l ≥ 1); nil at level 0 and at conv blocks.
    let maps: [DenseLayer<T>?]
    /// `mirrors[l]` inverts the conv block `layers[l]` (l ≥ 1); nil elsewhere.
    let mirrors: [ConvMirror<T>?]
    /// g_l(h_{l+1}) of the current batch and its pre-activation, computed once per batch and
    /// used by both the targets and the difference reconstruction loss.
    let gOfH: [Matrix<T>?], gOfHPre: [Matrix<T>?]
    /// Scratch: the input handed to a map and its pre-activation/output.
    let input: [Matrix<T>?], pre: [Matrix<T>?], out: [Matrix<T>?]

    /// The levels l that have a map, bottom-up.
    let levels: Range<Int>
    /// `activation-first` ([E22]): a dense map's input goes through layer l's own activation first,
    /// into `activated[l]` (room for the largest stack of batches a loss hands over); nil otherwise
    /// and at mirrors, which do this themselves.
    let inputActivations: [Activation?]
    private let activated: [Matrix<T>?]

    /// Maps for `levels` (default: every level but the input, 1..<L); the others stay nil.
    init(net: Network<T>, config: RunConfig, levels: Range<Int>? = nil, using g: inout SeededGenerator) {
        let levels = levels ?? 1..<net.depth
        precondition(levels.lowerBound >= 1 && levels.upperBound <= net.depth)
        self.levels = levels
        let activationFirst = config.model.fbOrder == .activationFirst
        let act = activationFirst ? Activation(.linear) : Activation(config.model.fbActivation, slope: config.model.leakySlope)
        var maps: [DenseLayer<T>?] = [], mirrors: [ConvMirror<T>?] = []
        for (l, layer) in net.layers.enumerated() {
            let name = "feedback\(l + 1)", mapped = levels.contains(l)
            if mapped, let block = layer.convBlock {
                maps.append(nil)
                mirrors.append(ConvMirror(name: name, block: block, trace: net.traces[l], activation: act,
                                          inputActivation: activationFirst ? layer.activation : nil,
                                          maxBatch: net.maxBatch, initialization: config.model.initialization,
                                          using: &g))
            } else if mapped {
                let map = DenseLayer<T>(name: name, fanIn: layer.fanOut, fanOut: layer.fanIn, activation: act, hasBias: true)
                Initialization.fill(map.weight.value, config.model.initialization, using: &g)
                maps.append(map)
                mirrors.append(nil)
            } else {
                maps.append(nil)
                mirrors.append(nil)
            }
        }
        self.maps = maps
        self.mirrors = mirrors
        let inputActivations = net.layers.indices.map { activationFirst && maps[$0] != nil ? net.layers[$0].activation : nil }
        self.inputActivations = inputActivations
        // The most batches a loss stacks into one call: L-DRL's three inputs, or drl's probe blocks.
        let stack = Swift.max(3, net.depth - 1)
        activated = net.layers.indices.map {
            inputActivations[$0] == nil ? nil : Matrix(rows: stack * net.maxBatch, cols: net.layers[$0].fanOut)
        }
        // A map of level l reads layer l's output and writes its input.
        func perMap(_ cols: (Layer<T>) -> Int) -> [Matrix<T>?] {
            net.layers.indices.map { levels.contains($0) ? Matrix(rows: net.maxBatch, cols: cols(net.layers[$0])) : nil }
        }
        gOfH = perMap(\.fanIn)
        gOfHPre = perMap(\.fanIn)
        input = perMap(\.fanOut)
        pre = perMap(\.fanIn)
        out = perMap(\.fanIn)
        batchSized = (gOfH + gOfHPre + input + pre + out).compactMap { $0 }
    }

    /// Every per-batch buffer, to resize them together without building arrays per batch.
    private let batchSized: [Matrix<T>]

    var parameters: [Parameter<T>] { levels.flatMap(parameters(level:)) }

    /// The parameters of level l's map, dense or mirror.
    func parameters(level l: Int) -> [Parameter<T>] { maps[l]?.parameters ?? mirrors[l]!.parameters }

    /// The feedback activation s_fb of level l's map.
    func activation(level l: Int) -> Activation { maps[l]?.activation ?? mirrors[l]!.activation }

    /// a ← the pre-activation of level l's map at y, h ← its output. The rows of y are the batch,
    /// or a stack of row blocks of `batch` rows that each hold the batch's samples in order (a
    /// noisy copy of it, say): a dense map takes the whole stack as one GEMM, a mirror one block at
    /// a time, since it unpools each through the indices of the batch's own samples.
    func apply(level l: Int, _ y: MatRef<T>, a: MatRef<T>, h: MatRef<T>, batch: Int? = nil) {
        if let map = maps[l] { map.forward(denseInput(level: l, y), a: a, h: h); return }
        let mirror = mirrors[l]!
        forEachBlock(rows: y.rows, batch: batch) { mirror.forward(y.rows($0, $1), a: a.rows($0, $1), h: h.rows($0, $1)) }
    }

    /// Gradients of level l's parameters from δ = ∂L/∂a at input y (rows as in `apply`), scaled by
    /// α, replacing the stored ones or adding to them when `accumulate`. `ones` has at least as many
    /// entries as y has rows (a dense map's bias gradient; a mirror sums its own).
    func accumulateGradients(level l: Int, delta: MatRef<T>, input y: MatRef<T>, scale alpha: T = 1,
                             ones: MatRef<T>, accumulate: Bool = false, batch: Int? = nil) {
        if let map = maps[l] {
            map.accumulateGradients(delta: delta, input: denseInput(level: l, y), scale: alpha, ones: ones,
                                    accumulate: accumulate)
            return
        }
        let mirror = mirrors[l]!
        forEachBlock(rows: y.rows, batch: batch) { start, rows in
            mirror.accumulateGradients(delta: delta.rows(start, rows), input: y.rows(start, rows), scale: alpha,
                                       accumulate: accumulate || start > 0)
        }
    }

    /// What level l's dense map multiplies: y, or s_l(y) in `activation-first`.
    private func denseInput(level l: Int, _ y: MatRef<T>) -> MatRef<T> {
        guard let s = inputActivations[l], let buffer = activated[l] else { return y }
        precondition(y.rows <= buffer.rows, "\(y.rows) rows for a feedback map with room for \(buffer.rows)")
        let sy = buffer.prefix(y.rows)
        s.apply(y, bias: nil, into: sy)
        return sy
    }

    /// Calls `body(start, rows)` for each block of `batch` rows (default: all of them at once).
    private func forEachBlock(rows: Int, batch: Int?, _ body: (Int, Int) -> Void) {
        let step = batch ?? rows
        precondition(step > 0 ? rows % step == 0 : rows == 0, "\(rows) rows are not blocks of \(step)")
        for start in stride(from: 0, to: rows, by: Swift.max(step, 1)) { body(start, step) }
    }

    func setBatch(_ rows: Int) {
        for m in batchSized { m.rows = rows }
    }

    /// Computes g_l(h_{l+1}) for the batch in `net`, for every map.
    func prepare(_ net: Network<T>) {
        setBatch(net.batch)
        for l in levels {
            apply(level: l, net.h[l + 1].ref, a: gOfHPre[l]!.ref, h: gOfH[l]!.ref)
        }
    }

    /// DTP targets [L15]: τ_{l} = g_l(τ_{l+1}) + h_l − g_l(h_{l+1}), i.e.
    /// Δ_{l−1} = g_l(h_{l+1} + Δ_l) − g_l(h_{l+1}), from the top hidden layer down.
    func propagateDifferenceTargets(_ net: Network<T>, _ targets: Targets<T>) {
        prepare(net)
        for l in levels.reversed() {
            let x = input[l]!.ref
            copy(net.h[l + 1].ref, into: x)
            axpy(1, targets.delta[l].ref, x)
            apply(level: l, x, a: pre[l]!.ref, h: out[l]!.ref)
            difference(out[l]!.ref, gOfH[l]!.ref, into: targets.delta[l - 1].ref)
        }
    }

    /// Plain TP targets [L15]: τ_l = g_l(τ_{l+1}), i.e. Δ_{l−1} = g_l(h_{l+1} + Δ_l) − h_l, from the
    /// top hidden layer down. Without the difference correction, an imperfect inverse moves the
    /// target even when the output target equals the output.
    func propagatePlainTargets(_ net: Network<T>, _ targets: Targets<T>) {
        setBatch(net.batch)
        for l in levels.reversed() {
            let x = input[l]!.ref
            copy(net.h[l + 1].ref, into: x)
            axpy(1, targets.delta[l].ref, x)
            apply(level: l, x, a: pre[l]!.ref, h: out[l]!.ref)
            difference(out[l]!.ref, net.h[l].ref, into: targets.delta[l - 1].ref)
        }
    }
}

/// A rule with layer-to-layer feedback and, unless it says otherwise, DTP's difference targets.
protocol LayerFeedbackRule: TargetRule {
    var feedback: LayerFeedback<T> { get }
}

extension LayerFeedbackRule {
    public var feedbackParameters: [Parameter<T>] { feedback.parameters }
    /// The map of `layers[l]` inverts the papers' layer l + 1.
    public var reconstructionLayers: [Int] { feedback.levels.map { $0 + 1 } }
    public var layerFeedback: LayerFeedback<T>? { feedback }
    public func propagateTargets(_ net: Network<T>) { feedback.propagateDifferenceTargets(net, targets) }
}
