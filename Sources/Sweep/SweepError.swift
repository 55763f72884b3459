import TPConfig

/// Why a sweep spec was rejected or could not be planned. Errors of shape and type (unknown keys,
/// wrong types, bad run-config values) are `ConfigError`s, worded as for run configs; these cases
/// are the sweep's own rules. Every message starts with the place (file:line:column) or the trial.
public enum SweepError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A rule of the sweep spec broken at dotted `key`, e.g. "sampler.samples".
    case invalid(key: String, problem: String, at: ConfigOrigin)
    /// The run config of planned trial `index` does not resolve or validate; `parameters` lists its
    /// values and seed, `error` says which setting is wrong and where it came from.
    case trial(index: Int, parameters: String, error: ConfigError)

    public var description: String {
        switch self {
        case let .invalid(key, problem, origin):
            return "\(origin): \(key): \(problem)"
        case let .trial(index, parameters, error):
            return "trial \(index) (\(parameters)): \(error)"
        }
    }
}
