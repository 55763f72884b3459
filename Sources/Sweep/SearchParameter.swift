import TPConfig

/// One entry of a spec's `parameters`: a run-config key, the values it takes, and when it applies.
public struct SearchParameter: Sendable, Equatable {
    /// A dotted run-config key, e.g. "optimizer.lr".
    public let key: String
    public let distribution: Distribution
    /// All must hold for the parameter to apply; where one fails, the key is absent from the trial
    /// (so the base value or the method default stays).
    public let conditions: [Condition]
    /// Where the spec gives the parameter; a run-config error about one of its values points here.
    public let origin: ConfigOrigin

    var canonicalText: String {
        let when = conditions.isEmpty ? "" : " when " + conditions.map(\.canonicalText).joined(separator: " and ")
        return "\(key): \(distribution.canonicalText)\(when)"
    }
}
