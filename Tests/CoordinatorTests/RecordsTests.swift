import Foundation
import XCTest
@testable import Coordinator
import Sweep
import TPConfig
import TPEngine

/// What a trial's epoch reports become in its store record: per-layer diagnostics as layer
/// metrics, their seconds as per-epoch series, and rows of one width even when an epoch measured
/// nothing.
final class RecordsTests: XCTestCase {
    /// An epoch report with the given per-layer metrics.
    func report(epoch: Int, bpAngle: [Double], diagnostics: [String: [Double]],
                seconds: [String: Double]) throws -> EpochReport {
        let object: [String: Any] = [
            "epoch": epoch, "trainLoss": 1.0, "trainAccuracy": 0.5, "validationLoss": 1.0,
            "validationAccuracy": 0.5, "testLoss": 1.0, "testAccuracy": 0.5, "seconds": 2.0,
            "reconstructionLoss": [Double](), "bpAngle": bpAngle, "weightNorm": [1.0, 2.0, 3.0],
            "updateNorm": [0.1, 0.2, 0.3], "batchLog": [Any](), "diagnostics": diagnostics,
            "diagnosticSeconds": seconds,
        ]
        return try JSONDecoder().decode(EpochReport.self, from: JSONSerialization.data(withJSONObject: object))
    }

    func testDiagnosticsBecomeLayerMetricsAndTheirSecondsSeries() throws {
        let measured = try report(epoch: 1, bpAngle: [10, 20, 0], diagnostics: ["gn_angle": [30, 40, 50],
                                  "gnt_angle": [5, 6]], seconds: ["bp_angle": 0.01, "gn_angle": 0.5, "gnt_angle": 0.1])
        // A run that diverged before its measured batch: nothing measured in epoch 2.
        let empty = try report(epoch: 2, bpAngle: [], diagnostics: [:], seconds: [:])
        let result = RunResult(status: .diverged, message: "", epochs: [measured, empty], reconstructionLayers: [],
                               seconds: 4)
        let outcome = TrialOutcome(status: .diverged, message: "", result: result, snapshots: [], startedAt: 0,
                                   seconds: 4, rank: 0, host: "h")
        let trial = Trial(id: "t", index: 0, parameters: [], seed: 0, config: RunConfig())
        let record = Records.make(trial: trial, configJSON: Records.configJSON(trial.config), attempt: 1,
                                  outcome: outcome)
        for (name, first) in [("bp_angle", [10.0, 20, 0]), ("gn_angle", [30, 40, 50]), ("gnt_angle", [5, 6])] {
            let rows = try XCTUnwrap(record.layerMetrics[name], name)
            XCTAssertEqual(rows.count, 2, name)
            XCTAssertEqual(rows[0], first, name)
            XCTAssertEqual(rows[1].count, first.count, name)
            XCTAssertTrue(rows[1].allSatisfy(\.isNaN), name)
        }
        let seconds = try XCTUnwrap(record.epochMetrics["diagnostic_seconds_gn_angle"])
        XCTAssertEqual(seconds.first, 0.5)
        XCTAssertTrue(seconds[1].isNaN)
        XCTAssertEqual(Set(record.epochMetrics.keys.filter { $0.hasPrefix("diagnostic_seconds_") }),
                       ["diagnostic_seconds_bp_angle", "diagnostic_seconds_gn_angle", "diagnostic_seconds_gnt_angle"])
    }
}
