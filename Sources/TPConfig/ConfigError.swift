/// Where a setting came from, so that an error can point at it.
public enum ConfigOrigin: Sendable, Equatable, CustomStringConvertible {
    /// A YAML file (or text) and the 1-based position of the offending node, when known.
    case file(String, line: Int?, column: Int?)
    /// A `key=value` override, quoted whole.
    case override(String)
    /// Set by code (`ConfigSpec.set`, `RunConfig.applying`).
    case parameter

    public var description: String {
        switch self {
        case let .file(path, line?, column?): return "\(path):\(line):\(column)"
        case let .file(path, line?, nil): return "\(path):\(line)"
        case let .file(path, _, _): return path
        case let .override(text): return "override '\(text)'"
        case .parameter: return "parameter"
        }
    }
}

/// Why a configuration was rejected. Every message names the place (file:line:column, override or
/// parameter), the full dotted key, the bad value and what was expected.
public enum ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(path: String, reason: String)
    case malformedYAML(source: String, line: Int?, column: Int?, problem: String)
    /// The top level (key nil) or a section is not a mapping; `found` describes what it is.
    case notAMapping(key: String?, found: String, expectedKeys: [String], at: ConfigOrigin)
    case malformedOverride(String, problem: String)
    /// `knownKeys` are the valid keys at that level, listed when no close match exists.
    case unknownKey(String, suggestion: String?, knownKeys: [String], at: ConfigOrigin)
    case wrongType(key: String, value: String, expected: String, at: ConfigOrigin?)
    case outOfRange(key: String, value: String, expected: String, at: ConfigOrigin?)
    case unknownEnumValue(key: String, value: String, allowed: [String], at: ConfigOrigin?)
    /// Settings valid one by one but not together; `problem` names each key, value and origin.
    case inconsistent(keys: [String], problem: String)

    public var description: String {
        switch self {
        case let .missingFile(path, reason):
            return "cannot read '\(path)': \(reason)"
        case let .malformedYAML(source, line, column, problem):
            return "\(ConfigOrigin.file(source, line: line, column: column)): malformed YAML: \(problem)"
        case let .notAMapping(key, found, keys, origin):
            let what = key.map { "section '\($0)'" } ?? "the top level"
            return "\(origin): \(what) must be a mapping of keys (\(keys.joined(separator: ", "))), got \(found)"
        case let .malformedOverride(text, problem):
            return "malformed override '\(text)': \(problem)"
        case let .unknownKey(key, suggestion?, _, origin):
            return "\(origin): unknown key '\(key)'; did you mean '\(suggestion)'?"
        case let .unknownKey(key, nil, known, origin):
            return "\(origin): unknown key '\(key)'; known keys here: \(known.joined(separator: ", "))"
        case let .wrongType(key, value, expected, origin):
            return prefix(origin) + "\(key): expected \(expected), got \(value)"
        case let .outOfRange(key, value, expected, origin):
            return prefix(origin) + "\(key): \(value) is out of range; expected \(expected)"
        case let .unknownEnumValue(key, value, allowed, origin):
            return prefix(origin) + "\(key): unknown value \(value); expected one of: "
                + allowed.joined(separator: ", ")
        case let .inconsistent(_, problem):
            return "inconsistent settings: \(problem)"
        }
    }

    private func prefix(_ origin: ConfigOrigin?) -> String {
        origin.map { "\($0): " } ?? ""
    }
}
