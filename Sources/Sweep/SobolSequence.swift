/// The Sobol sequence (Sobol 1967) in base 2 with the direction numbers of Joe & Kuo (2008,
/// "new-joe-kuo-6.21201", search criterion D(6)), by index: point n is the XOR of the direction
/// numbers picked by the bits of n's Gray code, so any point is computed alone, in O(32·d).
///
/// Plain, the sequence starts 0, ½, ¾/¼, … in every dimension and its first 2^m points put exactly
/// one point in each interval [k/2^m, (k+1)/2^m) of every coordinate. The optional digital shift
/// (an XOR with one random 32-bit word per dimension) keeps that structure while removing the
/// corner point 0 and the shared values across dimensions, and is what a seed changes.
struct SobolSequence: UnitCubeSampler {
    /// The dimensions with direction numbers below; a spec with more sampled parameters is refused.
    static let maxDimensions = 1 + primitivePolynomials.count

    let dimensions: Int
    /// directions[d][j] is v_(j+1) of dimension d, a 32-bit binary fraction.
    private let directions: [[UInt32]]
    private let shifts: [UInt32]

    /// `shiftSeed` nil: the plain sequence.
    init(dimensions: Int, shiftSeed: UInt64?) {
        precondition((0...Self.maxDimensions).contains(dimensions), "checked when the spec is read")
        self.dimensions = dimensions
        directions = (0..<dimensions).map(Self.directionNumbers(dimension:))
        if let shiftSeed {
            var generator = SplitMix64(seed: shiftSeed)
            shifts = (0..<dimensions).map { _ in UInt32(truncatingIfNeeded: generator.next() >> 32) }
        } else {
            shifts = Array(repeating: 0, count: dimensions)
        }
    }

    /// Point `index` (< 2³², far above the plan's trial limit).
    func point(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < 1 << 32, "Sobol index out of range")
        let gray = UInt64(index) ^ (UInt64(index) >> 1)
        return (0..<dimensions).map { d in
            var x = shifts[d]
            var bits = gray
            var j = 0
            while bits != 0 {
                if bits & 1 == 1 { x ^= directions[d][j] }
                bits >>= 1
                j += 1
            }
            return Double(x) * 0x1p-32
        }
    }

    /// v_1 … v_32 of `dimension` (0-based). The first dimension is the van der Corput sequence
    /// (all m_i = 1); the others extend their initial m_i by the recurrence of their primitive
    /// polynomial x^s + a_1 x^(s-1) + … + a_(s-1) x + 1 (Bratley & Fox 1988):
    /// v_i = v_(i-s) ⊕ (v_(i-s) >> s) ⊕ a_1 v_(i-1) ⊕ … ⊕ a_(s-1) v_(i-s+1).
    private static func directionNumbers(dimension: Int) -> [UInt32] {
        guard dimension > 0 else { return (1...32).map { UInt32(1) << (32 - $0) } }
        let (s, a, m) = primitivePolynomials[dimension - 1]
        var v = [UInt32](repeating: 0, count: 33)  // 1-based, as in the recurrence
        for i in 1...s { v[i] = m[i - 1] << (32 - i) }
        if s < 32 {
            for i in (s + 1)...32 {
                v[i] = v[i - s] ^ (v[i - s] >> s)
                for k in stride(from: 1, to: s, by: 1) where (a >> (s - 1 - k)) & 1 == 1 {
                    v[i] ^= v[i - k]
                }
            }
        }
        return Array(v[1...])
    }

    /// (degree s, coefficients a, initial m_1 … m_s) for dimensions 2, 3, …, from Joe & Kuo's table.
    private static let primitivePolynomials: [(s: Int, a: UInt32, m: [UInt32])] = [
        (1, 0, [1]),  // 2
        (2, 1, [1, 3]),  // 3
        (3, 1, [1, 3, 1]),  // 4
        (3, 2, [1, 1, 1]),  // 5
        (4, 1, [1, 1, 3, 3]),  // 6
        (4, 4, [1, 3, 5, 13]),  // 7
        (5, 2, [1, 1, 5, 5, 17]),  // 8
        (5, 4, [1, 1, 5, 5, 5]),  // 9
        (5, 7, [1, 1, 7, 11, 19]),  // 10
        (5, 11, [1, 1, 5, 1, 1]),  // 11
        (5, 13, [1, 1, 1, 3, 11]),  // 12
        (5, 14, [1, 3, 5, 5, 31]),  // 13
        (6, 1, [1, 3, 3, 9, 7, 49]),  // 14
        (6, 13, [1, 1, 1, 15, 21, 21]),  // 15
        (6, 16, [1, 3, 1, 13, 27, 49]),  // 16
        (6, 19, [1, 1, 1, 15, 7, 5]),  // 17
        (6, 22, [1, 3, 1, 15, 13, 25]),  // 18
        (6, 25, [1, 1, 5, 5, 19, 61]),  // 19
        (7, 1, [1, 3, 7, 11, 23, 15, 103]),  // 20
        (7, 4, [1, 3, 7, 13, 13, 15, 69]),  // 21
        (7, 7, [1, 1, 3, 13, 7, 35, 63]),  // 22
        (7, 8, [1, 3, 5, 9, 1, 25, 53]),  // 23
        (7, 14, [1, 3, 1, 13, 9, 35, 107]),  // 24
        (7, 19, [1, 3, 1, 5, 27, 61, 31]),  // 25
        (7, 21, [1, 1, 5, 11, 19, 41, 61]),  // 26
        (7, 28, [1, 3, 5, 3, 3, 13, 69]),  // 27
        (7, 31, [1, 1, 7, 13, 1, 19, 1]),  // 28
        (7, 32, [1, 3, 7, 5, 13, 19, 59]),  // 29
        (7, 37, [1, 1, 3, 9, 25, 29, 41]),  // 30
        (7, 41, [1, 3, 5, 13, 23, 1, 55]),  // 31
        (7, 42, [1, 3, 7, 3, 13, 59, 17]),  // 32
        (7, 50, [1, 3, 1, 3, 5, 53, 69]),  // 33
        (7, 55, [1, 1, 5, 5, 23, 33, 13]),  // 34
        (7, 56, [1, 1, 7, 7, 1, 61, 123]),  // 35
        (7, 59, [1, 1, 7, 9, 13, 61, 49]),  // 36
        (7, 62, [1, 3, 3, 5, 3, 55, 33]),  // 37
        (8, 14, [1, 3, 1, 15, 31, 13, 49, 245]),  // 38
        (8, 21, [1, 3, 5, 15, 31, 59, 63, 97]),  // 39
        (8, 22, [1, 3, 1, 11, 11, 11, 77, 249]),  // 40
    ]
}
