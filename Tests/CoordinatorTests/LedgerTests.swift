import XCTest
@testable import Coordinator
import Sweep
import TPConfig

/// The book-keeping rank 0 relies on to never lose or duplicate a trial.
final class LedgerTests: XCTestCase {
    func trials(_ n: Int) -> [Trial] {
        (0..<n).map { Trial(id: "t\($0)", index: $0, parameters: [], seed: $0, config: RunConfig()) }
    }

    func testStoredTrialsDoNotRunAgainAndEachTrialIsHandedOutOnce() {
        var ledger = Ledger(trials: trials(5), stored: ["t1": "completed", "t3": "pruned"], maxRetries: 0,
                            metric: "validation_accuracy", maximize: true)
        XCTAssertEqual(ledger.counts.stored, 2)
        XCTAssertEqual(ledger.counts.resumed, 2)
        var handed: [String] = []
        while let (trial, attempt) = ledger.assign(to: 1) {
            XCTAssertEqual(attempt, 1)
            handed.append(trial.id)
        }
        XCTAssertEqual(handed, ["t0", "t2", "t4"])
        XCTAssertFalse(ledger.isFinished)
        for id in handed { XCTAssertEqual(ledger.finished(id, status: "completed", seconds: 1), .store) }
        XCTAssertTrue(ledger.isFinished)
        XCTAssertEqual(ledger.counts.completed, 4)   // three here, one from before
        XCTAssertEqual(ledger.counts.pruned, 1)
        XCTAssertEqual(ledger.counts.stored, 5)
    }

    func testFailedTrialIsRetriedThenStoredAsFailed() {
        var ledger = Ledger(trials: trials(1), stored: [:], maxRetries: 1, metric: "m", maximize: true)
        XCTAssertEqual(ledger.assign(to: 1)?.attempt, 1)
        XCTAssertEqual(ledger.finished("t0", status: "failed", seconds: 1), .retry)
        XCTAssertEqual(ledger.counts.pending, 1)
        XCTAssertEqual(ledger.assign(to: 2)?.attempt, 2)
        XCTAssertEqual(ledger.finished("t0", status: "failed", seconds: 1), .store)
        XCTAssertEqual(ledger.counts.failed, 1)
        XCTAssertTrue(ledger.isFinished)
    }

    func testBestFollowsTheMetricsDirection() {
        var up = Ledger(trials: [], stored: [:], maxRetries: 0, metric: "acc", maximize: true)
        var down = Ledger(trials: [], stored: [:], maxRetries: 0, metric: "loss", maximize: false)
        for (v, id) in [(0.5, "a"), (0.7, "b"), (.nan, "c"), (0.6, "d")] {
            up.observe(v, trialID: id)
            down.observe(v, trialID: id)
        }
        XCTAssertEqual(up.best?.trialID, "b")
        XCTAssertEqual(down.best?.trialID, "a")
    }
}
