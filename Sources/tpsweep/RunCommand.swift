import ArgumentParser
import Coordinator
import Sweep
import Foundation
import TPEngine

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run or resume a sweep: mpirun -np N tpsweep run SPEC (rank 0 coordinates, the others train).",
        discussion: """
            Results go to --out (default results/<sweep name>): one HDF5 file per finished trial under \
            trials/, and sweep.h5 with the plan, the summary table and links to every trial \
            (docs/hdf5-layout.md). Running the same command again resumes: stored trials are kept, \
            interrupted ones run again. With -np 1 (or without mpirun) trials run one after another.
            """)

    @Argument(help: "Sweep spec (YAML, docs/sweep-spec.md).")
    var spec: String

    @Option(name: .long, help: "Output folder (default: results/<sweep name>).")
    var out: String?

    @Option(name: .customLong("max-retries"), help: "Run a failed trial again up to this many times.")
    var maxRetries = 0

    @Flag(name: .customLong("fail-fast"), help: "Stop handing out trials after the first failure; exit 1.")
    var failFast = false

    @Flag(name: .long, help: "Resume even though the stored sweep was planned from a different spec.")
    var force = false

    @Flag(name: .customLong("rerun-failed"), help: "On resume, run the stored failed trials again.")
    var rerunFailed = false

    @Option(name: .customLong("progress-interval"), help: "Seconds between progress lines (0: only at the end).")
    var progressInterval = 5.0

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        try compute.apply()
        guard maxRetries >= 0 else { throw ValidationError("--max-retries must be ≥ 0") }
        var options = RunOptions(outputDirectory: try out ?? defaultOutput())
        options.maxRetries = maxRetries
        options.failFast = failFast
        options.force = force
        options.rerunFailed = rerunFailed
        options.progressInterval = progressInterval
        let outcome = try reportingInputErrors { try runSweep(specPath: spec, options: options) }
        if case .stoppedOnFailure = outcome { throw ExitCode(1) }
    }

    /// results/<name>, with the name read from the spec (a bad spec fails here with its message).
    func defaultOutput() throws -> String {
        let name = try reportingInputErrors { try SweepSpec.load(path: spec).name }
        return "results/\(name)"
    }
}
