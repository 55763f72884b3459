import Yams

/// The value of one config key, as a YAML file, an override or code gives it. Literals let code
/// write assignments the way YAML does: `["optimizer.lr": 1e-3, "model.hidden": [128, 128]]`.
public enum ConfigValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ConfigValue])
}

extension ConfigValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .list(elements) }
}

extension ConfigValue: CustomStringConvertible {
    /// YAML flow text that reads back as the same value; `yamlString()` writes values this way.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d < 0 ? "-.inf" : ".inf" }
            // Shortest text that round-trips, with a '.' in the mantissa ("1.0e-08", not "1e-08"):
            // YAML 1.1 readers such as PyYAML take a float without one for a string.
            let text = d.description
            guard let e = text.firstIndex(of: "e"), !text[..<e].contains(".") else { return text }
            return text[..<e] + ".0" + text[e...]
        case .string(let s): return Self.isPlainSafe(s) ? s : Self.doubleQuoted(s)
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// "string 'tahn'", "number 1.5", …: what error messages say a user gave.
    public var typedText: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean \(description)"
        case .int: return "integer \(description)"
        case .double: return "number \(description)"
        case .string(let s): return "string '\(s)'"
        case .list: return "list \(description)"
        }
    }

    /// The value as a message quotes it: strings in quotes, everything else as YAML.
    var quotedText: String {
        if case .string(let s) = self { return "'\(s)'" }
        return description
    }

    /// Whether `s` can be written unquoted: simple path/identifier characters, not starting with a
    /// YAML indicator, and not read back as a number, boolean or null (e.g. "true", "1e3", "~").
    private static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first != "-", first != "+" else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./+-".unicodeScalars)
        return s.unicodeScalars.allSatisfy(allowed.contains) && Node(s).tagName == .str
    }

    private static func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case _ where u.value < 0x20 || u.value == 0x7F:
                let hex = String(u.value, radix: 16, uppercase: true)
                out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

extension ConfigValue {
    /// The value of a composed YAML node, typed by YAML's own resolution (so `"1"` quoted stays a
    /// string). nil when the node is or contains a mapping, which no config value can be.
    /// Public so that documents embedding config values (sweep specs) read them the same way.
    public init?(node: Node) {
        switch node {
        case .scalar:
            self = Self.scalar(node)
        case .sequence(let seq):
            var items: [ConfigValue] = []
            for element in seq {
                guard let item = ConfigValue(node: element) else { return nil }
                items.append(item)
            }
            self = .list(items)
        case .mapping, .alias:
            return nil
        }
    }

    private static func scalar(_ node: Node) -> ConfigValue {
        let text = node.string ?? ""
        switch node.tagName {
        case .null: return .null
        case .bool: return node.bool.map(ConfigValue.bool) ?? .string(text)
        case .int: return node.int.map(ConfigValue.int) ?? node.float.map(ConfigValue.double) ?? .string(text)
        case .float: return node.float.map(ConfigValue.double) ?? .string(text)
        default: return .string(text)
        }
    }
}

extension Node {
    /// The node's resolved tag (Yams keeps `Tag.name` internal).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
