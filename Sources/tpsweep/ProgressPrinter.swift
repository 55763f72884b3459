import Foundation
import TPEngine

/// Prints one line per epoch and a closing summary: the local observer of a run.
struct ProgressPrinter: TrainingObserver {
    let config: RunConfig
    let quiet: Bool

    func header() {
        guard !quiet else { return }
        let model = config.model.architecture.isConvolutional
            ? config.model.architecture.rawValue : "hidden \(config.model.hidden)"
        print("\(config.method.rawValue) on \(config.data.dataset.rawValue), \(model), "
              + "\(config.epochs) epochs, batch \(config.batchSize), \(config.dtype.rawValue), seed \(config.seed)")
    }

    func epochEnded(_ r: EpochReport, weights: () -> [WeightTensor]) -> TrainingDecision {
        if !quiet {
            let width = String(config.epochs).count
            let epoch = String(r.epoch).leftPadded(to: width)
            print("epoch \(epoch)/\(config.epochs)  train \(f(r.trainLoss)) \(pct(r.trainAccuracy))  "
                  + "val \(f(r.validationLoss)) \(pct(r.validationAccuracy))  "
                  + "test \(f(r.testLoss)) \(pct(r.testAccuracy))  \(String(format: "%.1f", r.seconds)) s")
            printPerLayerMetrics(r)
            fflush(nil)
        }
        return .proceed
    }

    /// One line per requested angle or diagnostic: its value per layer and what it cost this epoch.
    private func printPerLayerMetrics(_ r: EpochReport) {
        var rows = r.diagnostics
        if !r.bpAngle.isEmpty { rows["bp_angle"] = r.bpAngle }
        for name in rows.keys.sorted() {
            let values = rows[name]!.map { String(format: "%.4g", $0) }.joined(separator: " ")
            let cost = r.diagnosticSeconds[name].map { String(format: "  (%.2f s)", $0) } ?? ""
            print("    \(name): \(values)\(cost)")
        }
    }

    func summary(_ result: RunResult) {
        var line = "\(result.status.rawValue) after \(result.epochs.count) epochs in \(String(format: "%.1f", result.seconds)) s"
        if let best = result.best {
            line += "; best validation at epoch \(best.epoch): test accuracy \(pct(best.testAccuracy)), "
                + "test loss \(f(best.testLoss))"
        }
        if !result.message.isEmpty { line += " (\(result.message))" }
        print(line)
    }

    private func f(_ x: Double) -> String { String(format: "%.4f", x) }
    private func pct(_ x: Double) -> String { x.isNaN ? "  –   " : String(format: "%5.2f%%", 100 * x) }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
