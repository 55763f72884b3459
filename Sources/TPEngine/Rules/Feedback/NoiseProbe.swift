/// Perturbs every hidden level o = 1..L−1 with σε and pushes each perturbed batch up to the output
/// through the current forward weights: the probe behind the DRL and direct-DRL feedback losses
/// [M20]. The perturbed batches travel stacked as row blocks (block o−1 starts at level o), so each
/// layer runs one GEMM over all of them instead of one small GEMM per origin. A conv block takes
/// the blocks one at a time: its GEMM has a row per pixel of every sample, large already, and its
/// convolution and pooling are sized for one batch. The probe's own pooling traces keep the
/// network's argmax indices intact for its backward pass.
final class NoiseProbe<T: Scalar> {
    let origins: Int
    /// `stacked[j]`: level j's activations, blocks for origins 1...min(j, L−1).
    let stacked: [Matrix<T>]
    /// σε_o per origin level o (index o; index 0 unused).
    let noise: [Matrix<T>]
    /// Output pre-activations ã_L, one block per origin.
    let outputPre: Matrix<T>
    /// Pre-activations of the hidden levels on the way up (scratch, seen in each layer's shape).
    let hiddenPre: Matrix<T>
    /// Scratch pooling traces of the pooling conv blocks, for one batch.
    let traces: [PoolTrace<T>?]
    let sigma: T

    init(net: Network<T>, sigma: Double) {
        self.sigma = T(sigma)
        let widths = net.widths, depth = net.depth, b = net.maxBatch
        origins = depth - 1
        stacked = widths.indices.map { j in Matrix(rows: j == 0 ? 0 : b * Swift.min(j, depth - 1), cols: widths[j]) }
        noise = widths.indices.map { j in Matrix(rows: j == 0 || j == depth ? 0 : b, cols: widths[j]) }
        outputPre = Matrix(rows: b * origins, cols: widths[depth])
        let hiddenValues = (1..<Swift.max(1, depth - 1)).map { j in
            Self.rowsAtOnce(net.layers[j], level: j, batch: b) * net.layers[j].preActivationWidth
        }
        hiddenPre = Matrix(rows: 1, cols: hiddenValues.max() ?? 1)
        // The probe starts above the first layer, so that layer needs no trace (for [M20]'s CIFAR CNN
        // it would be the largest one).
        traces = net.layers.indices.map { $0 == 0 ? nil : net.layers[$0].makeTrace(maxRows: b) }
    }

    /// Rows `layer` (going from level j to j + 1) takes per call: every origin's block at once for
    /// a dense layer, one block at a time for a conv block.
    static func rowsAtOnce(_ layer: Layer<T>, level j: Int, batch b: Int) -> Int {
        layer.convBlock == nil ? b * j : b
    }

    /// Block of `origin` at level `level` (after `run`).
    func block(_ level: Int, origin: Int, batch b: Int) -> MatRef<T> {
        stacked[level].prefix(b * Swift.min(level, origins)).rows((origin - 1) * b, b)
    }

    /// h̃_o = h_o + σε_o for every origin, propagated to the output.
    func run(_ net: Network<T>, using g: inout SeededGenerator) {
        let b = net.batch, depth = net.depth
        for o in 1...origins {
            let eps = noise[o].prefix(b)
            fillNormal(eps, std: sigma, using: &g)
            let start = stacked[o].prefix(b * o).rows((o - 1) * b, b)
            copy(net.h[o].ref, into: start)
            axpy(1, eps, start)
        }
        for j in 1..<depth {
            let layer = net.layers[j], step = Self.rowsAtOnce(layer, level: j, batch: b)
            for start in stride(from: 0, to: b * j, by: step) {
                let pre = j + 1 == depth ? outputPre.prefix(b * j).rows(start, step)
                    : hiddenPre.view(rows: step, cols: layer.preActivationWidth)
                layer.forward(stacked[j].prefix(b * j).rows(start, step), a: pre,
                              h: stacked[j + 1].prefix(b * j).rows(start, step), trace: traces[j])
            }
        }
    }

    /// ã_L of the batch perturbed at level `origin`.
    func outputPre(origin: Int, batch b: Int) -> MatRef<T> { outputPre.prefix(b * origins).rows((origin - 1) * b, b) }
}
