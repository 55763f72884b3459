import Foundation

/// Trains one run as `config` describes: loads its data, builds the network and the rule, and
/// reports every epoch to `observer`. The only entry point the CLI and the coordinator need.
public func train(_ config: RunConfig, observer: (any TrainingObserver)? = nil) throws -> RunResult {
    try makeTrainer(config).run(observer)
}

/// Times `repeats` epochs of training (`Trainer.epochWork`: the rule's per-batch order, with the
/// feedback-only epochs its schedule adds to every epoch; no evaluation) and
/// counts the floating-point work each pass hands to BLAS. For benchmarks.
public func measureTrainingPasses(_ config: RunConfig, repeats: Int) throws -> (seconds: [Double], flops: Int) {
    let trainer = try makeTrainer(config)
    var seconds: [Double] = [], flops = 0
    for _ in 0..<repeats {
        FLOPCounter.count = 0
        let start = Date()
        trainer.timedPass()
        seconds.append(Date().timeIntervalSince(start))
        flops = FLOPCounter.count
    }
    return (seconds, flops)
}

/// Runs `repeats` passes over the training set with the metrics `config` requests (no evaluation)
/// and returns, per metric, its wall time per measurement in each pass. For benchmarks: set
/// `metrics.log_interval` and `metrics.diagnostic_interval` equal, so every measured batch
/// measures every requested metric.
public func measureMetricCosts(_ config: RunConfig, repeats: Int) throws -> [String: [Double]] {
    let trainer = try makeTrainer(config)
    var costs: [String: [Double]] = [:]
    for _ in 0..<repeats {
        let (seconds, measurements) = trainer.measuredPass()
        for (name, s) in seconds { costs[name, default: []].append(s / Double(max(measurements, 1))) }
    }
    return costs
}

/// A trainer seen from outside, as closures formed where its rule and scalar are concrete. Through
/// a protocol existential the calls would reach the unspecialised generic code, whose element
/// loops run several times slower; closures built in the specialised initialiser keep them fast.
struct TrainerHandle {
    let run: ((any TrainingObserver)?) -> RunResult
    let timedPass: () -> Void
    /// A pass with its metrics: the seconds each took and the number of batches that measured.
    let measuredPass: () -> (seconds: [String: Double], measurements: Int)

    init<Rule>(_ trainer: Trainer<Rule>) {
        run = { trainer.run(observer: $0) }
        timedPass = { _ = trainer.epochWork() }
        measuredPass = {
            trainer.metrics.beginEpoch(trainer.net)
            let pass = trainer.epochWork()
            return (trainer.metrics.epochSeconds, pass.batchLog.count)
        }
    }
}

func makeTrainer(_ config: RunConfig) throws -> TrainerHandle {
    switch config.dtype {
    case .float32: return try makeTrainer(Float.self, config)
    case .float64: return try makeTrainer(Double.self, config)
    }
}

/// Dispatches on the rule here, once, so each trainer is compiled for a concrete rule and scalar.
func makeTrainer<T: Scalar>(_: T.Type, _ config: RunConfig) throws -> TrainerHandle {
    // A network the rule cannot train is refused before the data loads (ImageNet32: 30 s, 4 GB).
    try config.method.withRule(ArchitectureCheck<T>(config: config))
    let data: DataSplits<T> = try loadSplits(config.dataSource, validationSize: config.data.validationSize,
                                            trainSubset: config.data.trainSubset,
                                            testSubset: config.data.testSubset, seed: UInt64(config.seed))
    return try config.method.withRule(TrainerMaker(config: config, data: data))
}

/// Refuses a network the rule cannot train (`LearningRule.checkArchitecture`).
private struct ArchitectureCheck<T: Scalar>: RuleVisitor {
    let config: RunConfig

    func visit<Rule: LearningRule>(_: Rule.Type) throws where Rule.T == T {
        try Rule.checkArchitecture(config)
    }
}

/// Builds the trainer of the rule it is given (`Method.withRule`).
private struct TrainerMaker<T: Scalar>: RuleVisitor {
    let config: RunConfig
    let data: DataSplits<T>

    func visit<Rule: LearningRule>(_: Rule.Type) throws -> TrainerHandle where Rule.T == T {
        TrainerHandle(try Trainer<Rule>(config: config, data: data))
    }
}
