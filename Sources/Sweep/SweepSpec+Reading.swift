import TPConfig
import Yams

extension SweepSpec {
    static let topKeys = ["name", "seed", "base", "parameters", "sampler", "seeds", "scheduler", "snapshots"]

    /// Reads and checks a spec; `source` names it in messages ("file:line:column: key: …").
    /// Throws `ConfigError` for shape, type and run-config errors, `SweepError` for the sweep's rules.
    public init(yaml text: String, source: String) throws {
        let reader = SpecReader(source: source)
        guard let root = try ConfigSpec.compose(yaml: text, source: source) else {
            throw SweepError.invalid(key: "name", problem: "required, but the spec is empty",
                                     at: .file(source, line: nil, column: nil))
        }
        let top = try reader.mapping(root, at: nil, known: Self.topKeys)
        let nameNode = try reader.required("name", in: top, expected: "a name of letters, digits, '_', '.', '-'")
        name = try Self.name(nameNode, reader: reader)
        seed = try top["seed"].map { try reader.int($0, at: "seed", min: 0) } ?? 0
        base = try top["base"].map { try Self.base($0, reader: reader) } ?? ConfigSpec()
        parameters = try top["parameters"].map { try Self.parameters($0, reader: reader) } ?? []
        sampler = try top["sampler"].map { try SamplerSpec(node: $0, reader: reader) } ?? SamplerSpec(kind: .grid)
        scheduler = try top["scheduler"].map { try SchedulerSpec(node: $0, reader: reader) } ?? .fifo
        snapshots = try top["snapshots"].map { try SnapshotPolicy(node: $0, reader: reader) } ?? SnapshotPolicy()
        self.source = source

        let baseSeed = base.assignments.last { $0.key == "seed" }
        switch (top["seeds"], baseSeed) {
        case let (node?, baseSeed?):
            throw SweepError.invalid(key: "seeds", problem: "base sets seed (at \(baseSeed.origin)) too; give run seeds"
                + " in one place", at: reader.origin(node))
        case let (node?, nil):
            seeds = try Self.seeds(node, reader: reader)
            seedsOrigin = reader.origin(node)
        case let (nil, baseSeed?):
            guard case .int(let value) = baseSeed.value, value >= 0 else {
                throw ConfigError.wrongType(key: "seed", value: baseSeed.value.typedText, expected: "an integer >= 0",
                                            at: baseSeed.origin)
            }
            seeds = [value]
            seedsOrigin = baseSeed.origin
        case (nil, nil):
            seeds = [0]
            seedsOrigin = reader.origin(root)
        }

        (conditionTargets, evaluationOrder) = try Self.checkConditions(parameters)
        try Self.checkSampler(sampler, parameters: parameters, node: top["sampler"], reader: reader)
        var notes: [String] = []
        epochsOrigin = top["scheduler"].map { reader.origin($0) }
        if case .asha(let settings) = scheduler {
            if let epochs = parameters.first(where: { $0.key == "epochs" }) {
                throw SweepError.invalid(key: "parameters.epochs", problem: "ASHA sets every trial's epochs to"
                    + " scheduler.max_epochs (\(settings.maxEpochs)); remove the parameter", at: epochs.origin)
            }
            let baseEpochs = base.assignments.last { $0.key == "epochs" }
            notes.append("scheduler.max_epochs = \(settings.maxEpochs) sets every trial's epochs"
                + (baseEpochs.map { ", replacing base epochs = \($0.value) (\($0.origin))" } ?? ""))
        }
        self.notes = notes
        try checkSize(at: reader.origin(top["parameters"] ?? root))
    }

    private static func name(_ node: Node, reader: SpecReader) throws -> String {
        let expected = "a name of letters, digits, '_', '.', '-'"
        let name = try reader.string(node, at: "name", expected: expected)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-".unicodeScalars)
        guard !name.isEmpty, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw ConfigError.outOfRange(key: "name", value: "'\(name)'", expected: expected, at: reader.origin(node))
        }
        return name
    }

    /// The run config under `base`, read by TPConfig itself so keys, messages and lines match
    /// `tpsweep train`'s.
    private static func base(_ node: Node, reader: SpecReader) throws -> ConfigSpec {
        if case .mapping = node {
            let base = try ConfigSpec(node: node, source: reader.source)
            // Bad values show now, at their line; rules tying keys together wait for the parameters.
            do {
                _ = try base.resolve()
            } catch ConfigError.inconsistent {}
            return base
        }
        if case .null? = ConfigValue(node: node) { return ConfigSpec() }
        throw SweepError.invalid(key: "base", problem: "expected a mapping of run-config keys (as `tpsweep train`"
            + " reads), got \(SpecReader.describe(node))", at: reader.origin(node))
    }

    private static func parameters(_ node: Node, reader: SpecReader) throws -> [SearchParameter] {
        if case .null? = ConfigValue(node: node) { return [] }
        guard case .mapping(let pairs) = node else {
            throw SweepError.invalid(key: "parameters", problem: "expected a mapping of run-config keys to values or"
                + " distributions, got \(SpecReader.describe(node))", at: reader.origin(node))
        }
        return try pairs.map { keyNode, value in
            let key = try reader.string(keyNode, at: "parameters", expected: "a dotted run-config key")
            return try SearchParameter(key: key, keyNode: keyNode, value: value, reader: reader)
        }
    }

    /// `seeds: n` means 0 ..< n; a list gives the seeds themselves, each once.
    private static func seeds(_ node: Node, reader: SpecReader) throws -> [Int] {
        if case .sequence = node {
            let items = try reader.list(node, at: "seeds", expected: "a count or a list of seeds")
            var seeds: [Int] = []
            for item in items {
                let seed = try reader.int(item, at: "seeds", min: 0)
                guard !seeds.contains(seed) else {
                    throw SweepError.invalid(key: "seeds", problem: "lists seed \(seed) twice", at: reader.origin(item))
                }
                seeds.append(seed)
            }
            guard !seeds.isEmpty else {
                throw SweepError.invalid(key: "seeds", problem: "expected at least one seed", at: reader.origin(node))
            }
            return seeds
        }
        let count = try reader.int(node, at: "seeds", min: 1)
        guard count <= maxTrials else {
            throw ConfigError.outOfRange(key: "seeds", value: String(count), expected: "at most \(maxTrials) seeds",
                                         at: reader.origin(node))
        }
        return Array(0..<count)
    }

    /// Each condition must test another parameter of finite values and name only values it takes;
    /// conditions may chain (A when B, B when C) but not loop. Returns each parameter's condition
    /// targets and an order in which targets come before the parameters testing them.
    private static func checkConditions(_ parameters: [SearchParameter]) throws -> ([[Int]], [Int]) {
        let keys = parameters.map(\.key)
        let targets: [[Int]] = try parameters.map { parameter in
            try parameter.conditions.map { condition in
                let path = "parameters.\(parameter.key).when.\(condition.key)"
                guard let target = keys.firstIndex(of: condition.key), condition.key != parameter.key else {
                    let others = keys.filter { $0 != parameter.key }
                    let hint = SpecReader.closest(to: condition.key, among: others).map { "did you mean '\($0)'?" }
                        ?? "parameters here: " + (others.isEmpty ? "none" : others.joined(separator: ", "))
                    throw SweepError.invalid(key: path, problem: "conditions test another parameter of this spec;"
                        + " '\(condition.key)' is not one (\(hint))", at: condition.origin)
                }
                let tested = parameters[target].distribution
                guard let values = tested.values else {
                    throw SweepError.invalid(key: path, problem: "conditions test grid, choice or fixed parameters;"
                        + " '\(condition.key)' is \(tested.kindName)", at: condition.origin)
                }
                if let stray = condition.allowed.first(where: { !values.contains($0) }) {
                    throw SweepError.invalid(key: path, problem: "\(stray) is not a value of parameter"
                        + " \(condition.key); expected some of: \(values.map(\.description).joined(separator: ", "))",
                        at: condition.origin)
                }
                return target
            }
        }
        // Depth-first topological order; a parameter met again while still open closes a loop.
        var order: [Int] = []
        var state = [Int](repeating: 0, count: parameters.count)  // 0 new, 1 open, 2 done
        func visit(_ i: Int, path: [Int]) throws {
            if state[i] == 2 { return }
            if state[i] == 1 {
                let loop = (path.drop { $0 != i } + [i]).map { keys[$0] }.joined(separator: " → ")
                throw SweepError.invalid(key: "parameters.\(keys[i]).when", problem: "conditions loop: \(loop)",
                                         at: parameters[i].origin)
            }
            state[i] = 1
            for target in targets[i] { try visit(target, path: path + [i]) }
            state[i] = 2
            order.append(i)
        }
        for i in parameters.indices { try visit(i, path: []) }
        return (targets, order)
    }

    /// Grid search takes no sampled parameter; random and Sobol need one, and Sobol has direction
    /// numbers for `SobolSequence.maxDimensions` of them.
    private static func checkSampler(_ sampler: SamplerSpec, parameters: [SearchParameter], node: Node?,
                                     reader: SpecReader) throws {
        let sampled = parameters.filter(\.distribution.isSampled)
        let origin = node.map(reader.origin) ?? .file(reader.source, line: nil, column: nil)
        switch sampler.kind {
        case .grid:
            if let first = sampled.first {
                throw SweepError.invalid(key: "parameters.\(first.key)", problem: "\(first.distribution.kindName)"
                    + " values are drawn by a sampler, but the sampler is grid; set sampler: {kind: random or sobol,"
                    + " samples: N}", at: first.origin)
            }
        case .random, .sobol:
            guard !sampled.isEmpty else {
                throw SweepError.invalid(key: "sampler.kind", problem: "\(sampler.kind.rawValue) draws sampled parameters"
                    + " (choice, uniform, loguniform, quniform, randint), but there are none; use kind grid", at: origin)
            }
            if sampler.kind == .sobol && sampled.count > SobolSequence.maxDimensions {
                throw SweepError.invalid(key: "sampler.kind", problem: "sobol supports up to"
                    + " \(SobolSequence.maxDimensions) sampled parameters, got \(sampled.count); use kind random",
                    at: origin)
            }
        }
    }

    /// Refuses plans beyond `maxTrials` before building any of them.
    private func checkSize(at origin: ConfigOrigin) throws {
        var total = seeds.count
        var overflow = false
        for factor in parameters.compactMap({ parameter -> Int? in
            if case .grid(let values) = parameter.distribution { return values.count }
            return nil
        }) + [sampler.samples] {
            (total, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow || total > Self.maxTrials { break }
        }
        if overflow || total > Self.maxTrials {
            throw SweepError.invalid(key: "parameters", problem: "grid × samples × seeds exceeds"
                + " \(Self.maxTrials) trials; shrink the grid or the samples", at: origin)
        }
    }
}
