import Foundation
import XCTest

/// `tpsweep simulate`: the real plan and scheduler on virtual workers; bad input exits 2.
final class SimulateCommandTests: XCTestCase {
    let cli = CLI()

    func testSimulatePrintsTheFigures() throws {
        let spec = cli.write("sim.yaml", """
            name: sim
            base: {epochs: 9}
            parameters:
              optimizer.lr: {loguniform: [1.0e-5, 1.0e-3]}
            sampler: {kind: sobol, samples: 200}
            scheduler: {kind: asha, metric: validation_accuracy, max_epochs: 9}
            """)
        let r = try cli.run(["simulate", spec, "--workers", "16", "--epoch-seconds", "30", "--seed", "2", "--repeats", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        for key in ["trials                200", "workers               16", "decisions", "decisions per second",
                    "scheduling seconds", "planning seconds", "virtual makespan", "utilisation"] {
            XCTAssertTrue(r.out.contains(key), "'\(key)' not in \(r.out)")
        }
        let again = try cli.run(["simulate", spec, "--workers", "16", "--epoch-seconds", "30", "--seed", "2"])
        func line(_ key: String, _ text: String) -> String? { text.split(separator: "\n").first { $0.hasPrefix(key) }.map(String.init) }
        XCTAssertEqual(line("virtual makespan", r.out), line("virtual makespan", again.out), "virtual figures are deterministic")
    }

    func testBadInputExitsWithTwo() throws {
        let spec = cli.write("ok.yaml", "name: ok\nparameters: {optimizer.lr: {grid: [0.001, 0.01]}}\n")
        let cases: [(String, [String], String)] = [
            ("missing spec", [cli.dir.path + "/nope.yaml", "--workers", "4"], "nope.yaml"),
            ("bad spec", [cli.write("bad.yaml", "name: bad\nsampler: {kind: sobbol}\n"), "--workers", "4"], "bad.yaml"),
            ("no workers", [spec, "--workers", "0"], "--workers"),
            ("bad epoch seconds", [spec, "--workers", "2", "--epoch-seconds=-1"], "--epoch-seconds"),
        ]
        for (name, args, expected) in cases {
            let r = try cli.run(["simulate"] + args)
            XCTAssertEqual(r.status, 2, "\(name): \(r.err)")
            XCTAssertTrue(r.err.hasPrefix("tpsweep: error:") && r.err.contains(expected), "\(name): \(r.err)")
        }
    }
}

/// Runs the built `tpsweep` and writes input files into a fresh temporary folder.
