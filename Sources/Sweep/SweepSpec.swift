import Foundation
import TPConfig

/// A hyperparameter sweep as its YAML spec describes it: a base run config, the parameters to vary
/// and how (grid, sampled, conditional), the seeds to repeat each configuration with, and the
/// scheduler that stops trials early. Optuna's study, minus storage: `plan()` lists the trials,
/// `scheduler.makeScheduler()` judges their epoch reports, the coordinator does the rest.
///
/// Format (every key but `name` optional; unknown keys are errors):
///
///     name: demo                 # [A-Za-z0-9_.-]+, part of every trial id
///     seed: 0                    # sweep seed: random and scrambled Sobol draws follow it
///     base: {epochs: 3}          # a run config, as `tpsweep train` reads it
///     parameters:                # dotted run-config key → value or distribution
///       method: {grid: [bp, drl]}
///       optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}
///       tp.sigma: {uniform: [0.01, 0.2], when: {method: [drl]}}
///     sampler: {kind: random, samples: 20}   # grid (default) | random | sobol (+ scramble)
///     seeds: 3                   # or [0, 1, 2]; default: base's seed, else [0]
///     scheduler: {kind: asha, metric: validation_accuracy, max_epochs: 9}   # or {kind: fifo}
///     snapshots: {epochs: [1, 5], every: 0, best: true, final: true}
///
/// Distributions: `value`, `grid`, `choice`, `uniform` and `loguniform` [low, high], `quniform`
/// [low, high, step], `randint` / `int` [low, high). See `Distribution` and `plan()`.
public struct SweepSpec: Sendable {
    public let name: String
    public let seed: Int
    /// The settings every trial starts from; the method's defaults apply underneath.
    public let base: ConfigSpec
    /// In spec order, which is the grid's order (last fastest) and the sampler's dimension order.
    public let parameters: [SearchParameter]
    public let sampler: SamplerSpec
    /// Run seeds; every configuration runs once with each.
    public let seeds: [Int]
    public let scheduler: SchedulerSpec
    public let snapshots: SnapshotPolicy
    /// The file (or label) the spec was read from.
    public let source: String
    /// What a user should know that is not an error, e.g. that ASHA's max_epochs replaces `epochs`.
    public let notes: [String]

    /// The most trials a spec may plan; a larger product is almost surely a slip.
    public static let maxTrials = 1_000_000

    /// Where the seed and the epochs override come from, so that a config error about them points
    /// at the spec line.
    let seedsOrigin: ConfigOrigin
    let epochsOrigin: ConfigOrigin?
    /// For each parameter, the indices of the parameters its conditions test.
    let conditionTargets: [[Int]]
    /// Parameter indices with every condition's target before the parameter that tests it.
    let evaluationOrder: [Int]

    public static func load(path: String) throws -> SweepSpec {
        try SweepSpec(yaml: ConfigSpec.readText(path), source: path)
    }

    /// A stable hash (16 hex digits) of everything that decides the trials: name, base, parameters,
    /// sampler, seeds, sweep seed and the scheduler's epochs. A coordinator refuses to resume a
    /// sweep whose stored identity differs. Snapshots and the rest of the scheduler may change.
    public var identity: String {
        var lines = ["name=\(name)", "seed=\(seed)"]
        var lastValue: [String: ConfigValue] = [:]  // later assignments of a key win, as in resolve()
        for assignment in base.assignments { lastValue[assignment.key] = assignment.value }
        lines += lastValue.keys.sorted().map { "base \($0)=\(lastValue[$0]!)" }
        lines += parameters.map { "parameter \($0.canonicalText)" }
        lines.append("sampler \(sampler.canonicalText)")
        lines.append("seeds \(ConfigValue.list(seeds.map(ConfigValue.int)))")
        if let epochs = scheduler.epochsOverride { lines.append("epochs \(epochs)") }
        return StableHash.hex(of: lines.joined(separator: "\n"))
    }
}
