import TPConfig
import Yams

extension SearchParameter {
    /// The spec's names of the distribution kinds; `int` is another name for `randint`.
    static let kindNames = ["value", "grid", "choice", "uniform", "loguniform", "quniform", "randint", "int"]

    /// Reads `key: <value or distribution>` of the `parameters` mapping. A plain scalar or list is
    /// a fixed value; a mapping names exactly one kind, plus an optional `when`. Checks the key
    /// against the run config and each value (or bound) against the key's type and range.
    init(key: String, keyNode: Node, value node: Node, reader: SpecReader) throws {
        let path = "parameters.\(key)"
        do {
            _ = try ConfigSpec().setting([(key: key, value: .null)])
        } catch ConfigError.notAMapping(_, _, let leaves, _) {
            throw SweepError.invalid(
                key: path, problem: "'\(key)' is a section of the run config; sweep its keys one by one (\(key).…: "
                    + leaves.joined(separator: ", ") + ")", at: reader.origin(keyNode))
        } catch ConfigError.unknownKey(_, let suggestion, let known, _) {
            // Rethrown with the key's own position (the run config does not know where it was).
            throw ConfigError.unknownKey(key, suggestion: suggestion, knownKeys: known, at: reader.origin(keyNode))
        }
        if key == "seed" {
            throw SweepError.invalid(key: path, problem: "run seeds are set by the top-level `seeds:` (a count or a list)",
                                     at: reader.origin(keyNode))
        }
        self.key = key
        origin = reader.origin(node)
        guard case .mapping = node else {
            distribution = .fixed(try reader.value(node, at: path, expected: "a value"))
            conditions = []
            try Self.probe(key, distribution, at: origin)
            return
        }
        let mapping = try reader.mapping(node, at: path, known: Self.kindNames + ["when"])
        let kinds = mapping.entries.filter { $0.name != "when" }
        guard kinds.count == 1, let kind = kinds.first else {
            let given = kinds.isEmpty ? "none" : kinds.map(\.name).joined(separator: " and ")
            throw SweepError.invalid(key: path, problem: "expected exactly one of "
                + Self.kindNames.joined(separator: ", ") + "; got \(given)", at: origin)
        }
        distribution = try Self.distribution(kind.name, kind.value, at: "\(path).\(kind.name)", reader: reader)
        conditions = try mapping["when"].map { try Self.conditions($0, at: "\(path).when", reader: reader) } ?? []
        try Self.probe(key, distribution, at: reader.origin(kind.value))
    }

    private static func distribution(_ kind: String, _ node: Node, at path: String,
                                     reader: SpecReader) throws -> Distribution {
        switch kind {
        case "value":
            return .fixed(try reader.value(node, at: path, expected: "a value"))
        case "grid", "choice":
            let values = try distinctValues(node, at: path, reader: reader)
            return kind == "grid" ? .grid(values) : .choice(values)
        case "uniform", "loguniform":
            let (low, high) = try bounds(node, at: path, reader: reader)
            if kind == "uniform" { return .uniform(low: low, high: high) }
            guard low > 0 else {
                throw SweepError.invalid(key: path, problem: "low must be > 0 for a log scale, got \(low)",
                                         at: reader.origin(node))
            }
            return .logUniform(low: low, high: high)
        case "quniform":
            let items = try numbers(node, count: 3, at: path, expected: "[low, high, step]", reader: reader)
            let (low, high, step) = (items[0], items[1], items[2])
            guard low < high, (high - low).isFinite, step > 0, step <= high - low else {
                throw SweepError.invalid(key: path, problem: "expected low < high and 0 < step <= high - low,"
                    + " got [\(low), \(high), \(step)]", at: reader.origin(node))
            }
            guard (high - low) / step < 0x1p52 else {  // beyond that the points are not distinct doubles
                throw SweepError.invalid(key: path, problem: "step \(step) gives more than 2^52 points between"
                    + " \(low) and \(high); use uniform", at: reader.origin(node))
            }
            return .quantizedUniform(low: low, high: high, step: step)
        default:  // randint, int
            let expected = "[low, high): two integers, low < high"
            let items = try reader.list(node, at: path, expected: expected)
            guard items.count == 2 else {
                throw SweepError.invalid(key: path, problem: "expected \(expected), got \(items.count) items",
                                         at: reader.origin(node))
            }
            let low = try integer(items[0], at: path, expected: expected, reader: reader)
            let high = try integer(items[1], at: path, expected: expected, reader: reader)
            guard low < high, !high.subtractingReportingOverflow(low).overflow else {
                throw SweepError.invalid(key: path, problem: "expected \(expected) (high is excluded) and a range that"
                    + " fits in an integer, got [\(low), \(high)]", at: reader.origin(node))
            }
            return .randomInt(low: low, high: high)
        }
    }

    /// A non-empty list of values, each once (a repeat would only duplicate trials or skew a choice).
    private static func distinctValues(_ node: Node, at path: String, reader: SpecReader) throws -> [ConfigValue] {
        let expected = "a non-empty list of values"
        let items = try reader.list(node, at: path, expected: expected)
        guard !items.isEmpty else {
            throw SweepError.invalid(key: path, problem: "expected \(expected), got an empty list", at: reader.origin(node))
        }
        var values: [ConfigValue] = []
        for item in items {
            let value = try reader.value(item, at: path, expected: "a value")
            guard !values.contains(value) else {
                throw SweepError.invalid(key: path, problem: "lists \(value) twice; give each value once",
                                         at: reader.origin(item))
            }
            values.append(value)
        }
        return values
    }

    private static func bounds(_ node: Node, at path: String, reader: SpecReader) throws -> (Double, Double) {
        let items = try numbers(node, count: 2, at: path, expected: "[low, high]", reader: reader)
        guard items[0] < items[1], (items[1] - items[0]).isFinite else {
            throw SweepError.invalid(key: path, problem: "expected low < high (a finite width apart), got"
                + " [\(items[0]), \(items[1])]", at: reader.origin(node))
        }
        return (items[0], items[1])
    }

    private static func numbers(_ node: Node, count: Int, at path: String, expected: String,
                                reader: SpecReader) throws -> [Double] {
        let items = try reader.list(node, at: path, expected: "\(expected), \(count) numbers")
        guard items.count == count else {
            throw SweepError.invalid(key: path, problem: "expected \(expected), \(count) numbers; got \(items.count)",
                                     at: reader.origin(node))
        }
        return try items.map { try reader.number($0, at: path) }
    }

    private static func integer(_ node: Node, at path: String, expected: String, reader: SpecReader) throws -> Int {
        guard case .int(let i)? = ConfigValue(node: node) else {
            throw ConfigError.wrongType(key: path, value: SpecReader.describe(node), expected: expected,
                                        at: reader.origin(node))
        }
        return i
    }

    /// `when: {other.key: [values] or value, …}`; checked against the other parameters later,
    /// once they are all read.
    private static func conditions(_ node: Node, at path: String, reader: SpecReader) throws -> [Condition] {
        guard case .mapping(let pairs) = node, !pairs.isEmpty else {
            throw SweepError.invalid(key: path, problem: "expected a mapping {parameter: [allowed values]}, got "
                + SpecReader.describe(node), at: reader.origin(node))
        }
        return try pairs.map { keyNode, valueNode in
            let key = try reader.string(keyNode, at: path, expected: "a parameter key")
            let value = try reader.value(valueNode, at: "\(path).\(key)", expected: "a list of allowed values")
            if case .list(let allowed) = value {
                guard !allowed.isEmpty else {
                    throw SweepError.invalid(key: "\(path).\(key)", problem: "expected at least one allowed value",
                                             at: reader.origin(valueNode))
                }
                return Condition(key: key, allowed: allowed, origin: reader.origin(keyNode))
            }
            return Condition(key: key, allowed: [value], origin: reader.origin(keyNode))
        }
    }

    /// Checks that the key accepts every value the distribution can give (its ends and middle),
    /// as the run config would. Rules that tie keys together are left to each trial, because they
    /// depend on the other parameters (tp.sigma = 0 is fine for bp, not for drl).
    private static func probe(_ key: String, _ distribution: Distribution, at origin: ConfigOrigin) throws {
        for value in distribution.probeValues {
            var spec = ConfigSpec()
            try spec.set(key, to: value, origin: origin)
            do {
                _ = try spec.resolve()
            } catch ConfigError.inconsistent {
                continue
            }
        }
    }
}
