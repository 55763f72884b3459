import ArgumentParser
import Foundation
import TPEngine

extension BenchCommand {
    /// `--conv`: the kernels instead of the rules.
    func runConv() throws {
        guard repeats >= 1, chunks.allSatisfy({ (1...128).contains($0) }) else {
            throw ValidationError("--repeats ≥ 1, and --chunks must lie in 1...128 (the batch), got \(chunks)")
        }
        ConvBench(repeats: repeats, chunks: [nil] + chunks.map { $0 }).run()
    }
}

/// `tpsweep bench --conv`: the convolution kernels on the layer shapes of [M20]'s CIFAR CNN, in
/// GFLOP/s from counted FLOPs, against two ceilings measured in the same run: the very GEMMs the
/// lowering issues (same shapes, back to back on preallocated matrices, no im2col/col2im — what the
/// kernels would reach if lowering were free) and a square 1024² sgemm (the machine's rate).
///
/// The machine is shared, so each repeat measures the ceilings and the kernels one right after the
/// other and ratios are taken within a repeat; every figure is the median over repeats.
struct ConvBench {
    let repeats: Int
    let batch = 128
    /// Samples lowered per GEMM; nil is the kernels' default.
    let chunks: [Int?]

    static let layers: [(name: String, geometry: ConvGeometry)] = [
        ("conv1 3→32 5×5 pad 2 on 32×32",
         try! ConvGeometry(input: ImageShape(height: 32, width: 32, channels: 3), outChannels: 32, kernel: 5, padding: 2)),
        ("conv2 32→64 5×5 pad 2 on 16×16",
         try! ConvGeometry(input: ImageShape(height: 16, width: 16, channels: 32), outChannels: 64, kernel: 5, padding: 2)),
    ]

    func run() {
        print("[M20] CIFAR CNN conv layers, batch \(batch), float32, \(BLASThreads.current) BLAS thread(s), "
              + "median of \(repeats)")
        let square = squareGEMM()
        for (name, g) in Self.layers {
            for chunk in chunks {
                let conv = Convolution<Float>(g, maxBatch: batch, chunk: chunk)
                let passes = kernelPasses(conv)
                let rates = measure([("sgemm 1024²", square), ("its GEMMs", loweredGEMMs(conv))] + passes)
                print("\(name), chunk \(conv.chunk) (\(conv.chunk * g.output.pixels) rows × \(g.patchSize)): "
                      + String(format: "sgemm 1024² %.1f GFLOP/s, its GEMMs alone %.1f GFLOP/s",
                               median(rates[0].map(\.rate)), median(rates[1].map(\.rate))))
                for (p, pass) in passes.enumerated() {
                    let runs = rates[p + 2]
                    let ofGEMMs = median(zip(runs, rates[1]).map { $0.rate / $1.rate })
                    let ofSquare = median(zip(runs, rates[0]).map { $0.rate / $1.rate })
                    print("  " + pass.name.padding(toLength: 8, withPad: " ", startingAt: 0)
                          + String(format: "%6.1f GFLOP/s  %5.1f%% of its GEMMs  %5.1f%% of sgemm 1024²  %7.2f ms per batch",
                                   median(runs.map(\.rate)), 100 * ofGEMMs, 100 * ofSquare, median(runs.map(\.ms))))
                }
                print(String(format: "  im2col alone %.2f ms per batch", median(measure([("im2col", lowering(conv))])[0].map(\.ms))))
            }
            let pool = MaxPool<Float>(try! PoolGeometry(input: g.output, window: 3, stride: 2, padding: 1), maxBatch: batch)
            let times = measure(poolingPasses(pool)).map { median($0.map(\.ms)) }
            print(String(format: "  then max-pooling 3/2/1 to %@: forward %.2f ms, unpool %.2f ms per batch",
                         pool.geometry.output.description, times[0], times[1]))
        }
    }

    /// [M20]'s pooling after each conv: forward (keeping indices) and the unpooling that is its backward.
    func poolingPasses(_ pool: MaxPool<Float>) -> [(name: String, body: () -> Void)] {
        let g = pool.geometry
        let x = Matrix<Float>(rows: batch, cols: g.input.count), y = Matrix<Float>(rows: batch, cols: g.output.count)
        var rng = SeededGenerator(seed: 2)
        fillUniform(x.ref, low: -1, high: 1, using: &rng)
        return [("pool", { pool.forward(x.ref, into: y.ref) }), ("unpool", { pool.unpool(y.ref, into: x.ref) })]
    }

    /// Forward (y = conv(x)) and the two halves of backward: the parameter gradients (∇W, ∇b) and
    /// the input gradient ∇x (a first layer skips the latter).
    func kernelPasses(_ conv: Convolution<Float>) -> [(name: String, body: () -> Void)] {
        let g = conv.geometry
        let x = Matrix<Float>(rows: batch, cols: g.input.count), y = Matrix<Float>(rows: batch, cols: g.output.count)
        let w = Matrix<Float>(rows: g.output.channels, cols: g.patchSize), gw = Matrix<Float>(rows: w.rows, cols: w.cols)
        let gb = Matrix<Float>(rows: 1, cols: g.output.channels), gx = Matrix<Float>(rows: batch, cols: g.input.count)
        var rng = SeededGenerator(seed: 1)
        for m in [x, y, w] { fillUniform(m.ref, low: -1, high: 1, using: &rng) }
        return [
            ("forward", { conv.forward(x.ref, weight: w.ref, into: y.ref) }),
            ("∇W, ∇b", {
                conv.weightGradient(outputGradient: y.ref, input: x.ref, into: gw.ref)
                conv.channelSums(y.ref, shape: g.output, into: gb.ref)
            }),
            ("∇x", { conv.transposed(y.ref, weight: w.ref, into: gx.ref) }),
        ]
    }

    /// The GEMMs of one forward and one backward pass, as the kernels issue them chunk by chunk.
    func loweredGEMMs(_ conv: Convolution<Float>) -> () -> Void {
        let g = conv.geometry
        let rows = conv.chunk * g.output.pixels
        let lowered = Matrix<Float>(rows: rows, cols: g.patchSize), y = Matrix<Float>(rows: rows, cols: g.output.channels)
        let w = Matrix<Float>(rows: g.output.channels, cols: g.patchSize), gw = Matrix<Float>(rows: w.rows, cols: w.cols)
        for m in [lowered, y, w] { fill(m.ref, 0.01) }
        let chunks = (batch + conv.chunk - 1) / conv.chunk
        return {
            for _ in 0..<chunks {
                gemm(y.ref, lowered.ref, w.ref, transB: true)
                gemm(gw.ref, y.ref, transA: true, lowered.ref, beta: 1)
                gemm(lowered.ref, y.ref, w.ref)
            }
        }
    }

    /// Lowering the whole batch, chunk by chunk, with no GEMM: the overhead the GEMMs do not see.
    func lowering(_ conv: Convolution<Float>) -> () -> Void {
        let g = conv.geometry
        let x = Matrix<Float>(rows: batch, cols: g.input.count)
        let lowered = Matrix<Float>(rows: conv.chunk * g.output.pixels, cols: g.patchSize)
        return {
            var start = 0
            while start < batch {
                let n = min(conv.chunk, batch - start)
                im2col(g, images: x.data + start * g.input.count, samples: n, into: lowered.data)
                start += n
            }
        }
    }

    func squareGEMM() -> () -> Void {
        let a = Matrix<Float>(rows: 1024, cols: 1024), b = Matrix<Float>(rows: 1024, cols: 1024)
        let c = Matrix<Float>(rows: 1024, cols: 1024)
        for m in [a, b] { fill(m.ref, 0.01) }
        return { gemm(c.ref, a.ref, b.ref) }
    }

    /// Per repeat, each body in turn: its GFLOP/s (FLOPs issued to BLAS over wall time) and ms per
    /// call, each timing long enough (≥ 0.2 s) that the clock and one-off stalls do not matter.
    func measure(_ bodies: [(name: String, body: () -> Void)]) -> [[(rate: Double, ms: Double)]] {
        for b in bodies { b.body() }  // warm caches, page in buffers
        var results = [[(rate: Double, ms: Double)]](repeating: [], count: bodies.count)
        for _ in 0..<repeats {
            for (i, b) in bodies.enumerated() {
                var calls = 0
                let flops0 = FLOPCounter.count
                let start = Date()
                repeat {
                    b.body()
                    calls += 1
                } while Date().timeIntervalSince(start) < 0.2
                let seconds = Date().timeIntervalSince(start)
                results[i].append((Double(FLOPCounter.count - flops0) / seconds / 1e9, 1000 * seconds / Double(calls)))
            }
        }
        return results
    }
}
