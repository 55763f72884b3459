import TPConfig
import Yams

/// Reads the nodes of one sweep spec document: typed values, mappings with known keys, and the
/// file:line:column of each node for messages. Keys are dotted paths from the top ("sampler.kind").
struct SpecReader {
    /// The file name (or other label) messages give as the place.
    let source: String

    /// The entries of one YAML mapping, checked against the keys allowed there.
    struct Mapping {
        let node: Node
        let key: String?
        let entries: [(name: String, keyNode: Node, value: Node)]

        subscript(name: String) -> Node? {
            entries.first { $0.name == name }?.value
        }
    }

    func origin(_ node: Node) -> ConfigOrigin {
        .file(source, line: node.mark?.line, column: node.mark?.column)
    }

    static func path(_ parent: String?, _ name: String) -> String {
        parent.map { "\($0).\(name)" } ?? name
    }

    /// What a message says a node is: "integer 3", "string 'x'", "a mapping".
    static func describe(_ node: Node) -> String {
        ConfigValue(node: node)?.typedText ?? "a mapping"
    }

    /// `node` as a mapping whose keys are all in `known` (a typo gets the closest known key).
    func mapping(_ node: Node, at key: String?, known: [String]) throws -> Mapping {
        guard case .mapping(let pairs) = node else {
            throw ConfigError.notAMapping(key: key, found: Self.describe(node), expectedKeys: known, at: origin(node))
        }
        var entries: [(name: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in pairs {
            guard case .scalar(let scalar) = keyNode else {
                throw ConfigError.wrongType(key: key ?? "top level", value: Self.describe(keyNode),
                                            expected: "plain keys", at: origin(keyNode))
            }
            guard known.contains(scalar.string) else {
                throw ConfigError.unknownKey(Self.path(key, scalar.string),
                                             suggestion: Self.closest(to: scalar.string, among: known).map { Self.path(key, $0) },
                                             knownKeys: known, at: origin(keyNode))
            }
            entries.append((scalar.string, keyNode, value))
        }
        return Mapping(node: node, key: key, entries: entries)
    }

    /// The value under `name`, or an error at the mapping saying that it is required.
    func required(_ name: String, in mapping: Mapping, expected: String) throws -> Node {
        guard let node = mapping[name] else {
            throw SweepError.invalid(key: Self.path(mapping.key, name), problem: "required; expected \(expected)",
                                     at: origin(mapping.node))
        }
        return node
    }

    func value(_ node: Node, at key: String, expected: String) throws -> ConfigValue {
        guard let value = ConfigValue(node: node) else {
            throw ConfigError.wrongType(key: key, value: "a mapping", expected: expected, at: origin(node))
        }
        return value
    }

    func int(_ node: Node, at key: String, min: Int) throws -> Int {
        let expected = "an integer >= \(min)"
        guard case .int(let i) = try value(node, at: key, expected: expected) else {
            throw ConfigError.wrongType(key: key, value: Self.describe(node), expected: expected, at: origin(node))
        }
        guard i >= min else {
            throw ConfigError.outOfRange(key: key, value: String(i), expected: expected, at: origin(node))
        }
        return i
    }

    /// A finite number; integers count.
    func number(_ node: Node, at key: String) throws -> Double {
        switch try value(node, at: key, expected: "a number") {
        case .int(let i): return Double(i)
        case .double(let d) where d.isFinite: return d
        default: throw ConfigError.wrongType(key: key, value: Self.describe(node), expected: "a finite number", at: origin(node))
        }
    }

    func bool(_ node: Node, at key: String) throws -> Bool {
        guard case .bool(let b) = try value(node, at: key, expected: "true or false") else {
            throw ConfigError.wrongType(key: key, value: Self.describe(node), expected: "true or false", at: origin(node))
        }
        return b
    }

    func string(_ node: Node, at key: String, expected: String) throws -> String {
        guard case .string(let s) = try value(node, at: key, expected: expected) else {
            throw ConfigError.wrongType(key: key, value: Self.describe(node), expected: expected, at: origin(node))
        }
        return s
    }

    /// One of `allowed`, spelled exactly.
    func choice(_ node: Node, at key: String, allowed: [String]) throws -> String {
        let text = try string(node, at: key, expected: "one of: " + allowed.joined(separator: ", "))
        guard allowed.contains(text) else {
            throw ConfigError.unknownEnumValue(key: key, value: "'\(text)'", allowed: allowed, at: origin(node))
        }
        return text
    }

    /// The items of a YAML sequence.
    func list(_ node: Node, at key: String, expected: String) throws -> [Node] {
        guard case .sequence(let items) = node else {
            throw ConfigError.wrongType(key: key, value: Self.describe(node), expected: expected, at: origin(node))
        }
        return Array(items)
    }

    /// The known name closest to a mistyped one, if close enough to be a slip (TPConfig's rule).
    static func closest(to name: String, among known: [String]) -> String? {
        guard let best = known.min(by: { editDistance(name, $0) < editDistance(name, $1) }) else { return nil }
        let distance = editDistance(name, best)
        return distance <= max(2, min(3, name.count / 3)) && distance < name.count ? best : nil
    }
}
