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
/// the plan, the ledger, the scheduler, the store and the progress reports. The transport loops
/// call `nextAssignment`, `decide` and `finish`; everything that must stay consistent lives here.
final class SweepSession {
    let spec: SweepSpec
    let trials: [Trial]
    private let trialsByID: [String: Trial]
    let options: RunOptions
    let store: SweepStore
    private(set) var ledger: Ledger
    private var scheduler: any TrialScheduler
    let status: StatusReporter
    private(set) var failed = false
    private var indexDirty = true
    private var lastIndexWrite = Date.distantPast

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
        let planned = Set(trials.map(\.id))
        var stored: [String: String] = [:]
        for header in try store.storedTrialHeaders()
        where planned.contains(header.id) && !(options.rerunFailed && header.status == "failed") {
            stored[header.id] = header.status
        }
        // Left by writes a kill interrupted; nothing else writes here while rank 0 runs.
        let leftovers = try store.removeTemporaryFiles()
        let metric = spec.headlineMetric(classification: trials.first?.config.loss.kind != .mse)
        ledger = Ledger(trials: trials, stored: stored, maxRetries: options.maxRetries,
                        metric: metric.name, maximize: metric.maximize)
        scheduler = spec.scheduler.makeScheduler()
        status = StatusReporter(directory: options.outputDirectory, name: spec.name, workers: workers,
                                interval: options.progressInterval)
        try writeIndex(force: true)
        if !leftovers.isEmpty { status.log("removed \(leftovers.count) unfinished file(s) of an interrupted run") }
        status.report(ledger, force: true)
    }

    /// The next trial for `rank`, unless the sweep is done or stopping.
    func nextAssignment(for rank: Int) -> Assignment? {
        guard let (trial, attempt) = ledger.assign(to: rank) else { return nil }
        status.started(trial.id, rank: rank)
        return Assignment(trial: trial, attempt: attempt, snapshots: spec.snapshots)
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
        try store.write(Records.make(trial: trial, attempt: attempt, outcome: outcome))
        indexDirty = true
        if outcome.status == .failed {
            status.log("trial \(trialID) failed: \(outcome.message)")
            if options.failFast {
                failed = true
                ledger.dropPending()
            }
        }
        try writeIndex(force: ledger.isFinished)
        status.report(ledger, force: ledger.isFinished)
    }

    /// Rewrites the index (summary table, links) at most every few seconds, and at the end.
    func writeIndex(force: Bool) throws {
        guard indexDirty, force || Date().timeIntervalSince(lastIndexWrite) > 2 else { return }
        try store.writeIndex(SweepIndex(
            name: spec.name, identity: spec.identity, specText: specText,
            planned: trials.map { PlannedTrial(id: $0.id, index: $0.index, parametersJSON: $0.parametersJSON, seed: $0.seed) },
            createdAt: status.startedAt.timeIntervalSince1970, updatedAt: Date().timeIntervalSince1970))
        indexDirty = false
        lastIndexWrite = Date()
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
