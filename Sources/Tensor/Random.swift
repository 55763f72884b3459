// TEMPORARY stub, replaced by helper-vec's Random.swift at merge.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var s: UInt64
    public init(seed: UInt64) { s = seed &+ 0x9E37_79B9_7F4A_7C15 }
    public mutating func next() -> UInt64 { s &+= 0x9E37_79B9_7F4A_7C15; var z = s; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB; return z ^ (z >> 31) }
    public mutating func fork(stream: UInt64) -> SeededGenerator { SeededGenerator(seed: next() ^ stream) }
}
public func fillNormal<T: Scalar>(_ x: MatRef<T>, mean: T = 0, std: T = 1, using g: inout SeededGenerator) {
    for i in 0..<x.count { let u1 = Double.random(in: Double.ulpOfOne..<1, using: &g), u2 = Double.random(in: 0..<1, using: &g); x.base[i] = mean + std * T((-2 * Double.log(u1)).squareRoot() * Double.cos(2 * .pi * u2)) }
}
