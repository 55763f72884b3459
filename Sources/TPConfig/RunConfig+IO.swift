import Foundation

extension RunConfig {
    /// Reads a YAML config file and applies `key=value` overrides on top (see `ConfigSpec`).
    public static func load(yamlFile path: String, overrides: [String] = []) throws -> RunConfig {
        var spec = try ConfigSpec(yamlFile: path)
        try spec.apply(overrides: overrides)
        return try spec.resolve()
    }

    /// As `load`, from YAML text; `source` names it in error messages.
    public static func resolve(yaml text: String, source: String, overrides: [String] = []) throws -> RunConfig {
        var spec = try ConfigSpec(yaml: text, source: source)
        try spec.apply(overrides: overrides)
        return try spec.resolve()
    }

    /// This config with keys set literally, then validated. Unlike `ConfigSpec`, setting `method`
    /// here changes only the method: the other values stay as they are.
    public func applying(_ assignments: [(key: String, value: ConfigValue)]) throws -> RunConfig {
        var config = self
        var origins: [String: ConfigOrigin] = [:]
        for (key, value) in assignments {
            try ConfigSchema.field(key, settingTo: value, at: .parameter).assign(value, to: &config, at: .parameter)
            origins[key] = .parameter
        }
        try config.validate(origins: origins)
        return config
    }

    /// Every key, in schema order, as YAML that `resolve(yaml:)` reads back to an equal config.
    public func yamlString() -> String {
        var lines: [String] = []
        var currentSection: String?
        for field in ConfigSchema.fields {
            let value = field.read(self).description
            guard let section = ConfigSchema.section(of: field.key) else {
                lines.append("\(field.key): \(value)")
                continue
            }
            if section != currentSection {
                lines.append("\(section):")
                currentSection = section
            }
            lines.append("  \(field.key.dropFirst(section.count + 1)): \(value)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Compact JSON with sorted keys, so equal configs give equal bytes (for storage and hashing).
    public func jsonData() throws -> Foundation.Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Decodes `jsonData()` output and validates it.
    public init(jsonData: Foundation.Data) throws {
        self = try JSONDecoder().decode(RunConfig.self, from: jsonData)
        try validate()
    }
}
