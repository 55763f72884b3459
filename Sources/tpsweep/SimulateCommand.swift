import ArgumentParser
import Foundation
import Sweep

/// Runs a sweep's real plan and real scheduler on virtual workers with a virtual clock and
/// synthetic metrics (`VirtualClusterSimulation`): how long planning and scheduling take at the
/// scale of a large cluster, and how busy dispatch keeps the workers. Nothing is trained.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a sweep's plan and scheduler on virtual workers (no training): scheduling cost at cluster scale.",
        discussion: """
            Every trial of SPEC is dispatched, in plan order, to whichever of N virtual workers frees \
            first; each epoch takes a seeded time around --epoch-seconds and reports synthetic metrics \
            to the spec's own scheduler (FIFO or ASHA), whose decisions are timed. Counts and virtual \
            times depend only on the spec, N and --seed; the wall-clock figures are the median of \
            --repeats runs.
            """)

    @Argument(help: "Sweep spec (YAML, docs/sweep-spec.md).")
    var spec: String

    @Option(name: .long, help: "Virtual workers.")
    var workers: Int

    @Option(name: .customLong("epoch-seconds"), help: "Mean virtual seconds per epoch (each trial's pace is uniform in [0.5, 1.5] × this).")
    var epochSeconds = 60.0

    @Option(name: .long, help: "Seed of the synthetic paces and metrics.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Runs; wall-clock seconds are the median.")
    var repeats = 1

    func run() throws {
        let sweep = try reportingInputErrors { try SweepSpec.load(path: spec) }
        guard workers >= 1 else { fail("--workers must be at least 1, got \(workers)") }
        guard epochSeconds.isFinite && epochSeconds > 0 else {
            fail("--epoch-seconds must be a positive number, got \(epochSeconds)")
        }
        guard repeats >= 1 else { fail("--repeats must be at least 1, got \(repeats)") }
        let simulation = VirtualClusterSimulation(workers: workers, seed: seed, meanEpochSeconds: epochSeconds)
        var reports: [SimulationReport] = []
        for _ in 0..<repeats {
            reports.append(try reportingInputErrors { try simulation.run(spec: sweep) })
        }
        let r = reports[0]
        let scheduling = median(reports.map(\.schedulingSeconds)), planning = median(reports.map(\.planSeconds))
        print("sweep '\(sweep.name)': \(Self.describe(sweep.scheduler)), seed \(seed), "
              + "mean epoch \(Self.number(epochSeconds)) virtual s"
              + (repeats > 1 ? ", wall-clock figures the median of \(repeats) runs" : ""))
        let rows: [(String, String)] = [
            ("trials", "\(r.trials)"),
            ("workers", "\(r.workers)"),
            ("epochs run", "\(r.epochsRun)"),
            ("trials stopped early", "\(r.trialsStopped)"),
            ("decisions", "\(r.decisions)"),
            ("decisions per second", r.decisions > 0 && scheduling > 0
                ? String(format: "%.0f", Double(r.decisions) / scheduling) : "–"),
            ("scheduling seconds", String(format: "%.4f", scheduling)
                + (r.decisions > 0 ? String(format: "  (%.2f µs per decision)", 1e6 * scheduling / Double(r.decisions)) : "")),
            ("planning seconds", String(format: "%.3f", planning)
                + (r.trials > 0 ? String(format: "  (%.1f µs per trial)", 1e6 * planning / Double(r.trials)) : "")),
            ("virtual makespan", String(format: "%.0f s (%@)", r.makespan, Self.span(r.makespan))),
            ("utilisation", String(format: "%.2f %%", 100 * r.utilisation)),
        ]
        for (key, value) in rows { print(key.padding(toLength: 22, withPad: " ", startingAt: 0) + value) }
    }

    static func describe(_ scheduler: SchedulerSpec) -> String {
        switch scheduler {
        case .fifo: return "FIFO"
        case .asha(let s):
            return "ASHA on \(s.metric.rawValue) (\(s.mode.rawValue)), grace \(s.graceEpochs), η \(s.reductionFactor), "
                + "max \(s.maxEpochs) epochs"
        }
    }

    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    /// "3 d 4.5 h", "5.2 h", "12 min".
    static func span(_ seconds: Double) -> String {
        if seconds >= 86_400 { return String(format: "%.1f days", seconds / 86_400) }
        if seconds >= 3600 { return String(format: "%.1f h", seconds / 3600) }
        return String(format: "%.1f min", seconds / 60)
    }
}
