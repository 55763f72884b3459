import Yams

/// How the sampled parameters get their values (spec: `sampler:`; absent means grid).
public struct SamplerSpec: Sendable, Equatable {
    public enum Kind: String, CaseIterable, Sendable {
        /// Grid and fixed parameters only; a sampled parameter is an error.
        case grid
        /// Independent uniform draws, seeded by the sweep seed.
        case random
        /// A Sobol sequence: draws that fill the space more evenly than random ones.
        case sobol
    }

    public var kind: Kind
    /// Draws per grid point. For Sobol, a power of two keeps each grid point's block of the
    /// sequence a balanced net.
    public var samples: Int
    /// Sobol only: a random digital shift seeded by the sweep seed (default true). The plain
    /// sequence ignores the seed and starts at the corner (all lower bounds).
    public var scramble: Bool

    public init(kind: Kind, samples: Int = 1, scramble: Bool = true) {
        self.kind = kind
        self.samples = samples
        self.scramble = scramble
    }

    /// The unit-cube sampler for `dimensions` sampled parameters; nil for grid search.
    func unitCubeSampler(dimensions: Int, seed: Int) -> (any UnitCubeSampler)? {
        switch kind {
        case .grid: return nil
        case .random: return RandomSampler(dimensions: dimensions, seed: UInt64(seed))
        case .sobol: return SobolSequence(dimensions: dimensions, shiftSeed: scramble ? UInt64(seed) : nil)
        }
    }

    var canonicalText: String {
        "\(kind.rawValue) samples=\(samples)" + (kind == .sobol ? " scramble=\(scramble)" : "")
    }

    init(node: Node, reader: SpecReader) throws {
        let mapping = try reader.mapping(node, at: "sampler", known: ["kind", "samples", "scramble"])
        let kinds = Kind.allCases.map(\.rawValue)
        let kindNode = try reader.required("kind", in: mapping, expected: "one of: " + kinds.joined(separator: ", "))
        self.init(kind: Kind(rawValue: try reader.choice(kindNode, at: "sampler.kind", allowed: kinds))!)
        if let node = mapping["samples"] {
            samples = try reader.int(node, at: "sampler.samples", min: 1)
            if kind == .grid && samples != 1 {
                throw SweepError.invalid(key: "sampler.samples", problem: "a grid has no draws; expected 1 or no"
                    + " samples with kind grid, got \(samples)", at: reader.origin(node))
            }
        }
        if let node = mapping["scramble"] {
            guard kind == .sobol else {
                throw SweepError.invalid(key: "sampler.scramble", problem: "applies to kind sobol only",
                                         at: reader.origin(mapping.entries.first { $0.name == "scramble" }!.keyNode))
            }
            scramble = try reader.bool(node, at: "sampler.scramble")
        }
    }
}
