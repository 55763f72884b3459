import Foundation
import TPConfig
import XCTest
@testable import Sweep

final class SpecPlanTests: XCTestCase {
    func testGridIsACartesianProductInSpecOrderWithSeedsInnermost() throws {
        let spec = try SweepSpec(yaml: """
            name: grid
            base: {epochs: 3, data: {train_subset: 1000, validation_size: 100}}
            parameters:
              method: {grid: [bp, drl]}
              batch_size: {grid: [64, 128, 256]}
              model.hidden: {value: [32, 32]}
            seeds: 2
            """, source: "grid.yaml")
        let trials = try spec.plan()
        XCTAssertEqual(trials.count, 2 * 3 * 2)
        XCTAssertEqual(trials.map(\.index), Array(0..<12))
        let expected: [(String, Int, Int)] = [("bp", 64, 0), ("bp", 64, 1), ("bp", 128, 0), ("bp", 128, 1),
                                              ("bp", 256, 0), ("bp", 256, 1), ("drl", 64, 0), ("drl", 64, 1),
                                              ("drl", 128, 0), ("drl", 128, 1), ("drl", 256, 0), ("drl", 256, 1)]
        for (trial, (method, batch, seed)) in zip(trials, expected) {
            XCTAssertEqual(trial.parameters, [.init(key: "method", value: .string(method)),
                                              .init(key: "batch_size", value: .int(batch)),
                                              .init(key: "model.hidden", value: [32, 32])])
            XCTAssertEqual(trial.seed, seed)
            XCTAssertEqual(trial.config.method.rawValue, method)
            XCTAssertEqual(trial.config.batchSize, batch)
            XCTAssertEqual(trial.config.seed, seed)
            XCTAssertEqual(trial.config.model.hidden, [32, 32])
            XCTAssertEqual(trial.config.epochs, 3)
            XCTAssertEqual(trial.config.data.trainSubset, 1000)
        }
    }

    func testSeedsListAndDefaults() throws {
        let listed = try SweepSpec(yaml: "name: s\nparameters: {batch_size: {grid: [64, 128]}}\nseeds: [7, 3]\n",
                                   source: "s.yaml")
        XCTAssertEqual(try listed.plan().map(\.seed), [7, 3, 7, 3])
        XCTAssertEqual(try listed.plan().map(\.config.seed), [7, 3, 7, 3])
        // Without `seeds`, the base's seed (else 0) is the one run seed.
        XCTAssertEqual(try SweepSpec(yaml: "name: s\nbase: {seed: 5}\n", source: "s.yaml").plan().map(\.seed), [5])
        XCTAssertEqual(try SweepSpec(yaml: "name: s\n", source: "s.yaml").plan().map(\.seed), [0])
    }

    func testMethodDefaultsFollowTheMethodParameter() throws {
        let spec = try SweepSpec(yaml: """
            name: defaults
            base: {fb_optimizer: {lr: 0.001}}
            parameters:
              method: {grid: [bp, drl, ddtp-linear]}
            """, source: "d.yaml")
        let configs = try spec.plan().map(\.config)
        for (config, method) in zip(configs, [Method.bp, .drl, .ddtpLinear]) {
            var expected = RunConfig.defaults(for: method)
            expected.fbOptimizer.lr = 0.001
            XCTAssertEqual(config, expected, "\(method)")
        }
    }

    func testConditionsLeaveInapplicableParametersOut() throws {
        let spec = try SweepSpec(yaml: """
            name: cond
            parameters:
              method: {grid: [bp, drl, ddtp-linear]}
              tp.sigma: {uniform: [0.01, 0.2], when: {method: [drl, ddtp-linear]}}
              tp.epochs_fb: {grid: [0, 2], when: {method: drl}}
            sampler: {kind: random, samples: 2}
            """, source: "c.yaml")
        let trials = try spec.plan()
        let bp = trials.filter { $0.config.method == .bp }
        // The sigma draws and the epochs_fb axis do not apply to bp: its 2 × 2 combinations are one trial.
        XCTAssertEqual(bp.count, 1)
        XCTAssertEqual(bp[0].parameters.map(\.key), ["method"])
        XCTAssertEqual(bp[0].config.tp, RunConfig.defaults(for: .bp).tp)
        let drl = trials.filter { $0.config.method == .drl }
        XCTAssertEqual(drl.count, 4)
        XCTAssertTrue(drl.allSatisfy { $0.parameters.map(\.key) == ["method", "tp.sigma", "tp.epochs_fb"] })
        // The epochs_fb axis does not apply to ddtp-linear, but each of its grid points still draws σ.
        let ddtp = trials.filter { $0.config.method == .ddtpLinear }
        XCTAssertEqual(ddtp.count, 4)
        XCTAssertTrue(ddtp.allSatisfy { $0.parameters.map(\.key) == ["method", "tp.sigma"] })
        for trial in drl + ddtp {
            guard case .double(let sigma) = trial.parameters[1].value else { return XCTFail("\(trial.label)") }
            XCTAssertEqual(trial.config.tp.sigma, sigma)
            XCTAssert((0.01..<0.2).contains(sigma))
        }
    }

    func testConditionsChain() throws {
        let spec = try SweepSpec(yaml: """
            name: chain
            parameters:
              fb_optimizer.momentum: {grid: [0.0, 0.9], when: {fb_optimizer.kind: [sgd]}}
              fb_optimizer.kind: {grid: [adam, sgd], when: {method: [drl]}}
              method: {grid: [bp, drl]}
            """, source: "chain.yaml")
        let labels = try spec.plan().map(\.label)
        XCTAssertEqual(labels, [
            "method=bp seed=0",
            "fb_optimizer.kind=adam method=drl seed=0",
            "fb_optimizer.momentum=0.0 fb_optimizer.kind=sgd method=drl seed=0",
            "fb_optimizer.momentum=0.9 fb_optimizer.kind=sgd method=drl seed=0",
        ])
    }

    func testASHAMaxEpochsReplacesEpochsAndSaysSo() throws {
        let spec = try SweepSpec(yaml: """
            name: asha
            base: {epochs: 3}
            parameters: {batch_size: {grid: [64, 128]}}
            scheduler: {kind: asha, metric: validation_loss, max_epochs: 9}
            """, source: "asha.yaml")
        XCTAssertTrue(try spec.plan().allSatisfy { $0.config.epochs == 9 })
        XCTAssertEqual(spec.notes.count, 1)
        XCTAssertTrue(spec.notes[0].contains("replacing base epochs = 3 (asha.yaml:2:"), spec.notes[0])
        guard case .asha(let settings) = spec.scheduler else { return XCTFail("not asha") }
        XCTAssertEqual(settings, ASHASettings(metric: .validationLoss, mode: .min, graceEpochs: 1,
                                              reductionFactor: 3, maxEpochs: 9))
        XCTAssertTrue(spec.scheduler.makeScheduler() is ASHAScheduler)
    }

    func testATrialWhoseConfigIsInvalidIsNamed() throws {
        let spec = try SweepSpec(yaml: """
            name: bad
            parameters:
              method: {grid: [bp, drl]}
              tp.sigma: {grid: [0.0, 0.1]}
            """, source: "bad.yaml")
        XCTAssertThrowsError(try spec.plan()) { error in
            let message = "\(error)"
            // bp accepts σ = 0; drl divides by σ², so its first trial fails and says where σ came from.
            XCTAssertTrue(message.hasPrefix("trial 2 (method=drl tp.sigma=0.0 seed=0): "), message)
            XCTAssertTrue(message.contains("tp.sigma = 0.0 (bad.yaml:4:"), message)
        }
    }

    func testTrialsRoundTripThroughJSON() throws {
        let spec = try SweepSpec(yaml: """
            name: json
            parameters:
              method: {grid: [bp, drl]}
              optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}
              tp.beta: {quniform: [0.01, 0.5, 0.01]}
              model.hidden: {choice: [[64], [64, 64]]}
              data.dir: {value: "odd: dir\\n"}
            sampler: {kind: sobol, samples: 4}
            """, source: "json.yaml")
        let trials = try spec.plan()
        let decoded = try JSONDecoder().decode([Trial].self, from: JSONEncoder().encode(trials))
        XCTAssertEqual(decoded, trials)
    }

    func testSpecsLoadFromFilesAndMissingFilesAreReported() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-\(UUID()).yaml").path
        try "name: file\nparameters: {batch_size: {grid: [1, 2]}}\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(try SweepSpec.load(path: path).plan().count, 2)
        XCTAssertThrowsError(try SweepSpec.load(path: path + ".missing")) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
    }

    func testSnapshotPolicy() throws {
        let spec = try SweepSpec(yaml: "name: s\nsnapshots: {epochs: [1, 5], every: 3, best: true}\n", source: "s.yaml")
        XCTAssertEqual(spec.snapshots, SnapshotPolicy(epochs: [1, 5], every: 3, best: true, final: true))
        XCTAssertEqual((1...10).filter(spec.snapshots.keepsEpoch), [1, 3, 5, 6, 9])
        XCTAssertEqual((1...10).filter(SnapshotPolicy().keepsEpoch), [])
        let decoded = try JSONDecoder().decode(SnapshotPolicy.self, from: JSONEncoder().encode(spec.snapshots))
        XCTAssertEqual(decoded, spec.snapshots)
    }
}
