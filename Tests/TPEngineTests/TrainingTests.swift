import XCTest
@testable import TPEngine

/// Whole runs: real data, determinism, and the recorded end of runs that go wrong.
final class TrainingTests: XCTestCase {
    /// [M20]'s Fashion-MNIST hyperparameters, one epoch on a 10k-sample subset.
    func testShortFashionMNISTRunsLearn() throws {
        for method in [Method.bp, .ddtpLinear] {
            var config = RunConfig.defaults(for: method)
            config.epochs = 1
            config.data.trainSubset = 10_000
            let result = try train(config)
            XCTAssertEqual(result.status, .completed)
            XCTAssertGreaterThanOrEqual(result.testAccuracyAtBest ?? 0, 0.75, "\(method)")
        }
    }

    /// One epoch of a rule's defaults on a 10k-sample Fashion-MNIST subset; the test accuracy.
    func shortRun(_ method: Method, _ adjust: (inout RunConfig) -> Void = { _ in }) throws -> Double {
        var config = RunConfig.defaults(for: method)
        config.epochs = 1
        config.data.trainSubset = 10_000
        config.data.testSubset = 5_000
        adjust(&config)
        let result = try train(config)
        XCTAssertEqual(result.status, .completed, "\(method): \(result.message)")
        return result.testAccuracyAtBest ?? 0
    }

    /// Chance is 10 %.
    func testTPLearnsOnFashionMNIST() throws {
        XCTAssertGreaterThan(try shortRun(.tp), 0.4)
    }

    /// [M20]'s reference hyperparameters, pre-training included (6 feedback epochs).
    func testDDTPRHLLearnsOnFashionMNIST() throws {
        XCTAssertGreaterThan(try shortRun(.ddtpRHL), 0.6)
    }

    func tinyRegression(_ method: Method) -> RunConfig {
        var config = RunConfig.defaults(for: method)
        config.loss.kind = .mse
        config.data.dataset = .studentTeacher
        config.data.teacherWidths = [6, 20, 20, 2]
        config.data.teacherTrainSize = 300
        config.data.teacherTestSize = 100
        config.data.validationSize = 50
        config.model.hidden = [8, 8]
        config.batchSize = 32
        config.epochs = 3
        config.tp.epochsFb = 1
        return config
    }

    func testSameConfigAndSeedGiveIdenticalMetrics() throws {
        for method in Method.allCases {
            let config = tinyRegression(method)
            var first = try train(config), second = try train(config)
            for i in first.epochs.indices { first.epochs[i].seconds = 0; second.epochs[i].seconds = 0 }
            // Compared as text: regression accuracies are NaN, and NaN ≠ NaN.
            XCTAssertEqual("\(first.epochs)", "\(second.epochs)", "\(method)")
            XCTAssertEqual(first.epochs.count, 3)
            var other = config
            other.seed += 1
            XCTAssertNotEqual(try train(other).epochs.first?.trainLoss, first.epochs.first?.trainLoss, "\(method)")
        }
    }

    func testDivergenceIsRecordedNotCrashed() throws {
        var config = tinyRegression(.bp)
        config.optimizer.kind = .sgd
        config.optimizer.lr = 1e6
        let result = try train(config)
        XCTAssertEqual(result.status, .diverged)
        XCTAssertFalse(result.message.isEmpty)
    }

    func testHopelessRunIsPrunedAfterItsEpoch() throws {
        var config = RunConfig.defaults(for: .bp)
        config.data.trainSubset = 1000
        config.data.testSubset = 500
        config.epochs = 4
        config.prune.afterEpoch = 2
        config.prune.minTrainAccuracy = 0.999
        let result = try train(config)
        XCTAssertEqual(result.status, .pruned)
        XCTAssertEqual(result.epochs.count, 2)
    }
}
