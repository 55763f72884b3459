import XCTest
@testable import Sweep

final class SimulationTests: XCTestCase {
    func testHundredThousandTrialsOnOneThousandTwentyFourWorkers() throws {
        let spec = try SweepSpec(yaml: """
            name: scale
            base: {epochs: 9}
            parameters:
              method: {grid: [bp, drl, ddtp-linear, dtp]}
              optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}
            sampler: {kind: random, samples: 25000}
            scheduler: {kind: asha, metric: validation_accuracy, grace_epochs: 1, reduction_factor: 3, max_epochs: 9}
            """, source: "scale.yaml")
        let report = try VirtualClusterSimulation(workers: 1024, seed: 1).run(spec: spec)
        print("simulation: \(report.trials) trials, \(report.workers) workers: plan \(report.planSeconds) s,"
            + " \(report.decisions) decisions in \(report.schedulingSeconds) s"
            + " (\(Int(report.decisionsPerSecond))/s), \(report.trialsStopped) stopped,"
            + " makespan \(report.makespan) virtual s, utilisation \(report.utilisation)")
        XCTAssertEqual(report.trials, 100_000)
        XCTAssertEqual(report.decisions, report.epochsRun)
        XCTAssertGreaterThan(report.decisions, report.trials)
        // ASHA with η = 3 runs far fewer epochs than 9 per trial, and stops most trials.
        XCTAssertLessThan(report.epochsRun, 100_000 * 3)
        XCTAssertGreaterThan(report.trialsStopped, 100_000 / 2)
        XCTAssertGreaterThan(report.utilisation, 0.9)
        XCTAssertLessThanOrEqual(report.utilisation, 1)
        XCTAssertGreaterThan(report.makespan, 0)
        XCTAssertLessThan(report.schedulingSeconds, 30)
    }

    func testFIFORunsEveryEpochAndRunsAreReproducible() throws {
        let trials = try SweepSpec(yaml: """
            name: fifo
            base: {epochs: 4}
            parameters: {optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}}
            sampler: {kind: random, samples: 50}
            """, source: "fifo.yaml").plan()
        let simulation = VirtualClusterSimulation(workers: 8, seed: 3)
        let first = simulation.run(trials: trials, scheduler: FIFOScheduler())
        XCTAssertEqual(first.epochsRun, 50 * 4)
        XCTAssertEqual(first.trialsStopped, 0)
        XCTAssertTrue(first.utilisation > 0 && first.utilisation <= 1, "\(first.utilisation)")
        let second = simulation.run(trials: trials, scheduler: FIFOScheduler())
        XCTAssertEqual(first.makespan, second.makespan)
        // More workers than trials: some idle, so utilisation drops but stays positive.
        let wide = VirtualClusterSimulation(workers: 64, seed: 3).run(trials: trials, scheduler: FIFOScheduler())
        XCTAssertLessThan(wide.makespan, first.makespan)
        XCTAssertTrue(wide.utilisation > 0 && wide.utilisation < first.utilisation, "\(wide.utilisation)")
    }
}
