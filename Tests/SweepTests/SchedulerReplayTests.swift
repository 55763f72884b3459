import XCTest
@testable import Sweep

/// A resumed sweep replays its stored trials' curves into a fresh scheduler (`replay`), so that it
/// decides as the uninterrupted sweep would have.
final class SchedulerReplayTests: XCTestCase {
    private let settings = ASHASettings(metric: .validationAccuracy, mode: .max, graceEpochs: 1,
                                        reductionFactor: 3, maxEpochs: 9)  // rungs at epochs 1 and 3

    /// A trial's accuracy at `epoch`: its own level and slope, fixed by its number, so that some
    /// trials start well and fade and others start badly and catch up.
    private func accuracy(trial: Int, epoch: Int) -> Double {
        var generator = SplitMix64(seed: UInt64(trial) &* 0x9E37_79B9 &+ 17)
        let level = 0.3 + 0.4 * generator.nextUnit()
        let slope = 0.06 * (generator.nextUnit() - 0.3)
        return level + slope * Double(epoch)
    }

    /// Runs trials `range` one after another (one worker) against `scheduler`, from time `clock`,
    /// one second per epoch; returns what each trial stored and how it ended (epochs run).
    private func runSequentially(_ range: Range<Int>, on scheduler: inout ASHAScheduler, clock: inout Double)
        -> (stored: [StoredReports], epochsRun: [Int: Int]) {
        var stored: [StoredReports] = []
        var epochsRun: [Int: Int] = [:]
        for trial in range {
            let id = "t\(trial)"
            let start = clock
            var curve: [Double] = []
            for epoch in 1...settings.maxEpochs {
                clock += 1
                curve.append(accuracy(trial: trial, epoch: epoch))
                let decision = scheduler.report(trial: id, epoch: epoch, metrics: ["validation_accuracy": curve.last!])
                if decision != .continue { break }
            }
            scheduler.trialEnded(trial: id)
            epochsRun[trial] = curve.count
            stored.append(StoredReports(trial: id, startedAt: start, metrics: ["validation_accuracy": curve],
                                        epochSeconds: Array(repeating: 1, count: curve.count)))
        }
        return (stored, epochsRun)
    }

    func testResumedASHADecidesAsTheUninterruptedSweep() {
        var clock = 1_000.0
        var uninterrupted = ASHAScheduler(settings: settings)
        let whole = runSequentially(0..<30, on: &uninterrupted, clock: &clock)

        // Killed after 12 trials: a new session replays them, then runs the rest.
        clock = 1_000.0
        var first = ASHAScheduler(settings: settings)
        let stored = runSequentially(0..<12, on: &first, clock: &clock).stored
        var resumed = ASHAScheduler(settings: settings)
        resumed.replay(stored.shuffled())  // the store lists trials in no particular order
        let rest = runSequentially(12..<30, on: &resumed, clock: &clock).epochsRun
        for trial in 12..<30 {
            XCTAssertEqual(rest[trial], whole.epochsRun[trial], "trial \(trial)")
        }

        // Without the replay the rungs start empty and the same trials end differently.
        var forgetful = ASHAScheduler(settings: settings)
        let forgot = runSequentially(12..<30, on: &forgetful, clock: &clock).epochsRun
        XCTAssertNotEqual((12..<30).map { forgot[$0] }, (12..<30).map { whole.epochsRun[$0] })
    }

    /// Reports of trials that ran side by side are replayed in the order of their times (start plus
    /// the epochs' durations), each trial ended after its last report.
    func testReportsAreReplayedInTheOrderTheyHappened() {
        let a = StoredReports(trial: "a", startedAt: 10, metrics: ["validation_accuracy": [0.1, 0.2, 0.3]],
                              epochSeconds: [1, 1, 1])           // epochs at 11, 12, 13
        let b = StoredReports(trial: "b", startedAt: 10.5, metrics: ["validation_accuracy": [0.4, 0.5],
                                                                     "train_loss": [1.0]],
                              epochSeconds: [2, 0.2])            // epochs at 12.5, 12.7
        let c = StoredReports(trial: "c", startedAt: 9, metrics: ["validation_accuracy": []], epochSeconds: [])
        var recorder = RecordingScheduler()
        recorder.replay([a, b, c])
        XCTAssertEqual(recorder.calls, ["a 1 validation_accuracy=0.1", "a 2 validation_accuracy=0.2",
                                        "b 1 train_loss=1.0 validation_accuracy=0.4",
                                        "b 2 validation_accuracy=0.5", "end b",
                                        "a 3 validation_accuracy=0.3", "end a"])
    }
}

/// Records what it is told, in order.
private struct RecordingScheduler: TrialScheduler {
    var calls: [String] = []

    mutating func report(trial: String, epoch: Int, metrics: [String: Double]) -> SchedulerDecision {
        calls.append("\(trial) \(epoch) " + metrics.keys.sorted().map { "\($0)=\(metrics[$0]!)" }.joined(separator: " "))
        return .continue
    }

    mutating func trialEnded(trial: String) { calls.append("end \(trial)") }
}
