import ArgumentParser
import Foundation
import TPEngine

/// Measures, in one run, the GEMM ceiling on the MLP's own matrix shapes and the training-pass
/// speed of chosen rules, and prints each rule's achieved GFLOP/s (from counted FLOPs) and its
/// ratio to that ceiling. The machine is noisy: every figure is the median of `repeats`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Training speed of learning rules against the sgemm ceiling, measured in one run.")

    @Flag(name: .long, help: "Time the convolution kernels on [M20]'s CIFAR CNN layers instead of rules.")
    var conv = false

    @Option(name: .long, parsing: .upToNextOption,
            help: "With --conv: also time these chunk sizes (samples lowered per GEMM) besides the default.")
    var chunks: [Int] = []

    @Option(name: .long, parsing: .upToNextOption, help: "Rules to time.")
    var methods: [String] = ["bp", "ddtp-linear"]

    @Option(name: .long, help: "Repeats per measurement (the median is reported).")
    var repeats = 5

    @Option(name: .long, help: "Training samples per timed pass.")
    var samples = 10_000

    @Flag(name: .long, help: "Instead: the cost of each metric (BP angle and the Gauss–Newton diagnostics) per measurement and per epoch.")
    var diagnostics = false

    @Option(name: .customLong("diagnostic-samples"), help: "With --diagnostics: metrics.diagnostic_samples (0: the whole batch).")
    var diagnosticSamples = 0

    @Option(name: .long, parsing: .upToNextOption, help: "With --diagnostics: the λ search of the GNT and GN angles.")
    var dampings: [Double] = [0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]

    @OptionGroup var compute: ComputeOptions

    @Option(name: .long, parsing: .upToNextOption,
            help: "Hidden widths of the timed MLP (default: [M20]'s 256×5; GAIT-prop needs 784s).")
    var hidden = [256, 256, 256, 256, 256]

    @Option(name: .long, help: "model.architecture of the timed network: mlp (the --hidden MLP), m20-cnn, lenet, simple-vgg (sized for the images; simple-vgg needs --cifar-shaped).")
    var architecture = "mlp"

    @Flag(name: .customLong("cifar-shaped"),
          help: "Train on random 32×32×3 images written in CIFAR-10's file format (CIFAR-10 is not packaged) instead of Fashion-MNIST.")
    var cifarShaped = false

    @Option(name: .long, help: "float32 or float64 for every rule (default: float32, whatever the rule's default).")
    var dtype: String?

    static let batch = 128

    func run() throws {
        try compute.apply()
        if conv { return try runConv() }
        guard repeats >= 1, samples >= 128, !hidden.isEmpty, hidden.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--repeats ≥ 1, --samples ≥ 128 and --hidden positive widths")
        }
        guard !(cifarShaped && diagnostics) else { throw ValidationError("--cifar-shaped times rules, not --diagnostics") }
        if diagnostics { return try runDiagnostics() }
        let batch = Self.batch, widths = [784] + hidden + [10]
        let images = try cifarShaped ? CIFARShapedFolder(images: samples) : nil
        defer { images?.remove() }
        let data = images.map { ["data.dataset=cifar10", "data.dir=\($0.dir)", "data.validation_size=0"] } ?? []
        // An epoch is the training set less the 5000 validation samples.
        let epochSamples = cifarShaped ? 45_000 : 55_000
        let scalar = try benchConfig(methods.first ?? "bp", overrides: data).dtype
        // The ceiling stays the MLP's GEMMs: for a CNN it is the machine's rate on those shapes, and
        // the figures that compare rules are the images per second and the ratio to bp.
        print("\(architecture == "mlp" ? widths.map(String.init).joined(separator: "-") : architecture), "
              + "batch \(batch), \(scalar.rawValue), "
              + "\(BLASThreads.current) BLAS thread(s), \(samples) samples per pass, median of \(repeats)")
        let ceiling = scalar == .float64 ? gemmCeiling(Double.self, widths: widths, batch: batch, repeats: repeats)
                                         : gemmCeiling(Float.self, widths: widths, batch: batch, repeats: repeats)
        print("ceiling".padding(toLength: 14, withPad: " ", startingAt: 0)
              + String(format: "%8.1f GFLOP/s  ", ceiling)
              + "(\(scalar == .float64 ? "d" : "s")gemm on the MLP's forward and backward shapes)")
        var bpEpoch: Double?
        for name in methods {
            let config = try benchConfig(name, overrides: data)
            let (seconds, flops) = try reportingInputErrors { try measureTrainingPasses(config, repeats: repeats) }
            let t = median(seconds), rate = Double(flops) / t / 1e9
            let epoch = t * Double(epochSamples) / Double(samples)
            if name == "bp" { bpEpoch = epoch }
            // Each rule's epoch against bp's, both timed in this run: the cost of the rule itself.
            let relative = bpEpoch.map { String(format: "  %5.1f× bp", epoch / $0) } ?? ""
            print(name.padding(toLength: 14, withPad: " ", startingAt: 0)
                  + String(format: "%8.1f GFLOP/s  %5.1f%% of ceiling  %7.2f s per %ldk-sample epoch  %7.0f images/s  (%.2f GFLOP per pass)",
                           rate, 100 * rate / ceiling, epoch, epochSamples / 1000, Double(samples) / t, Double(flops) / 1e9)
                  + relative)
        }
    }

    /// The rule's defaults on M20's network, `samples` training samples, Float32; `overrides`
    /// (`key=value`) carry the options a config validates.
    func benchConfig(_ method: String, overrides: [String] = []) throws -> RunConfig {
        var config = try reportingInputErrors {
            try RunConfig.resolve(yaml: "{}", source: "bench",
                                  overrides: ["method=\(method)", "model.architecture=\(architecture)"]
                                      + (dtype.map { ["dtype=\($0)"] } ?? []) + overrides)
        }
        config.data.trainSubset = samples
        config.model.hidden = hidden
        config.batchSize = Self.batch
        if dtype == nil { config.dtype = .float32 }
        return config
    }

    /// Per rule: the epoch time without metrics, then each metric alone (a pass with only it on):
    /// its seconds per measured batch and as a share of that epoch, which is what measuring once
    /// per epoch (the default interval) adds.
    func runDiagnostics() throws {
        let batches = (samples + Self.batch - 1) / Self.batch, measurements = min(4, batches)
        // Batches 0, k, 2k, … measure: k rounded up gives `measurements` of them, not one more.
        let interval = (batches + measurements - 1) / measurements
        let overrides = ["metrics.diagnostic_samples=\(diagnosticSamples)",
                         "metrics.gn_damping_search=[\(dampings.map { String($0) }.joined(separator: ", "))]"]
        let plainConfigs = try methods.map { try benchConfig($0, overrides: overrides) }  // bad input: exit 2 first
        print("metric costs on 784-\(hidden.map(String.init).joined(separator: "-"))-10, batch \(Self.batch), "
              + "\(try benchConfig(methods.first ?? "bp").dtype.rawValue), \(BLASThreads.current) BLAS "
              + "thread(s), \(samples) samples per pass, \(measurements) measurements per pass, median of \(repeats)")
        print("λ search: \(dampings.map { String($0) }.joined(separator: " ")); samples per measurement: "
              + (diagnosticSamples == 0 ? "\(Self.batch) (the whole batch)" : "\(diagnosticSamples)"))
        let metrics: [(name: String, on: WritableKeyPath<RunConfig.Metrics, Bool>)] = [
            ("bp_angle", \.bpAngles), ("gnt_angle", \.gntAngles), ("gn_angle", \.gnAngles),
            ("null_space_ratio", \.nullSpace), ("jacobian_matching", \.jacobianMatching),
        ]
        for (name, plain) in zip(methods, plainConfigs) {
            let epoch = median(try reportingInputErrors { try measureTrainingPasses(plain, repeats: repeats) }.seconds)
                * 55_000 / Double(samples)
            print(name.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: "%9.3f s per 55k-sample epoch without metrics", epoch))
            for metric in metrics {
                var config = plain
                config.metrics[keyPath: metric.on] = true
                config.metrics.logInterval = interval
                config.metrics.diagnosticInterval = interval
                let label = "  " + metric.name.padding(toLength: 18, withPad: " ", startingAt: 0)
                do {
                    let t = median(try measureMetricCosts(config, repeats: repeats)[metric.name] ?? [.nan])
                    print(label + String(format: "%9.4f s per measurement  %7.2f%% of an epoch", t, 100 * t / epoch))
                } catch let error as ConfigError where error.isJacobianMatchingWithoutLayerFeedback {
                    print(label + "        –  (does not apply to \(name))")
                } catch let error as ConfigError {
                    print(label + "        –  (\(error))")
                }
            }
        }
    }

    /// GFLOP/s of the GEMMs one BP step issues (forward X·Wᵀ, weight gradients δᵀ·X, and δ·W),
    /// each run back to back on preallocated matrices: the most a training step could reach.
    func gemmCeiling<T: Scalar>(_: T.Type, widths: [Int], batch: Int, repeats: Int) -> Double {
        var rates: [Double] = []
        for _ in 0..<repeats {
            var flops = 0.0, seconds = 0.0
            for l in 0..<(widths.count - 1) {
                let (i, o) = (widths[l], widths[l + 1])
                let x = Matrix<T>(rows: batch, cols: i), w = Matrix<T>(rows: o, cols: i)
                let y = Matrix<T>(rows: batch, cols: o), gw = Matrix<T>(rows: o, cols: i)
                for m in [x, w, y] { fill(m.ref, 0.01) }
                let reps = max(4, 400_000_000 / (6 * batch * i * o))
                let start = Date()
                for _ in 0..<reps {
                    gemm(y.ref, x.ref, w.ref, transB: true)
                    gemm(gw.ref, y.ref, transA: true, x.ref)
                    if l > 0 { gemm(x.ref, y.ref, w.ref) }
                }
                seconds += Date().timeIntervalSince(start)
                flops += Double(reps) * Double(2 * batch * i * o) * (l > 0 ? 3 : 2)
            }
            rates.append(flops / seconds / 1e9)
        }
        return median(rates)
    }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
