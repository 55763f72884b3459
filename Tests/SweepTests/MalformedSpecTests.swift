import Foundation
import XCTest
@testable import Sweep

/// Each file in MalformedSpecs/ starts with `# expect: <message fragment>` and marks the line the
/// error must point at with `#!`. The message must name that file:line and contain the fragment
/// (which names the key and what was expected).
final class MalformedSpecTests: XCTestCase {
    private let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("MalformedSpecs")

    func testEveryMalformedSpecIsRejectedWithPlaceKeyAndExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 15)
        for file in files {
            let path = directory.appendingPathComponent(file).path
            let lines = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
            guard let expect = lines.first?.split(separator: ":", maxSplits: 1).last?
                    .trimmingCharacters(in: .whitespaces),
                  let line = lines.firstIndex(where: { $0.hasSuffix("#!") }).map({ $0 + 1 }) else {
                XCTFail("\(file): needs '# expect: …' and a '#!' line")
                continue
            }
            do {
                let spec = try SweepSpec.load(path: path)
                _ = try spec.plan()
                XCTFail("\(file): accepted")
            } catch {
                let message = "\(error)"
                XCTAssertTrue(message.contains("\(path):\(line):"), "\(file): wrong place in: \(message)")
                XCTAssertTrue(message.contains(expect), "\(file): expected '\(expect)' in: \(message)")
            }
        }
    }

    /// Every prefix of a full spec, and every spec with one character replaced by a YAML
    /// indicator, either loads or is rejected with an error; none traps.
    func testMangledSpecsNeverTrap() throws {
        let full = """
            name: demo
            seed: 0
            base:
              epochs: 3
              data: {train_subset: 1000, validation_size: 100}
            parameters:
              method: {grid: [bp, ddtp-linear, drl]}
              optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}
              tp.sigma: {uniform: [0.01, 0.2], when: {method: [drl, ddtp-linear]}}
              batch_size: {choice: [64, 128]}
              model.hidden: {value: [256, 256]}
              tp.epochs_fb: {randint: [0, 6]}
              tp.beta: {quniform: [0.01, 0.5, 0.01]}
            sampler: {kind: sobol, samples: 2}
            seeds: [0, 1]
            scheduler: {kind: asha, metric: validation_accuracy, mode: max, grace_epochs: 1, reduction_factor: 3, max_epochs: 9}
            snapshots: {epochs: [1, 5], every: 0, best: true, final: true}
            """
        XCTAssertEqual(try SweepSpec(yaml: full, source: "full.yaml").plan().count, 3 * 2 * 2)
        let characters = Array(full)
        var accepted = 0, rejected = 0
        func attempt(_ text: String) {
            do {
                _ = try SweepSpec(yaml: text, source: "mangled.yaml").plan()
                accepted += 1
            } catch {
                XCTAssertFalse("\(error)".isEmpty)
                rejected += 1
            }
        }
        for end in stride(from: 0, through: characters.count, by: 3) { attempt(String(characters[..<end])) }
        let indicators: [Character] = [":", "[", "-", "{", "0", "'", "#", "&"]
        for i in stride(from: 0, to: characters.count, by: 7) {
            var mangled = characters
            mangled[i] = indicators[(i / 7) % indicators.count]
            attempt(String(mangled))
        }
        XCTAssertGreaterThan(accepted, 0)
        XCTAssertGreaterThan(rejected, 0)
    }
}
