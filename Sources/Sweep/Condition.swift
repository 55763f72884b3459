import TPConfig

/// "Applies only when parameter `key` takes one of `allowed`" (spec: `when: {key: [values]}`).
/// Conditions test grid, choice or fixed parameters, whose values are a known finite set.
public struct Condition: Sendable, Equatable {
    public let key: String
    public let allowed: [ConfigValue]
    /// Where the spec gives it, for messages.
    public let origin: ConfigOrigin

    var canonicalText: String { "\(key) in \(ConfigValue.list(allowed))" }
}
