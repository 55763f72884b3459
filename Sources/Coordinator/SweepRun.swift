import Foundation
import MPIKit
import Sweep
import TPEngine

/// How a `tpsweep run` ended, for the exit code.
public enum SweepRunOutcome: Sendable {
    /// Every planned trial is in the store (some may have failed: they are recorded).
    case finished
    /// `--fail-fast` stopped the sweep after a failed trial.
    case stoppedOnFailure
    /// This rank was a worker; rank 0 reports.
    case worker
}

/// Runs (or resumes) the sweep in `specPath` on every rank of the MPI job this process belongs
/// to — a singleton without mpirun. Rank 0 plans, coordinates and writes; the others train.
/// Bad input on rank 0 still lets the workers go: they are told to shut down before it throws.
public func runSweep(specPath: String, options: RunOptions) throws -> SweepRunOutcome {
    let world = try MPIWorld.initialize()
    // MPI_Finalize waits for every rank. A rank that gives up while the others still expect messages
    // from it (rank 0 failing to store a trial, a worker losing rank 0) must not finalize: it would
    // wait forever, and so would they. It leaves without finalizing, and mpirun ends the job.
    var finalize = true
    defer { if finalize { world.finalize() } }
    guard world.rank == 0 else {
        do { try work(world: world) } catch { finalize = false; throw error }
        return .worker
    }
    let session: SweepSession
    do {
        let spec = try SweepSpec.load(path: specPath)
        let text = try ConfigSpec.readText(specPath)
        session = try SweepSession(spec: spec, specText: text, options: options, workers: max(world.size - 1, 1))
        for note in spec.notes { session.status.log("note: \(note)") }
        let ranks = world.size == 1 ? "serially in this process" : "on \(world.size - 1) worker rank(s)"
        session.status.log("sweep '\(spec.name)': \(session.trials.count) trials \(ranks), "
                           + "\(BLASThreads.current) BLAS thread(s) per rank, results in \(options.outputDirectory)")
    } catch {
        for rank in 1..<max(world.size, 1) { try? world.send([], to: rank, tag: WireTag.shutdown.rawValue) }
        throw error
    }
    if world.size == 1 {
        try runSerially(session)
    } else {
        do { try coordinate(session, world: world) } catch { finalize = false; throw error }
    }
    return session.failed ? .stoppedOnFailure : .finished
}
