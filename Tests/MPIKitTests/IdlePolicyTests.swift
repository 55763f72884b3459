import XCTest
@testable import MPIKit

/// The pieces of MPIKit that need no MPI (MPI is never initialised in the test process).
final class IdlePolicyTests: XCTestCase {
    func testDefaultPolicyBacksOffFrom20MicrosecondsToOneMillisecond() {
        let policy = IdlePolicy.default
        XCTAssertEqual(policy.initialSleep, 20e-6)
        XCTAssertEqual(policy.maxSleep, 1e-3)
        var backoff = Backoff(policy, now: 0)
        XCTAssertEqual(backoff.plannedSleep(now: 0), 0, "spins first")
        var sleeps: [Double] = []
        for _ in 0..<10 {
            sleeps.append(backoff.plannedSleep(now: 1))
            backoff.advance()
        }
        let micro = sleeps.map { ($0 * 1e6).rounded() }
        XCTAssertEqual(micro, [20, 40, 80, 160, 320, 640, 1000, 1000, 1000, 1000])
        // A timed wait never sleeps past its deadline.
        XCTAssertEqual(backoff.plannedSleep(now: 1, limit: 0.0002), 0.0002)
        XCTAssertEqual(backoff.plannedSleep(now: 1, limit: -1), 0)
    }

    func testPolicyNormalisesNonsense() {
        let p = IdlePolicy(spin: -1, initialSleep: 0.01, maxSleep: 0.001)
        XCTAssertEqual(p.spin, 0)
        XCTAssertEqual(p.initialSleep, 0.01)
        XCTAssertEqual(p.maxSleep, 0.01, "maxSleep is raised to initialSleep")
        let q = IdlePolicy(initialSleep: -.infinity, maxSleep: .nan)
        XCTAssertEqual(q.initialSleep, 0)
        XCTAssertEqual(q.maxSleep, 0)
        XCTAssertEqual(IdlePolicy.busy.maxSleep, 0)
        XCTAssertEqual(Backoff(.busy, now: 0).plannedSleep(now: 1e9), 0, "busy never sleeps")
    }

    func testPauseSleepsRoughlyAsPlanned() {
        var backoff = Backoff(IdlePolicy(initialSleep: 0.002, maxSleep: 0.004))
        let start = monotonicSeconds()
        backoff.pause()
        backoff.pause()
        let elapsed = monotonicSeconds() - start
        XCTAssertEqual(backoff.sleeps, 2)
        XCTAssertGreaterThanOrEqual(elapsed, 0.006)
        XCTAssertLessThan(elapsed, 1, "sleeps are short")
    }

    func testErrorDescriptionNamesCallCodeAndMessage() {
        let e = MPIError(call: "MPI_Send", code: 6, message: "MPI_ERR_RANK: invalid rank")
        XCTAssertEqual(e.description, "MPI_Send failed (MPI error 6): MPI_ERR_RANK: invalid rank")
    }
}
