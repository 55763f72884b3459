/// How a waiting call (receive, a send that has not completed, barrier) spends its time.
///
/// Open MPI's own blocking calls busy-poll a core. MPIKit's waits instead poll, and between polls
/// first spin for `spin` seconds (cheap replies arrive with no added latency), then sleep:
/// `initialSleep`, doubling each time up to `maxSleep`. Every wait starts the schedule afresh, so
/// the backoff resets whenever a message arrives.
///
/// With the default, a rank that waits for seconds wakes about a thousand times a second; measured
/// on the 2-core VM (`mpi-selftest idle`) that costs 2–4 % of one core, nearly all of it the
/// kernel's context switch per wake-up (Open MPI's blocking receive costs 100 %). A message is
/// noticed at most `maxSleep` plus ~0.1 ms (timer slack and wake-up) after it arrives; in a tight
/// request–reply exchange both sides stay within `spin` and never sleep (~2 µs round trips).
/// A `maxSleep` of 2 ms halves the idle cost again.
public struct IdlePolicy: Sendable, Equatable {
    /// Seconds of back-to-back polling before the first sleep.
    public var spin: Double
    /// The first sleep, in seconds.
    public var initialSleep: Double
    /// The longest sleep, in seconds; sleeps double from `initialSleep` up to this.
    public var maxSleep: Double

    /// Negative values count as zero; a `maxSleep` below `initialSleep` is raised to it.
    public init(spin: Double = 0, initialSleep: Double, maxSleep: Double) {
        let first = initialSleep.isFinite ? max(0, initialSleep) : 0
        self.spin = spin.isNaN ? 0 : max(0, spin)
        self.initialSleep = first
        self.maxSleep = maxSleep.isFinite ? max(first, maxSleep) : first
    }

    /// Spin 20 µs, then sleep 20 µs doubling to 1 ms.
    public static let `default` = IdlePolicy(spin: 20e-6, initialSleep: 20e-6, maxSleep: 1e-3)

    /// Never sleep: poll back to back like Open MPI's blocking calls. Lowest latency, one whole
    /// core while waiting — for benchmarks and ranks that have nothing else to run.
    public static let busy = IdlePolicy(spin: .infinity, initialSleep: 0, maxSleep: 0)
}

/// The schedule of one wait: call `pause()` after each unsuccessful poll.
struct Backoff {
    let policy: IdlePolicy
    let start: Double
    /// The next sleep in seconds.
    private(set) var nextSleep: Double
    /// How many times `pause()` slept (for tests and statistics).
    private(set) var sleeps = 0

    init(_ policy: IdlePolicy, now: Double = monotonicSeconds()) {
        self.policy = policy
        self.start = now
        self.nextSleep = policy.initialSleep
    }

    /// The sleep `pause` would take at time `now` (0 while spinning), not longer than `limit`.
    func plannedSleep(now: Double, limit: Double = .infinity) -> Double {
        if now - start < policy.spin { return 0 }
        return max(0, min(nextSleep, limit))
    }

    /// Waits once: returns at once while spinning, else sleeps and doubles the next sleep.
    /// `deadline` (monotonic seconds) caps the sleep so a timed wait is not overslept.
    mutating func pause(deadline: Double = .infinity) {
        let now = monotonicSeconds()
        let seconds = plannedSleep(now: now, limit: deadline - now)
        guard now - start >= policy.spin else { return }
        if seconds > 0 {
            sleepSeconds(seconds)
            sleeps += 1
        }
        advance()
    }

    /// Moves the schedule one step without sleeping.
    mutating func advance() {
        nextSleep = min(policy.maxSleep, max(nextSleep * 2, policy.initialSleep))
    }
}
