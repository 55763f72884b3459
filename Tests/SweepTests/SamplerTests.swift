import Foundation
import TPConfig
import XCTest
@testable import Sweep

final class SamplerTests: XCTestCase {
    func testPlainSobolStartsWithTheKnownSequence() {
        let sobol = SobolSequence(dimensions: 3, shiftSeed: nil)
        let expected: [[Double]] = [[0, 0, 0], [0.5, 0.5, 0.5], [0.75, 0.25, 0.25], [0.25, 0.75, 0.75],
                                    [0.375, 0.375, 0.625], [0.875, 0.875, 0.125], [0.625, 0.125, 0.875],
                                    [0.125, 0.625, 0.375]]
        XCTAssertEqual((0..<8).map(sobol.point), expected)
    }

    /// Points deep in the sequence exercise every direction number of all 40 dimensions; the
    /// reference values come from an independent implementation (SciPy's `qmc.Sobol`, unscrambled,
    /// also Joe & Kuo's numbers) and are exact binary fractions.
    func testPlainSobolMatchesAReferenceImplementationInEveryDimension() {
        let reference: [Int: [Double]] = [
            7: [0.125, 0.625, 0.375, 0.125, 0.125, 0.375, 0.625, 0.625, 0.625, 0.875, 0.625, 0.125, 0.625, 0.375, 0.125, 0.125, 0.125, 0.125, 0.625, 0.875, 0.875, 0.375, 0.625, 0.125, 0.125, 0.625, 0.625, 0.875, 0.875, 0.375, 0.625, 0.875, 0.125, 0.625, 0.875, 0.875, 0.375, 0.125, 0.625, 0.125],
            1000: [0.2197265625, 0.0966796875, 0.5185546875, 0.6767578125, 0.2802734375, 0.9072265625, 0.0458984375, 0.8994140625, 0.5009765625, 0.0693359375, 0.0849609375, 0.2548828125, 0.1611328125, 0.3837890625, 0.1435546875, 0.3701171875, 0.7197265625, 0.3447265625, 0.9912109375, 0.7255859375, 0.5224609375, 0.5498046875, 0.9501953125, 0.5400390625, 0.5830078125, 0.9072265625, 0.0400390625, 0.9794921875, 0.0595703125, 0.3408203125, 0.1474609375, 0.1455078125, 0.2958984375, 0.5927734375, 0.8017578125, 0.7705078125, 0.8486328125, 0.8310546875, 0.3076171875, 0.4794921875],
            123456: [0.02649688720703125, 0.18274688720703125, 0.30725860595703125, 0.45030975341796875, 0.16918182373046875, 0.20325469970703125, 0.7158279418945312, 0.46405792236328125, 0.7064590454101562, 0.24906158447265625, 0.49910736083984375, 0.7811813354492188, 0.5519790649414062, 0.28044891357421875, 0.7633438110351562, 0.6613693237304688, 0.5713119506835938, 0.37165069580078125, 0.8820114135742188, 0.15715789794921875, 0.11809539794921875, 0.6029281616210938, 0.46646881103515625, 0.49695587158203125, 0.7451248168945312, 0.5244522094726562, 0.8618545532226562, 0.44878387451171875, 0.7334213256835938, 0.32524871826171875, 0.6743240356445312, 0.07570648193359375, 0.26309967041015625, 0.05896759033203125, 0.01259613037109375, 0.40224456787109375, 0.18865203857421875, 0.46765899658203125, 0.22205352783203125, 0.37097930908203125],
        ]
        let sobol = SobolSequence(dimensions: 40, shiftSeed: nil)
        for (index, expected) in reference {
            XCTAssertEqual(sobol.point(index), expected, "point \(index)")
        }
    }

    /// The first 2^m points of every dimension hit each interval [k/2^m, (k+1)/2^m) once, with or
    /// without the digital shift: the property that makes Sobol points fill space evenly.
    func testSobolStratifiesEveryDimension() {
        for shift in [nil, UInt64(7)] as [UInt64?] {
            let sobol = SobolSequence(dimensions: SobolSequence.maxDimensions, shiftSeed: shift)
            let points = (0..<256).map(sobol.point)
            for d in 0..<SobolSequence.maxDimensions {
                let cells = Set(points.map { Int($0[d] * 256) })
                XCTAssertEqual(cells.count, 256, "dimension \(d), shift \(String(describing: shift))")
            }
        }
        XCTAssertGreaterThanOrEqual(SobolSequence.maxDimensions, 20)
    }

    /// Dimensions 1 and 2 form a (0, m, 2)-net: 16 points, one in each cell of a 4 × 4 grid (and of
    /// the 2 × 8 and 8 × 2 grids).
    func testSobolFirstTwoDimensionsFormANet() {
        let sobol = SobolSequence(dimensions: 2, shiftSeed: 3)
        let points = (0..<16).map(sobol.point)
        for (nx, ny) in [(4, 4), (2, 8), (8, 2), (16, 1), (1, 16)] {
            let cells = Set(points.map { Int($0[0] * Double(nx)) * ny + Int($0[1] * Double(ny)) })
            XCTAssertEqual(cells.count, 16, "\(nx) × \(ny)")
        }
    }

    func testSobolHasLowerDiscrepancyThanRandom() {
        for dimensions in [2, 5] {
            let n = 256
            let sobol = SobolSequence(dimensions: dimensions, shiftSeed: 11)
            let random = RandomSampler(dimensions: dimensions, seed: 11)
            let sobolD = starDiscrepancy((0..<n).map(sobol.point))
            let randomD = starDiscrepancy((0..<n).map(random.point))
            XCTAssertLessThan(sobolD * 2, randomD, "d = \(dimensions): Sobol \(sobolD), random \(randomD)")
        }
    }

    func testRandomSamplerIsDeterministicPerIndexAndSeed() {
        let a = RandomSampler(dimensions: 4, seed: 1)
        XCTAssertEqual(a.point(17), RandomSampler(dimensions: 4, seed: 1).point(17))
        XCTAssertNotEqual(a.point(17), a.point(18))
        XCTAssertNotEqual(a.point(17), RandomSampler(dimensions: 4, seed: 2).point(17))
        let mean = (0..<2000).flatMap(a.point).reduce(0, +) / 8000
        XCTAssertEqual(mean, 0.5, accuracy: 0.02)
    }

    func testSpecDrawsAreDeterministicGivenTheSeedAndDifferAcrossSeeds() throws {
        for kind in ["random", "sobol"] {
            func draws(seed: Int) throws -> [[Trial.Parameter]] {
                try SweepSpec(yaml: """
                    name: draws
                    seed: \(seed)
                    parameters:
                      optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}
                      tp.beta: {uniform: [0.01, 0.5]}
                    sampler: {kind: \(kind), samples: 8}
                    """, source: "draws.yaml").plan().map(\.parameters)
            }
            XCTAssertEqual(try draws(seed: 0), try draws(seed: 0), kind)
            XCTAssertNotEqual(try draws(seed: 0), try draws(seed: 1), kind)
            XCTAssertEqual(Set(try draws(seed: 0).map { $0.map(\.value.description) }).count, 8, kind)
        }
        // The plain sequence ignores the seed and starts at the lower bounds.
        let plain = try SweepSpec(yaml: """
            name: plain
            parameters: {tp.beta: {uniform: [0.1, 0.5]}}
            sampler: {kind: sobol, samples: 4, scramble: false}
            """, source: "plain.yaml").plan().map { $0.parameters[0].value }
        XCTAssertEqual(plain, [0, 0.5, 0.75, 0.25].map { ConfigValue.double(0.1 + $0 * (0.5 - 0.1)) })
    }

    // MARK: - Distributions

    func testContinuousDistributionsStayInBounds() {
        let random = RandomSampler(dimensions: 1, seed: 5)
        let us = (0..<4000).map { random.point($0)[0] } + [0, 0.999_999_999_999]
        for distribution in [Distribution.uniform(low: -1, high: 3), .logUniform(low: 1e-5, high: 1e-2),
                             .quantizedUniform(low: 0.01, high: 0.5, step: 0.01)] {
            for u in us {
                guard case .double(let x) = distribution.value(at: u) else { return XCTFail("\(distribution)") }
                switch distribution {
                case let .uniform(low, high), let .logUniform(low, high), let .quantizedUniform(low, high, _):
                    XCTAssert(x >= low && x <= high, "\(distribution) gave \(x) at \(u)")
                default: XCTFail()
                }
            }
        }
    }

    func testLogUniformIsUniformInLogSpace() {
        let random = RandomSampler(dimensions: 1, seed: 9)
        var decades = [0, 0, 0]  // [1e-5, 1e-4), [1e-4, 1e-3), [1e-3, 1e-2]
        for i in 0..<6000 {
            guard case .double(let x) = Distribution.logUniform(low: 1e-5, high: 1e-2).value(at: random.point(i)[0])
            else { return XCTFail() }
            decades[min(2, Int((log10(x) + 5).rounded(.down)))] += 1
        }
        for count in decades { XCTAssertEqual(Double(count) / 6000, 1.0 / 3, accuracy: 0.03, "\(decades)") }
    }

    func testQuantizedUniformLandsOnItsGrid() {
        let distribution = Distribution.quantizedUniform(low: 0.01, high: 0.5, step: 0.01)
        var seen = Set<Double>()
        for i in 0..<5000 {
            guard case .double(let x) = distribution.value(at: Double(i) / 5000) else { return XCTFail() }
            let k = (x - 0.01) / 0.01
            XCTAssertEqual(k, k.rounded(), accuracy: 1e-9, "\(x)")
            // Written as its decimal: 0.04, not 0.04000000000000001.
            XCTAssertEqual(x, Double(String(format: "%.2f", x))!, "\(x)")
            seen.insert(x)
        }
        XCTAssertEqual(seen.count, 50)  // 0.01, 0.02, …, 0.50, each reachable
        XCTAssertEqual(seen.max(), 0.5)
    }

    func testRandomIntIsHalfOpenAndCoversItsRange() {
        let random = RandomSampler(dimensions: 1, seed: 2)
        let values = (0..<3000).map { Distribution.randomInt(low: 0, high: 6).value(at: random.point($0)[0]) }
        XCTAssertEqual(Set(values), Set((0..<6).map(ConfigValue.int)))
        XCTAssertEqual(Distribution.randomInt(low: 0, high: 6).value(at: 0.999_999_999_999), 5)
        XCTAssertEqual(Distribution.randomInt(low: 0, high: 6).value(at: 0), 0)
    }

    func testChoiceCoversItsValuesEvenly() {
        let values: [ConfigValue] = [64, 128, 256]
        let draws = (0..<3000).map { Distribution.choice(values).value(at: (Double($0) + 0.5) / 3000) }
        for value in values { XCTAssertEqual(draws.filter { $0 == value }.count, 1000) }
    }

    /// The largest gap between the fraction of points in an anchored box [0, t) and its volume, over
    /// boxes whose corners are the points' own coordinates and 1 (a standard proxy for D*).
    private func starDiscrepancy(_ points: [[Double]]) -> Double {
        let dimensions = points[0].count
        var corners = points.map { $0.map { min($0 + 1e-12, 1) } }
        var generator = SplitMix64(seed: 99)
        corners += (0..<500).map { _ in (0..<dimensions).map { _ in generator.nextUnit() } }
        var worst = 0.0
        for corner in corners {
            let volume = corner.reduce(1, *)
            let inside = points.filter { point in zip(point, corner).allSatisfy { $0 < $1 } }.count
            worst = max(worst, abs(Double(inside) / Double(points.count) - volume))
        }
        return worst
    }
}
