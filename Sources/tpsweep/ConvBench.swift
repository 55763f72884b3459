import Foundation
import TPEngine

/// `tpsweep bench --conv`: the convolution kernels on the layer shapes of [M20]'s CIFAR CNN, in
/// GFLOP/s from counted FLOPs, against two ceilings measured in the same run: the very GEMMs the
/// lowering issues (same shapes, back to back on preallocated matrices, no im2col/col2im — what the
/// kernels would reach if lowering were free) and a square 1024² sgemm (the machine's rate).
struct ConvBench {
    let repeats: Int
    let batch = 128
    /// Samples lowered per GEMM for the comparison row; nil is the kernels' default.
    let chunks: [Int?]

    static let layers: [(name: String, geometry: ConvGeometry)] = [
        ("conv1 3→32 5×5 pad 2 on 32×32",
         try! ConvGeometry(input: ImageShape(height: 32, width: 32, channels: 3), outChannels: 32, kernel: 5, padding: 2)),
        ("conv2 32→64 5×5 pad 2 on 16×16",
         try! ConvGeometry(input: ImageShape(height: 16, width: 16, channels: 32), outChannels: 64, kernel: 5, padding: 2)),
    ]

    func run() {
        print("[M20] CIFAR CNN conv layers, batch \(batch), float32, \(BLASThreads.current) BLAS thread(s), median of \(repeats)")
        let square = squareCeiling()
        print(String(format: "sgemm 1024²  %7.1f GFLOP/s", square))
        for (name, g) in Self.layers {
            for chunk in chunks {
                let conv = Convolution<Float>(g, maxBatch: batch, chunk: chunk)
                let gemmRate = gemmCeiling(conv)
                print("\(name), chunk \(conv.chunk) (\(conv.chunk * g.output.pixels) rows × \(g.patchSize))"
                      + String(format: ": its GEMMs alone %.1f GFLOP/s", gemmRate))
                for (pass, rate, ms) in measure(conv) {
                    print(pass.padding(toLength: 10, withPad: " ", startingAt: 0)
                          + String(format: "%7.1f GFLOP/s  %5.1f%% of its GEMMs  %5.1f%% of sgemm 1024²  %7.2f ms per batch",
                                   rate, 100 * rate / gemmRate, 100 * rate / square, ms))
                }
            }
        }
    }

    /// Forward (y = conv(x)) and backward (∇W, ∇b and ∇x) of one batch.
    func measure(_ conv: Convolution<Float>) -> [(String, Double, Double)] {
        let g = conv.geometry
        let x = Matrix<Float>(rows: batch, cols: g.input.count), y = Matrix<Float>(rows: batch, cols: g.output.count)
        let w = Matrix<Float>(rows: g.output.channels, cols: g.patchSize), gw = Matrix<Float>(rows: w.rows, cols: w.cols)
        let gb = Matrix<Float>(rows: 1, cols: g.output.channels), gx = Matrix<Float>(rows: batch, cols: g.input.count)
        var rng = SeededGenerator(seed: 1)
        for m in [x, y, w] { fillUniform(m.ref, low: -1, high: 1, using: &rng) }
        let forward = time { conv.forward(x.ref, weight: w.ref, into: y.ref) }
        let backward = time {
            conv.weightGradient(outputGradient: y.ref, input: x.ref, into: gw.ref)
            conv.channelSums(y.ref, shape: g.output, into: gb.ref)
            conv.transposed(y.ref, weight: w.ref, into: gx.ref)
        }
        return [("forward", forward.rate, forward.ms), ("backward", backward.rate, backward.ms)]
    }

    /// The GEMMs of one forward and one backward pass, as the kernels issue them chunk by chunk.
    func gemmCeiling(_ conv: Convolution<Float>) -> Double {
        let g = conv.geometry
        let rows = conv.chunk * g.output.pixels
        let lowered = Matrix<Float>(rows: rows, cols: g.patchSize), y = Matrix<Float>(rows: rows, cols: g.output.channels)
        let w = Matrix<Float>(rows: g.output.channels, cols: g.patchSize), gw = Matrix<Float>(rows: w.rows, cols: w.cols)
        for m in [lowered, y, w] { fill(m.ref, 0.01) }
        let chunks = (batch + conv.chunk - 1) / conv.chunk
        return time {
            for _ in 0..<chunks {
                gemm(y.ref, lowered.ref, w.ref, transB: true)
                gemm(gw.ref, y.ref, transA: true, lowered.ref, beta: 1)
                gemm(lowered.ref, y.ref, w.ref)
            }
        }.rate
    }

    func squareCeiling() -> Double {
        let a = Matrix<Float>(rows: 1024, cols: 1024), b = Matrix<Float>(rows: 1024, cols: 1024)
        let c = Matrix<Float>(rows: 1024, cols: 1024)
        for m in [a, b] { fill(m.ref, 0.01) }
        return time { gemm(c.ref, a.ref, b.ref) }.rate
    }

    /// Median GFLOP/s and ms per call of `body` over `repeats`, each repeat long enough (≥ 0.2 s)
    /// that the clock's resolution and one-off stalls do not matter. FLOPs are those issued to BLAS.
    func time(_ body: () -> Void) -> (rate: Double, ms: Double) {
        body()  // warm caches and page in buffers
        var rates: [Double] = [], ms: [Double] = []
        for _ in 0..<repeats {
            var calls = 0
            let flops0 = FLOPCounter.count
            let start = Date()
            repeat {
                body()
                calls += 1
            } while Date().timeIntervalSince(start) < 0.2
            let seconds = Date().timeIntervalSince(start)
            rates.append(Double(FLOPCounter.count - flops0) / seconds / 1e9)
            ms.append(1000 * seconds / Double(calls))
        }
        return (median(rates), median(ms))
    }
}
