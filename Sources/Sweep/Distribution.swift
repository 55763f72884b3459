import Foundation
import TPConfig

/// The values one parameter takes: fixed, enumerated by the grid, or drawn by the sampler. Sampled
/// kinds map a unit-cube coordinate u ∈ [0, 1) through their quantile function, so random and
/// Sobol points give values the same way.
public enum Distribution: Sendable, Equatable {
    /// Spec: a plain value, or `{value: v}`.
    case fixed(ConfigValue)
    /// Every value, crossed with the other grid parameters (cartesian product).
    case grid([ConfigValue])
    /// One of the values, equally likely.
    case choice([ConfigValue])
    /// Real numbers in [low, high).
    case uniform(low: Double, high: Double)
    /// Real numbers in [low, high] whose logarithm is uniform; 0 < low.
    case logUniform(low: Double, high: Double)
    /// low, low + step, … up to high, equally likely (Optuna's stepped float).
    case quantizedUniform(low: Double, high: Double, step: Double)
    /// Integers low ..< high, equally likely (spec: `randint` or `int`).
    case randomInt(low: Int, high: Int)

    /// Whether the sampler draws it (everything but fixed values and grids).
    public var isSampled: Bool {
        switch self {
        case .fixed, .grid: return false
        case .choice, .uniform, .logUniform, .quantizedUniform, .randomInt: return true
        }
    }

    /// The finite set of values, for kinds that have one (what conditions may test).
    public var values: [ConfigValue]? {
        switch self {
        case .fixed(let value): return [value]
        case .grid(let values), .choice(let values): return values
        case .uniform, .logUniform, .quantizedUniform, .randomInt: return nil
        }
    }

    /// The spec's name for the kind.
    public var kindName: String {
        switch self {
        case .fixed: return "value"
        case .grid: return "grid"
        case .choice: return "choice"
        case .uniform: return "uniform"
        case .logUniform: return "loguniform"
        case .quantizedUniform: return "quniform"
        case .randomInt: return "randint"
        }
    }

    /// The value at quantile `u` ∈ [0, 1) of a sampled kind.
    func value(at u: Double) -> ConfigValue {
        switch self {
        case .fixed(let value):
            return value
        case .grid(let values), .choice(let values):
            return values[Swift.min(Int(u * Double(values.count)), values.count - 1)]
        case let .uniform(low, high):
            return .double(Swift.min(low + u * (high - low), high))
        case let .logUniform(low, high):
            let x = exp(log(low) + u * (log(high) - log(low)))
            return .double(Swift.min(Swift.max(x, low), high))  // exp∘log may round past a bound
        case let .quantizedUniform(low, high, step):
            let count = Self.stepCount(low: low, high: high, step: step)
            let k = Swift.min(Int(u * Double(count)), count - 1)
            return .double(Swift.min(Self.rounded(low + Double(k) * step, like: [low, step]), high))
        case let .randomInt(low, high):
            let width = high - low
            return .int(low + Swift.min(Int(u * Double(width)), width - 1))
        }
    }

    /// Values a run-config key must accept for every draw to be usable: the ends and a middle, or
    /// the whole list. Checked when the spec is read, so a bad bound points at its line.
    var probeValues: [ConfigValue] {
        switch self {
        case .fixed, .grid, .choice:
            return values ?? []
        case let .uniform(low, high), let .logUniform(low, high):
            return [.double(low), value(at: 0.5), .double(high)]
        case .quantizedUniform:
            return [value(at: 0), value(at: 0.5), value(at: 0.999_999)]
        case let .randomInt(low, high):
            return [.int(low), .int(high - 1)]
        }
    }

    /// The kind and its arguments in one deterministic line, for the spec identity.
    var canonicalText: String {
        func numbers(_ xs: [Double]) -> String { ConfigValue.list(xs.map(ConfigValue.double)).description }
        switch self {
        case .fixed(let value): return "value \(value)"
        case .grid(let values): return "grid \(ConfigValue.list(values))"
        case .choice(let values): return "choice \(ConfigValue.list(values))"
        case let .uniform(low, high): return "uniform " + numbers([low, high])
        case let .logUniform(low, high): return "loguniform " + numbers([low, high])
        case let .quantizedUniform(low, high, step): return "quniform " + numbers([low, high, step])
        case let .randomInt(low, high): return "randint \(ConfigValue.list([.int(low), .int(high)]))"
        }
    }

    /// How many points low + k·step lie in [low, high]; the tolerance absorbs (0.5 − 0.01) / 0.01
    /// coming out as 48.999….
    static func stepCount(low: Double, high: Double, step: Double) -> Int {
        Int(((high - low) / step * (1 + 1e-12)).rounded(.down)) + 1
    }

    /// `x` rounded to the decimals of the most precise of `inputs`, so that 0.01 + 3 × 0.01 reads
    /// 0.04 rather than 0.04000000000000001 (values end up in trial ids and logs).
    private static func rounded(_ x: Double, like inputs: [Double]) -> Double {
        let places = inputs.map(decimalPlaces).max() ?? 0
        guard places <= 15 else { return x }
        let scale = pow(10, Double(places))
        return (x * scale).rounded() / scale
    }

    /// Digits after the decimal point in the shortest text of `x`: 0.01 → 2, 2.5e-07 → 8, 100.0 → 0.
    private static func decimalPlaces(_ x: Double) -> Int {
        let text = String(x.magnitude)
        let parts = text.split(separator: "e")
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        let fraction = mantissa.count > 1 ? mantissa[1].reversed().drop { $0 == "0" }.count : 0
        return Swift.max(0, fraction - exponent)
    }
}
