import ArgumentParser
import Foundation
import Sweep

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the trials a sweep spec expands to, without running anything.")

    @Argument(help: "Sweep spec (YAML, docs/sweep-spec.md).")
    var spec: String

    func run() throws {
        let (sweep, trials) = try reportingInputErrors {
            let sweep = try SweepSpec.load(path: spec)
            return (sweep, try sweep.plan())
        }
        var scheduler = "fifo"
        if case .asha(let s) = sweep.scheduler {
            scheduler = "asha on \(s.metric.rawValue) (\(s.mode)), rungs at epochs \(s.rungEpochs), "
                + "reduction \(s.reductionFactor), max \(s.maxEpochs) epochs"
        }
        print("sweep '\(sweep.name)' (identity \(sweep.identity)): \(trials.count) trials, "
              + "sampler \(sweep.sampler.kind.rawValue), \(sweep.seeds.count) seed(s), scheduler \(scheduler)")
        for note in sweep.notes { print("note: \(note)") }
        let width = String(trials.count).count
        for t in trials {
            print("\(String(t.index).leftPadded(to: width))  \(t.id)  \(t.label)")
        }
    }
}
