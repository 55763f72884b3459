import ArgumentParser
import TPEngine

@main
struct TPSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tpsweep",
        abstract: "Train and sweep target-propagation learning rules.",
        subcommands: [TrainCommand.self, PlanCommand.self, RunCommand.self, StatusCommand.self, ReportCommand.self, BenchCommand.self, SimulateCommand.self])
}

/// Options every command that trains shares.
struct ComputeOptions: ParsableArguments {
    @Option(name: .customLong("blas-threads"),
            help: "OpenBLAS threads (1 per rank keeps a training step GEMM-bound without oversubscribing cores).")
    var blasThreads = 1

    func apply() throws {
        guard blasThreads >= 1 else {
            throw ValidationError("--blas-threads must be at least 1, got \(blasThreads)")
        }
        BLASThreads.set(blasThreads)
    }
}
