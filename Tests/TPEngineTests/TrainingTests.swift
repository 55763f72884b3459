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

    /// Centered RMSprop, one feedback epoch then one forward epoch.
    func testDTPLeeLearnsOnFashionMNIST() throws {
        XCTAssertGreaterThan(try shortRun(.dtpLee), 0.55)
    }

    /// [L15]'s order: the forward pass of an alternating rule leaves the feedback alone, and its
    /// feedback epoch leaves the forward weights alone.
    func testAlternatingRuleTrainsFeedbackAndForwardInSeparateEpochs() throws {
        let config = tinyRegression(.dtpLee)
        let data: DataSplits<Double> = try loadSplits(config.dataSource, validationSize: config.data.validationSize,
                                                      seed: UInt64(config.seed))
        let trainer = try Trainer<DTPLee<Double>>(config: config, data: data)
        func snapshot(_ ps: [Parameter<Double>]) -> [[Double]] { ps.map { $0.value.toArray() } }
        let forward0 = snapshot(trainer.net.parameters), feedback0 = snapshot(trainer.rule.feedbackParameters)
        _ = trainer.trainingPass()
        XCTAssertEqual(snapshot(trainer.rule.feedbackParameters), feedback0)
        let forward1 = snapshot(trainer.net.parameters)
        XCTAssertNotEqual(forward1, forward0)
        trainer.feedbackEpoch()
        XCTAssertEqual(snapshot(trainer.net.parameters), forward1)
        XCTAssertNotEqual(snapshot(trainer.rule.feedbackParameters), feedback0)
    }

    /// drl's [M20] settings with two fixed-point steps per target.
    func testIterativeLearnsOnFashionMNIST() throws {
        XCTAssertGreaterThan(try shortRun(.iterative), 0.65)
    }

    func testGNTLearnsOnFashionMNIST() throws {
        XCTAssertGreaterThan(try shortRun(.gnt), 0.7)
    }

    /// [A20]'s square 784-wide leaky-ReLU network in Float64, accuracy on the ten read units.
    func testGAITLearnsOnFashionMNIST() throws {
        XCTAssertGreaterThan(try shortRun(.gait) { $0.data.trainSubset = 5_000 }, 0.6)
    }

    /// The shared tiny regression run, with one feedback pre-training epoch.
    func tinyRegression(_ method: Method) -> RunConfig {
        var config = RunConfig.tinyRegression(method)
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
