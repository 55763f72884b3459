import XCTest
@testable import Sweep

final class SchedulerTests: XCTestCase {
    private func asha(_ mode: MetricMode = .max, metric: TrialMetric = .validationAccuracy, grace: Int = 1,
                      eta: Int = 3, max: Int = 9) -> ASHAScheduler {
        ASHAScheduler(settings: ASHASettings(metric: metric, mode: mode, graceEpochs: grace, reductionFactor: eta,
                                             maxEpochs: max))
    }

    func testFIFONeverStops() {
        var fifo = FIFOScheduler()
        for epoch in 1...20 {
            for metrics in [["validation_accuracy": 0.0], ["validation_accuracy": .nan], [:]] {
                XCTAssertEqual(fifo.report(trial: "t\(epoch)", epoch: epoch, metrics: metrics), .continue)
            }
        }
        fifo.trialEnded(trial: "t1")
        XCTAssertTrue(SchedulerSpec.fifo.makeScheduler() is FIFOScheduler)
    }

    func testRungsAreGraceTimesPowersOfEtaBelowMaxEpochs() {
        XCTAssertEqual(ASHASettings(metric: .trainLoss, mode: .min, graceEpochs: 1, reductionFactor: 3, maxEpochs: 9)
            .rungEpochs, [1, 3])
        XCTAssertEqual(ASHASettings(metric: .trainLoss, mode: .min, graceEpochs: 2, reductionFactor: 2, maxEpochs: 20)
            .rungEpochs, [2, 4, 8, 16])
        XCTAssertEqual(ASHASettings(metric: .trainLoss, mode: .min, graceEpochs: 1, reductionFactor: 4,
                                    maxEpochs: .max).rungEpochs.count, 32)  // 4^31 fits, 4^32 would overflow
    }

    /// Half the trials are clearly worse. Reported as they would arrive (good and bad alternating,
    /// each good one better than the goods before), every bad trial stops at the first rung and
    /// every good one goes on, at that rung and the next.
    func testBadTrialsStopAtTheFirstRungAndGoodOnesContinue() {
        var scheduler = asha(eta: 2, max: 8)  // rungs 1, 2, 4
        var stopped: [String: String] = [:]
        for epoch in 1...8 {
            for i in 0..<20 where stopped["good\(i)"] == nil {
                let good = 0.8 + Double(i) * 0.005
                if case .stop(let reason) = scheduler.report(trial: "good\(i)", epoch: epoch,
                                                               metrics: ["validation_accuracy": good]) {
                    stopped["good\(i)"] = reason
                }
                guard stopped["bad\(i)"] == nil else { continue }
                let bad = 0.2 + Double(i) * 0.005
                if case .stop(let reason) = scheduler.report(trial: "bad\(i)", epoch: epoch,
                                                               metrics: ["validation_accuracy": bad]) {
                    XCTAssertEqual(epoch, 1, "bad\(i) ran past the first rung")
                    stopped["bad\(i)"] = reason
                }
            }
        }
        XCTAssertEqual(Set(stopped.keys), Set((0..<20).map { "bad\($0)" }))
        XCTAssertTrue(stopped.values.allSatisfy { $0.hasPrefix("ASHA rung 0 at epoch 1: validation_accuracy 0.") })
    }

    /// η = 3, rungs at epochs 1 and 3. At a rung with n values recorded (this one included), the best
    /// k = max(1, ⌊n/3⌋) go on; a value equal to the k-th best goes on too.
    func testPromotionArithmeticOnAHandWorkedExample() {
        var scheduler = asha()
        let steps: [(String, Double, Bool, String?)] = [
            ("A", 0.50, true, nil),     // n 1, k 1: alone, goes on
            ("B", 0.40, false, "0.5"),  // n 2, k 1: best is 0.5
            ("C", 0.60, true, nil),     // n 3, k 1: new best
            ("D", 0.55, false, "0.6"),  // n 4, k 1
            ("E", 0.70, true, nil),     // n 5, k 1
            ("F", 0.65, true, nil),     // n 6, k 2: 2nd best is 0.65 itself
            ("G", 0.60, false, "0.65"), // n 7, k 2: 0.7, 0.65 | 0.6 …
            ("H", 0.65, true, nil),     // n 8, k 2: 0.7, 0.65, 0.65: tie with the cutoff goes on
            ("I", 0.62, false, "0.65"), // n 9, k 3: 0.7, 0.65, 0.65
        ]
        for (n, (trial, value, goesOn, cutoff)) in steps.enumerated() {
            let decision = scheduler.report(trial: trial, epoch: 1, metrics: ["validation_accuracy": value])
            if goesOn {
                XCTAssertEqual(decision, .continue, trial)
            } else if case .stop(let reason) = decision {
                let k = max(1, (n + 1) / 3)
                XCTAssertEqual(reason, "ASHA rung 0 at epoch 1: validation_accuracy \(value) is below the cutoff"
                    + " \(cutoff!) (rank \(k) of \(n + 1) recorded there; the top 1/3 go on)")
            } else {
                XCTFail("\(trial) should stop")
            }
        }
        // Epoch 2 is no rung; at epoch 3 (rung 1) A is the first, so it goes on; C is below A there.
        XCTAssertEqual(scheduler.report(trial: "A", epoch: 2, metrics: ["validation_accuracy": 0.1]), .continue)
        XCTAssertEqual(scheduler.report(trial: "A", epoch: 3, metrics: ["validation_accuracy": 0.8]), .continue)
        XCTAssertNotEqual(scheduler.report(trial: "C", epoch: 3, metrics: ["validation_accuracy": 0.7]), .continue)
        // Past the last rung nothing more is judged.
        XCTAssertEqual(scheduler.report(trial: "A", epoch: 8, metrics: ["validation_accuracy": 0.0]), .continue)
    }

    func testMinModeRanksLowerValuesFirst() {
        var scheduler = asha(.min, metric: .validationLoss)
        XCTAssertEqual(scheduler.report(trial: "a", epoch: 1, metrics: ["validation_loss": 0.5]), .continue)
        XCTAssertEqual(scheduler.report(trial: "b", epoch: 1, metrics: ["validation_loss": 0.3]), .continue)
        guard case .stop(let reason) = scheduler.report(trial: "c", epoch: 1, metrics: ["validation_loss": 0.9]) else {
            return XCTFail("a worse loss should stop")
        }
        XCTAssertTrue(reason.contains("validation_loss 0.9 is above the cutoff 0.3"), reason)
    }

    func testMissingOrNonFiniteMetricsStopWithoutRaisingTheBar() {
        var scheduler = asha()
        guard case .stop(let missing) = scheduler.report(trial: "a", epoch: 1, metrics: ["train_loss": 1]) else {
            return XCTFail("a missing metric should stop")
        }
        XCTAssertTrue(missing.contains("validation_accuracy missing"), missing)
        guard case .stop(let nan) = scheduler.report(trial: "b", epoch: 1, metrics: ["validation_accuracy": .nan]) else {
            return XCTFail("NaN should stop")
        }
        XCTAssertTrue(nan.contains("diverged"), nan)
        // Neither was recorded: the next trial is the first at the rung and goes on however bad.
        XCTAssertEqual(scheduler.report(trial: "c", epoch: 1, metrics: ["validation_accuracy": 0.01]), .continue)
    }

    /// A trial whose first report is past several rungs is judged at each in turn.
    func testSparseReportsAreJudgedAtEveryRungPassed() {
        var scheduler = asha()
        XCTAssertEqual(scheduler.report(trial: "a", epoch: 1, metrics: ["validation_accuracy": 0.9]), .continue)
        XCTAssertEqual(scheduler.report(trial: "a", epoch: 3, metrics: ["validation_accuracy": 0.9]), .continue)
        guard case .stop(let reason) = scheduler.report(trial: "b", epoch: 4, metrics: ["validation_accuracy": 0.5]) else {
            return XCTFail("b is worse than a at rung 0")
        }
        XCTAssertTrue(reason.hasPrefix("ASHA rung 0 at epoch 1"), reason)
        scheduler.trialEnded(trial: "b")
    }
}
