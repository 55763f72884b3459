import Foundation
import Store
import Sweep
import TPEngine

/// Options of one `tpsweep run`.
public struct RunOptions: Sendable {
    public var outputDirectory: String
    public var maxRetries = 0
    public var failFast = false
    /// Resume even when the stored sweep was planned from a different spec.
    public var force = false
    /// On resume, run the stored failed trials again (their files are replaced).
    public var rerunFailed = false
    /// Seconds between progress lines on rank 0 (0: only at the end).
    public var progressInterval = 5.0

    public init(outputDirectory: String) { self.outputDirectory = outputDirectory }
}

public enum SweepRunError: Error, CustomStringConvertible {
    case changedSpec(directory: String, stored: String, planned: String, storedName: String)

    public var description: String {
        switch self {
        case let .changedSpec(dir, stored, planned, name):
            return "\(dir) holds sweep '\(name)' planned from a different spec (identity \(stored), "
                + "this spec \(planned)); resume with --force to keep its trials, or choose another --out"
        }
    }
}

/// What rank 0 owns during a sweep, whatever carries the trials (MPI ranks or this process):
/// the plan, the ledger, the scheduler, the store's writer and the progress reports. The transport
/// loops call `nextAssignment`, `decide` and `finish`, then `close`; everything that must stay
/// consistent lives here. Nothing here waits for the disk: finished trials go to a `TrialWriter`,
/// whose thread stores them (and the index) in batches.
final class SweepSession {
    let spec: SweepSpec
    let trials: [Trial]
    private let trialsByID: [String: Trial]
    /// Each handed-out trial's config as JSON, kept until the trial is stored: encoded once for
    /// the worker and the record (and any retry).
    private var configJSONByID: [String: String] = [:]
    let options: RunOptions
    let store: SweepStore
    private let writer: TrialWriter
    private(set) var ledger: Ledger
    private var scheduler: any TrialScheduler
    let status: StatusReporter
    private(set) var failed = false
    private var firstAssignedAt: Date?

    let specText: String

    init(spec: SweepSpec, specText: String, options: RunOptions, workers: Int) throws {
        self.spec = spec
        self.specText = specText
        self.options = options
        trials = try spec.plan()
        trialsByID = Dictionary(trials.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        store = try SweepStore(directory: options.outputDirectory)
        if let index = try store.readIndex(), index.identity != spec.identity, !options.force {
            throw SweepRunError.changedSpec(directory: options.outputDirectory, stored: index.identity,
                                            planned: spec.identity, storedName: index.name)
        }
        // Left by writes a kill interrupted; nothing else writes here while rank 0 runs.
        let leftovers = try store.removeTemporaryFiles()
        writer = try TrialWriter(store: store, index: SweepIndex(
            name: spec.name, identity: spec.identity, specText: specText,
            planned: trials.map { PlannedTrial(id: $0.id, index: $0.index, parametersJSON: $0.parametersJSON, seed: $0.seed) },
            createdAt: Date().timeIntervalSince1970, updatedAt: Date().timeIntervalSince1970),
            readingCurves: spec.scheduler.replaysStoredCurves)
        let planned = Set(trials.map(\.id))
        let rerunFailed = options.rerunFailed
        let kept = writer.initiallyStored.filter {
            planned.contains($0.id) && !(rerunFailed && $0.status == "failed")
        }
        let metric = spec.headlineMetric(classification: trials.first?.config.loss.kind != .mse)
        ledger = Ledger(trials: trials, stored: Dictionary(kept.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a }),
                        maxRetries: options.maxRetries, metric: metric.name, maximize: metric.maximize)
        scheduler = spec.scheduler.makeScheduler()
        status = StatusReporter(directory: options.outputDirectory, name: spec.name, workers: workers,
                                interval: options.progressInterval)
        if spec.scheduler.replaysStoredCurves {
            // Without this, a resumed ASHA sweep would judge new trials against empty rungs.
            scheduler.replay(kept.map { header in
                StoredReports(trial: header.id, startedAt: header.startedAt, metrics: header.epochMetrics,
                              epochSeconds: header.epochMetrics["seconds"] ?? [])
            })
        }
        if !leftovers.isEmpty { status.log("removed \(leftovers.count) unfinished file(s) of an interrupted run") }
        for (id, reason) in writer.initiallyCorrupt.sorted(by: { $0.key < $1.key }) where planned.contains(id) {
            status.log("trial \(id) runs again: its stored file is unreadable (\(reason))")
        }
        status.report(ledger, force: true)
    }

    /// Whether the scheduler may stop a trial after an epoch: only then must a worker wait for the
    /// answer to each epoch report.
    var schedulerCanStop: Bool {
        if case .fifo = spec.scheduler { return false }
        return true
    }

    /// The next trial for `rank`, unless the sweep is done or stopping.
    func nextAssignment(for rank: Int) -> Assignment? {
        guard let (trial, attempt) = ledger.assign(to: rank) else { return nil }
        if firstAssignedAt == nil { firstAssignedAt = Date() }
        status.started(trial.id, rank: rank)
        let json = configJSONByID[trial.id] ?? Records.configJSON(trial.config)
        configJSONByID[trial.id] = json
        return Assignment(trial: trial, configJSON: json, attempt: attempt, snapshots: spec.snapshots,
                          awaitsDecisions: schedulerCanStop)
    }

    /// The scheduler's answer to one epoch report.
    func decide(trialID: String, report: EpochReport) -> TrainingDecision {
        if let value = report.metric(named: ledger.metric) { ledger.observe(value, trialID: trialID) }
        status.epoch(trialID, report.epoch)
        status.report(ledger)
        switch scheduler.report(trial: trialID, epoch: report.epoch, metrics: report.metricsByName) {
        case .continue: return .proceed
        case .stop(let reason): return .prune(reason: reason)
        }
    }

    /// Records a trial's end: stored (then never run again) or queued for another attempt.
    func finish(trialID: String, attempt: Int, outcome: TrialOutcome) throws {
        scheduler.trialEnded(trial: trialID)
        status.ended(trialID)
        guard ledger.finished(trialID, status: outcome.status.rawValue, seconds: outcome.seconds) == .store,
              let trial = trialsByID[trialID] else { return }
        let json = configJSONByID.removeValue(forKey: trialID) ?? Records.configJSON(trial.config)
        try writer.submit(Records.make(trial: trial, configJSON: json, attempt: attempt, outcome: outcome))
        if outcome.status == .failed {
            status.log("trial \(trialID) failed: \(outcome.message)")
            if options.failFast {
                failed = true
                ledger.dropPending()
            }
        }
        status.report(ledger, force: ledger.isFinished)
    }

    /// Throws if the writer could not store a trial or the index.
    func checkStore() throws {
        try writer.check()
    }

    /// Runs the sweep loop `body`, then `close`s. When the loop fails (a malformed message, an MPI or
    /// store error), the trials already finished are still written before the error goes on: they
    /// were acknowledged, and a resume should not have to run them again.
    func run(_ body: () throws -> Void) throws {
        do { try body() } catch {
            try? writer.close()
            throw error
        }
        try close()
    }

    /// Waits until every finished trial and the index are on disk; throws the first store error.
    /// Then logs the session's throughput: trials stored per second from the moment the first trial
    /// was handed out until the last one was on disk (what benchmarks/coordinator_overhead.sh reads).
    func close() throws {
        try writer.close()
        guard let firstAssignedAt, ledger.finishedHere > 0 else { return }
        let seconds = Date().timeIntervalSince(firstAssignedAt)
        status.log("stored \(ledger.finishedHere) trials in " + String(format: "%.3f s: %.2f trials/s", seconds,
                   Double(ledger.finishedHere) / seconds))
    }
}

extension EpochReport {
    /// The per-epoch scalars under the names specs and schedulers use.
    var metricsByName: [String: Double] {
        ["train_loss": trainLoss, "train_accuracy": trainAccuracy, "validation_loss": validationLoss,
         "validation_accuracy": validationAccuracy, "test_loss": testLoss, "test_accuracy": testAccuracy]
    }

    func metric(named name: String) -> Double? { metricsByName[name] }
}

extension SweepSpec {
    /// The metric progress reports as "best": the scheduler's, else validation accuracy (validation
    /// loss for regression).
    func headlineMetric(classification: Bool) -> (name: String, maximize: Bool) {
        if case .asha(let settings) = scheduler { return (settings.metric.rawValue, settings.mode == .max) }
        return classification ? ("validation_accuracy", true) : ("validation_loss", false)
    }
}

extension Trial {
    /// The parameters as a JSON object, typed as they were given (lists stay lists).
    var parametersJSON: String {
        func json(_ v: ConfigValue) -> Any {
            switch v {
            case .null: return NSNull()
            case .bool(let b): return b
            case .int(let i): return i
            case .double(let d): return d.isFinite ? d as Any : "\(d)"
            case .string(let s): return s
            case .list(let items): return items.map(json)
            }
        }
        let object = Dictionary(parameters.map { ($0.key, json($0.value)) }, uniquingKeysWith: { a, _ in a })
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
