import TPConfig
import Yams

/// One run of a sweep: a parameter assignment and a seed, with the run config they give.
public struct Trial: Sendable, Codable, Equatable {
    /// One parameter's value in this trial.
    public struct Parameter: Sendable, Codable, Equatable {
        public var key: String
        public var value: ConfigValue

        public init(key: String, value: ConfigValue) {
            self.key = key
            self.value = value
        }

        /// Encoded as `{"key": …, "value": "<YAML flow text>"}`: the text is exact for every value
        /// (JSON would blur 1 and 1.0, which differ in trial ids) and is what ids are hashed from.
        private enum CodingKeys: String, CodingKey { case key, value }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            let text = try container.decode(String.self, forKey: .value)
            guard let node = try? ConfigSpec.compose(yaml: text, source: "trial parameter"),
                  let value = ConfigValue(node: node) else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: container,
                                                       debugDescription: "not a YAML value: \(text)")
            }
            self.value = value
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(key, forKey: .key)
            try container.encode(value.description, forKey: .value)
        }
    }

    /// 16 hex digits, a hash of the sweep name, the parameters and the seed: the same trial gets
    /// the same id in every process and after the spec's other parts change.
    public var id: String
    /// Position in the plan (0-based).
    public var index: Int
    /// In the spec's parameter order; inapplicable parameters are absent.
    public var parameters: [Parameter]
    public var seed: Int
    /// The spec's base ← parameters ← seed (and the scheduler's epochs), resolved.
    public var config: RunConfig

    public init(id: String, index: Int, parameters: [Parameter], seed: Int, config: RunConfig) {
        self.id = id
        self.index = index
        self.parameters = parameters
        self.seed = seed
        self.config = config
    }

    /// "method=drl optimizer.lr=0.00031 seed=1", for logs and messages.
    public var label: String {
        (parameters.map { "\($0.key)=\($0.value)" } + ["seed=\(seed)"]).joined(separator: " ")
    }

    /// The parameters as id input: sorted by key (so reordering the spec keeps ids), one
    /// `key=value` line each. Keys have no newline and values escape theirs, so lines are unambiguous.
    static func canonicalText(_ parameters: [Parameter]) -> String {
        parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)\n" }.joined()
    }

    static func id(sweep name: String, canonicalParameters: String, seed: Int) -> String {
        StableHash.hex(of: "sweep=\(name)\n\(canonicalParameters)seed=\(seed)\n")
    }
}
