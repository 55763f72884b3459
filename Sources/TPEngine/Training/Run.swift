/// Trains one run as `config` describes: loads its data, builds the network and the rule, and
/// reports every epoch to `observer`. The only entry point the CLI and the coordinator need.
public func train(_ config: RunConfig, observer: (any TrainingObserver)? = nil) throws -> RunResult {
    switch config.dtype {
    case .float32: return try train(Float.self, config, observer: observer)
    case .float64: return try train(Double.self, config, observer: observer)
    }
}

/// Dispatches on the rule here, once, so each trainer is compiled for a concrete rule and scalar.
func train<T: Scalar>(_: T.Type, _ config: RunConfig, observer: (any TrainingObserver)?) throws -> RunResult {
    let data: DataSplits<T> = try loadSplits(config.dataSource, validationSize: config.data.validationSize,
                                            trainSubset: config.data.trainSubset,
                                            testSubset: config.data.testSubset, seed: UInt64(config.seed))
    switch config.method {
    case .bp: return Trainer<BP<T>>(config: config, data: data).run(observer: observer)
    case .dtp: return Trainer<DTP<T>>(config: config, data: data).run(observer: observer)
    case .drl: return Trainer<DRL<T>>(config: config, data: data).run(observer: observer)
    case .ddtpLinear: return Trainer<DDTPLinear<T>>(config: config, data: data).run(observer: observer)
    case .ddtpControl: return Trainer<DDTPControl<T>>(config: config, data: data).run(observer: observer)
    case .dfa: return Trainer<DFA<T>>(config: config, data: data).run(observer: observer)
    }
}
