/// SplitMix64 (Steele, Lea & Flood 2014): a tiny seeded generator whose outputs are the same on every
/// platform. The sweep draws few numbers (a handful per trial), so quality beyond SplitMix's is not
/// needed, and its `mix` finaliser turns (seed, index) pairs into independent-looking seeds.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        return Self.mix(state)
    }

    /// A uniform double in [0, 1) from the top 53 bits.
    mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// SplitMix64's output function: a bijection that scatters nearby inputs across all 64 bits.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
