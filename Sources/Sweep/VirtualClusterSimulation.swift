import Foundation

/// Runs a sweep's trials on virtual workers against the real scheduler, with a virtual clock and
/// synthetic metrics, to measure the scheduling code at the scale of a large cluster (10⁵ trials,
/// 10³ workers) without training anything, and to see how well dispatch keeps workers busy.
///
/// Trials are dispatched in plan order to whichever worker frees first (a dynamic queue, as the
/// coordinator does). Each trial has a seeded hidden quality q ∈ [0, 1) and pace (epoch seconds
/// uniform in [0.5, 1.5] × `meanEpochSeconds`); its accuracies rise towards 0.1 + 0.85·q with the
/// epochs, with a little noise, and its losses fall accordingly, so a scheduler has something real
/// to rank. Everything synthetic follows `seed` and the trial ids.
public struct VirtualClusterSimulation: Sendable {
    public var workers: Int
    public var seed: UInt64
    public var meanEpochSeconds: Double

    public init(workers: Int, seed: UInt64 = 0, meanEpochSeconds: Double = 60) {
        precondition(workers >= 1 && meanEpochSeconds > 0, "a cluster needs workers and epochs need time")
        self.workers = workers
        self.seed = seed
        self.meanEpochSeconds = meanEpochSeconds
    }

    /// Plans `spec` and runs its trials under a fresh scheduler of the spec's kind.
    public func run(spec: SweepSpec) throws -> SimulationReport {
        let start = ContinuousClock.now
        let trials = try spec.plan()
        let planSeconds = Self.seconds(since: start)
        var report = run(trials: trials, scheduler: spec.scheduler.makeScheduler())
        report.planSeconds = planSeconds
        return report
    }

    public func run<Scheduler: TrialScheduler>(trials: [Trial], scheduler: Scheduler) -> SimulationReport {
        var scheduler = scheduler
        var report = SimulationReport(trials: trials.count, workers: workers, trialsStopped: 0, epochsRun: 0,
                                      decisions: 0, schedulingSeconds: 0, planSeconds: 0, makespan: 0,
                                      utilisation: 0)
        var events = MinHeap<EpochEnd>()
        var running = [Int](repeating: -1, count: workers)  // trial index per worker
        var epoch = [Int](repeating: 0, count: workers)
        var pace = [Double](repeating: 0, count: workers)
        var next = 0
        var busySeconds = 0.0

        func dispatch(to worker: Int, at time: Double) {
            guard next < trials.count else { return }
            running[worker] = next
            epoch[worker] = 0
            pace[worker] = meanEpochSeconds * (0.5 + unit(trials[next].id, 0, salt: 1))
            events.push(EpochEnd(time: time + pace[worker], worker: worker))
            next += 1
        }

        for worker in 0..<workers { dispatch(to: worker, at: 0) }
        while let event = events.popMin() {
            let worker = event.worker
            let trial = trials[running[worker]]
            epoch[worker] += 1
            busySeconds += pace[worker]
            report.epochsRun += 1
            report.makespan = event.time

            let metrics = syntheticMetrics(trial.id, epoch: epoch[worker])
            let start = ContinuousClock.now
            let decision = scheduler.report(trial: trial.id, epoch: epoch[worker], metrics: metrics)
            let stopped = decision != .continue
            let done = stopped || epoch[worker] >= trial.config.epochs
            if done { scheduler.trialEnded(trial: trial.id) }
            report.schedulingSeconds += Self.seconds(since: start)
            report.decisions += 1

            if done {
                if stopped && epoch[worker] < trial.config.epochs { report.trialsStopped += 1 }
                dispatch(to: worker, at: event.time)
            } else {
                events.push(EpochEnd(time: event.time + pace[worker], worker: worker))
            }
        }
        report.utilisation = report.makespan > 0 ? busySeconds / (Double(workers) * report.makespan) : 0
        return report
    }

    /// The six metrics of `TrialMetric` after `epoch` of a trial of hidden quality q.
    private func syntheticMetrics(_ id: String, epoch: Int) -> [String: Double] {
        let quality = unit(id, 0, salt: 0)
        let noise = 0.02 * (unit(id, epoch, salt: 2) - 0.5)
        let accuracy = 0.1 + 0.85 * quality * (1 - exp(-Double(epoch) / 2)) + noise
        let loss = -log(max(accuracy, 1e-3))
        return [
            TrialMetric.trainAccuracy.rawValue: min(accuracy + 0.03, 1),
            TrialMetric.validationAccuracy.rawValue: accuracy,
            TrialMetric.testAccuracy.rawValue: accuracy - 0.01,
            TrialMetric.trainLoss.rawValue: loss * 0.9,
            TrialMetric.validationLoss.rawValue: loss,
            TrialMetric.testLoss.rawValue: loss * 1.02,
        ]
    }

    /// A uniform number in [0, 1) fixed by the seed, the trial, the epoch and what it is for.
    private func unit(_ id: String, _ epoch: Int, salt: UInt64) -> Double {
        let trialKey = UInt64(id, radix: 16) ?? 0
        var generator = SplitMix64(seed: SplitMix64.mix(seed ^ trialKey) &+ SplitMix64.mix(UInt64(epoch) << 8 | salt))
        return generator.nextUnit()
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
    }
}

/// A worker finishes an epoch at `time`; ties go to the lower worker so runs are reproducible.
private struct EpochEnd: Comparable {
    let time: Double
    let worker: Int

    static func < (a: EpochEnd, b: EpochEnd) -> Bool {
        (a.time, a.worker) < (b.time, b.worker)
    }
}
