/// Independent uniform points: point n comes from its own generator, seeded by mixing the sweep
/// seed with n, so it does not depend on which points were drawn before it.
struct RandomSampler: UnitCubeSampler {
    let dimensions: Int
    private let seedBase: UInt64

    init(dimensions: Int, seed: UInt64) {
        self.dimensions = dimensions
        seedBase = SplitMix64.mix(seed)
    }

    func point(_ index: Int) -> [Double] {
        var generator = SplitMix64(seed: SplitMix64.mix(seedBase &+ SplitMix64.mix(UInt64(index))))
        return (0..<dimensions).map { _ in generator.nextUnit() }
    }
}
