import Foundation
import XCTest

/// `tpsweep train` with the Gauss–Newton diagnostics: settings they cannot run with end with a
/// message naming the key and exit code 2; requested ones are printed per epoch with their cost
/// and written to the JSON result.
final class TrainDiagnosticsCommandTests: XCTestCase {
    let cli = CLI()
    let tiny = ["--set", "loss.kind=mse", "--set", "data.dataset=student-teacher", "--set", "data.teacher_widths=[6,16,10]",
                "--set", "data.teacher_train_size=400", "--set", "data.teacher_test_size=50",
                "--set", "data.validation_size=40", "--set", "model.hidden=[6,6]", "--set", "epochs=2"]

    func testDiagnosticsThatCannotRunAreClearErrors() throws {
        let cases: [(name: String, args: [String], expected: [String])] = [
            ("negative samples", ["--set", "metrics.diagnostic_samples=-1"], ["metrics.diagnostic_samples"]),
            ("gram too large", ["--set", "method=bp", "--set", "batch_size=300", "--set", "metrics.null_space=true"],
             ["metrics.null_space", "3000 rows", "metrics.diagnostic_samples to at most 204"]),
            ("no layer feedback", ["--set", "method=ddtp-linear", "--set", "metrics.jacobian_matching=true"],
             ["metrics.jacobian_matching", "method = ddtp-linear"]),
        ]
        for c in cases {
            let r = try cli.run(["train"] + tiny + c.args)
            XCTAssertEqual(r.status, 2, "\(c.name): \(r.err)")
            for text in c.expected { XCTAssertTrue(r.err.contains(text), "\(c.name): '\(text)' not in \(r.err)") }
        }
    }

    func testRequestedDiagnosticsArePrintedAndWritten() throws {
        let json = cli.dir.appendingPathComponent("diagnostics.json").path
        let r = try cli.run(["train"] + tiny + ["--set", "method=dtp", "--set", "metrics.gn_angles=true",
                                                "--set", "metrics.gn_damping_search=[0,0.01]", "--json", json])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("gn_angle: "), r.out)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let epochs = (object["result"] as! [String: Any])["epochs"] as! [[String: Any]]
        for epoch in epochs {
            XCTAssertEqual(((epoch["diagnostics"] as! [String: Any])["gn_angle"] as! [Any]).count, 3)
            XCTAssertNotNil((epoch["diagnosticSeconds"] as! [String: Any])["gn_angle"])
        }
    }

    /// `bench --diagnostics` checks its diagnostic settings as a config does, before any work.
    func testBenchRejectsNegativeDiagnosticSettings() throws {
        let cases: [(args: [String], expected: [String])] = [
            (["--diagnostic-samples=-1"], ["metrics.diagnostic_samples", "-1 is out of range"]),
            (["--dampings=-0.5"], ["metrics.gn_damping_search"]),
        ]
        for c in cases {
            let r = try cli.run(["bench", "--diagnostics", "--methods", "dtp"] + c.args)
            XCTAssertEqual(r.status, 2, "\(c.args): \(r.err)")
            for text in c.expected { XCTAssertTrue(r.err.contains(text), "\(c.args): '\(text)' not in \(r.err)") }
        }
    }
}
