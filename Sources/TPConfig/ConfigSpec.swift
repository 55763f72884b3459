import Foundation
import Yams

/// One user setting: a known dotted key, its value, and where it was given.
public struct ConfigAssignment: Sendable, Equatable {
    public var key: String
    public var value: ConfigValue
    public var origin: ConfigOrigin
}

/// What a user asked for, in precedence order, before it meets the method's defaults.
///
/// Keeping the settings unresolved is what lets a later layer change the method and still have
/// every key the user did *not* set follow that method's reference values: `resolve()` starts from
/// `RunConfig.defaults(for:architecture:)` of the last `method` given (else `Method.default`,
/// ddtp-linear) and the last `model.architecture` (else mlp), and applies the assignments in order,
/// so later ones win: file ← overrides ← sweep parameters.
/// Keys are checked when added; values when resolving.
public struct ConfigSpec: Sendable, Equatable {
    public private(set) var assignments: [ConfigAssignment] = []

    public init() {}

    /// The settings of a YAML document; `source` names it in error messages.
    public init(yaml text: String, source: String) throws {
        guard let root = try Self.compose(yaml: text, source: source) else {
            self.init()  // an empty file sets nothing
            return
        }
        try self.init(node: root, source: source)
    }

    /// The settings of a mapping node inside a larger YAML document (a sweep spec's `base`), so that
    /// errors point at lines of that document; `source` names it.
    public init(node: Node, source: String) throws {
        try add(node, under: nil) { .file(source, line: $0.mark?.line, column: $0.mark?.column) }
    }

    /// The node tree of a YAML document (nil when empty), parser errors as `ConfigError.malformedYAML`;
    /// for documents that embed a run config.
    public static func compose(yaml text: String, source: String) throws -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch {
            throw malformed(error, source: source)
        }
    }

    public init(yamlFile path: String) throws {
        try self.init(yaml: Self.readText(path), source: path)
    }

    /// The text of a YAML file, or an error that names it (missing, unreadable, not UTF-8).
    public static func readText(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError.missingFile(path: path, reason: "no such file")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError.missingFile(path: path, reason: error.localizedDescription)
        }
    }

    /// Adds `key=value` overrides: dotted keys, values read as YAML (`model.hidden=[128, 128]`,
    /// `optimizer={kind: sgd, lr: 0.1}` sets keys of a section).
    public mutating func apply(overrides: [String]) throws {
        for text in overrides {
            guard let equals = text.firstIndex(of: "=") else {
                throw ConfigError.malformedOverride(text, problem: "expected key=value, e.g. optimizer.lr=1e-3")
            }
            let key = text[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else {
                throw ConfigError.malformedOverride(text, problem: "no key before '='")
            }
            let node: Node?
            do {
                node = try Yams.compose(yaml: String(text[text.index(after: equals)...]))
            } catch {
                throw ConfigError.malformedOverride(text, problem: "value is not valid YAML: \(Self.parserReport(error).problem)")
            }
            try add(node ?? Node("~"), under: key) { _ in .override(text) }
        }
    }

    /// Sets one key from code, e.g. a sweep's sampled parameter.
    public mutating func set(_ key: String, to value: ConfigValue, origin: ConfigOrigin = .parameter) throws {
        _ = try ConfigSchema.field(key, settingTo: value, at: origin)
        assignments.append(ConfigAssignment(key: key, value: value, origin: origin))
    }

    /// This spec with `parameters` set on top, in order.
    public func setting(_ parameters: [(key: String, value: ConfigValue)]) throws -> ConfigSpec {
        var spec = self
        for (key, value) in parameters { try spec.set(key, to: value) }
        return spec
    }

    /// This spec with `parameters` set on top (keys are distinct, so their order does not matter).
    public func setting(_ parameters: [String: ConfigValue]) throws -> ConfigSpec {
        try setting(parameters.sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) })
    }

    /// The configuration: the defaults of the chosen method on the chosen architecture with every
    /// assignment applied, validated.
    public func resolve() throws -> RunConfig {
        // The last method and architecture given pick the defaults (`defaults(for:architecture:)`).
        var probe = RunConfig()
        for field in [ConfigSchema.method, ConfigSchema.architecture] {
            if let chosen = assignments.last(where: { $0.key == field.key }) {
                try field.assign(chosen.value, to: &probe, at: chosen.origin)
            }
        }
        var config = RunConfig.defaults(for: probe.method, architecture: probe.model.architecture)
        var origins: [String: ConfigOrigin] = [:]
        for assignment in assignments {
            let field = try ConfigSchema.field(assignment.key, settingTo: assignment.value, at: assignment.origin)
            try field.assign(assignment.value, to: &config, at: assignment.origin)
            origins[assignment.key] = assignment.origin
        }
        // A floor and period that came with the defaults (E22's cosine) do not outlive a constant
        // schedule the user chose; ones the user set stay, and validation names the clash.
        for (name, path) in [("optimizer", \RunConfig.optimizer), ("fb_optimizer", \RunConfig.fbOptimizer)]
        where config[keyPath: path].lrSchedule == .constant {
            if origins["\(name).lr_min_fraction"] == nil { config[keyPath: path].lrMinFraction = 0 }
            if origins["\(name).lr_period"] == nil { config[keyPath: path].lrPeriod = 0 }
        }
        try config.validate(origins: origins)
        return config
    }
}

// MARK: - Reading YAML nodes

extension ConfigSpec {
    /// Adds the settings of `node`, which sits at dotted `key` (nil: the document root). A section
    /// takes a mapping (null = empty); a leaf takes a scalar or a list. `keyNode` locates `key`.
    private mutating func add(_ node: Node, under key: String?, keyNode: Node? = nil,
                              origin: (Node) -> ConfigOrigin) throws {
        if let key, let field = ConfigSchema.field(key) {
            guard let value = ConfigValue(node: node) else {
                throw ConfigError.wrongType(key: key, value: "a mapping", expected: field.expected, at: origin(node))
            }
            assignments.append(ConfigAssignment(key: key, value: value, origin: origin(node)))
            return
        }
        if let key, !ConfigSchema.isSection(key) {
            throw ConfigSchema.unknownKey(key, at: origin(keyNode ?? node))
        }
        guard case .mapping(let mapping) = node else {
            if case .null? = ConfigValue(node: node) { return }
            throw ConfigError.notAMapping(key: key, found: Self.describe(node),
                                          expectedKeys: ConfigSchema.names(under: key), at: origin(node))
        }
        for (name, value) in mapping {
            let leaf = name.string ?? Self.describe(name)
            try add(value, under: key.map { "\($0).\(leaf)" } ?? leaf, keyNode: name, origin: origin)
        }
    }

    private static func describe(_ node: Node) -> String {
        ConfigValue(node: node)?.typedText ?? "a mapping"
    }

    /// The parser's own position and wording, as a `ConfigError`.
    private static func malformed(_ error: Error, source: String) -> ConfigError {
        let (line, column, problem) = parserReport(error)
        return .malformedYAML(source: source, line: line, column: column, problem: problem)
    }

    private static func parserReport(_ error: Error) -> (line: Int?, column: Int?, problem: String) {
        guard let yamlError = error as? YamlError else { return (nil, nil, "\(error)") }
        func context(_ c: YamlError.Context?) -> String {
            c.map { " (\($0.text) at line \($0.mark.line), column \($0.mark.column))" } ?? ""
        }
        switch yamlError {
        case let .scanner(c, problem, mark, _), let .parser(c, problem, mark, _), let .composer(c, problem, mark, _):
            return (mark.line, mark.column, problem + context(c))
        case let .duplicatedKeysInMapping(duplicates, c):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return (c.mark.line, c.mark.column, "duplicate key \(keys) in one mapping")
        default:
            return (nil, nil, "\(yamlError)")
        }
    }
}
