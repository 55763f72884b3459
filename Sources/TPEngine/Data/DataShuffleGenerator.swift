#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The data module's own deterministic random numbers: splitmix64 (Steele, Lea & Flood 2014).
///
/// Splits and generated datasets must be identical on every machine and toolchain, so integers in
/// a range, unit doubles and normals are derived here explicitly instead of through the standard
/// library's `random(in:using:)`, whose algorithm is not promised to stay fixed. Tensor's
/// `SeededGenerator` can take this role once it exists; until then the data code stays self-contained.
struct DataShuffleGenerator {
    private var state: UInt64

    /// The stream of each use in the data code. Fixed numbers: changing one changes stored results.
    enum Stream {
        static let validationSplit: UInt64 = 1
        static let teacherWeights: UInt64 = 2
        static let trainInputs: UInt64 = 3
        static let trainNoise: UInt64 = 4
        static let testInputs: UInt64 = 5
        static let testNoise: UInt64 = 6
    }

    /// `stream` separates independent uses of one seed (teacher weights, training inputs, …), so
    /// changing how many numbers one use draws does not change the others.
    init(seed: UInt64, stream: UInt64 = 0) {
        state = seed
        state = next() ^ (stream &* 0xD1B5_4A32_D192_ED03)
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound, without modulo bias (Lemire's multiply-and-reject).
    mutating func next(below bound: Int) -> Int {
        precondition(bound > 0)
        let n = UInt64(bound)
        let threshold = (0 &- n) % n
        while true {
            let (high, low) = next().multipliedFullWidth(by: n)
            if low >= threshold { return Int(high) }
        }
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Two independent standard normals (Box–Muller); 1 − u keeps the logarithm finite.
    mutating func nextNormalPair() -> (Double, Double) {
        let radius = (-2 * log(1 - nextUnit())).squareRoot()
        let angle = 2 * Double.pi * nextUnit()
        return (radius * cos(angle), radius * sin(angle))
    }

    /// Fills `count` values at `p` with N(0, std²) samples.
    mutating func fillNormal(_ p: UnsafeMutablePointer<Double>, count: Int, std: Double) {
        var i = 0
        while i < count {
            let (a, b) = nextNormalPair()
            p[i] = std * a
            if i + 1 < count { p[i + 1] = std * b }
            i += 2
        }
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates).
    mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        for i in stride(from: count - 1, to: 0, by: -1) {
            order.swapAt(i, next(below: i + 1))
        }
        return order
    }
}
