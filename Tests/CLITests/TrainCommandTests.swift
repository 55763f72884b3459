import Foundation
import XCTest

/// `tpsweep train` as a user meets it: bad input ends with a message naming the file or key and
/// exit code 2, never a trap; a good run prints progress and writes its JSON result.
final class TrainCommandTests: XCTestCase {
    let cli = CLI()
    var dir: URL { cli.dir }

    func testBadInputTable() throws {
        // A Fashion-MNIST folder whose training labels are cut short.
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for f in ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            try FileManager.default.copyItem(atPath: "/usr/share/datasets/fashion-mnist/\(f)",
                                             toPath: data.appendingPathComponent(f).path)
        }
        let truncated = data.appendingPathComponent("train-labels-idx1-ubyte")
        try Data([0, 0, 8, 1, 0, 0, 0xEA, 0x60, 1, 2, 3]).write(to: truncated)

        let cases: [(name: String, args: [String], expected: [String])] = [
            ("missing config", ["--config", dir.path + "/nope.yaml"], ["nope.yaml"]),
            ("unknown key", ["--config", cli.write("a.yaml", "method: bp\noptimiser:\n  lr: 0.1\n")], ["a.yaml", "optimiser"]),
            ("bad value with line", ["--config", cli.write("b.yaml", "method: bp\nepochs: -3\n")], ["b.yaml:2", "epochs"]),
            ("bad enum", ["--set", "method=backprop"], ["method", "ddtp-linear"]),
            ("malformed yaml", ["--config", cli.write("c.yaml", "method: [bp\n")], ["c.yaml"]),
            ("override without =", ["--set", "epochs"], ["epochs", "="]),
            ("override out of range", ["--set", "optimizer.lr=-1"], ["optimizer.lr"]),
            ("missing data dir", ["--set", "data.dir=/no/such/dir", "--set", "epochs=1"], ["/no/such/dir"]),
            ("per-layer list of the wrong length", ["--set", "method=ldrl", "--set", "tp.fb_steps=[20, 10]"],
             ["tp.fb_steps = [20, 10]", "expected 1 (for every feedback layer) or 5"]),
            ("conv net on a regression task", ["--set", "model.architecture=lenet", "--set", "data.dataset=student-teacher",
                                               "--set", "loss.kind=mse"], ["model.architecture = lenet", "student-teacher"]),
            ("rule without conv nets", ["--set", "method=ddtp-rhl", "--set", "model.architecture=m20-cnn", "--set", "epochs=1"],
             ["method = ddtp-rhl", "model.architecture = m20-cnn"]),
            ("truncated labels", ["--set", "data.dir=\(data.path)", "--set", "epochs=1"], ["train-labels-idx1-ubyte", "truncated"]),
        ]
        for c in cases {
            let r = try cli.run(["train"] + c.args)
            XCTAssertEqual(r.status, 2, "\(c.name): \(r.err)")
            for text in c.expected { XCTAssertTrue(r.err.contains(text), "\(c.name): '\(text)' not in \(r.err)") }
            XCTAssertTrue(r.err.hasPrefix("tpsweep: error:"), "\(c.name): \(r.err)")
        }
    }

    func testTrainPrintsProgressAndWritesJSON() throws {
        let config = cli.write("run.yaml", """
            method: drl
            epochs: 2
            loss: {kind: mse}
            data: {dataset: student-teacher, teacher_widths: [6, 16, 2], teacher_train_size: 200,
                   teacher_test_size: 50, validation_size: 40}
            model: {hidden: [6, 6]}
            tp: {epochs_fb: 1}
            """)
        let json = dir.appendingPathComponent("result.json").path
        let r = try cli.run(["train", "--config", config, "--json", json])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("epoch 1/2"), r.out)
        XCTAssertTrue(r.out.contains("completed after 2 epochs"), r.out)
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let result = object["result"] as! [String: Any], epochs = result["epochs"] as! [[String: Any]]
        XCTAssertEqual(epochs.count, 2)
        XCTAssertEqual((epochs[0]["reconstructionLoss"] as! [Any]).count, 2)
        XCTAssertEqual((object["config"] as! [String: Any])["method"] as? String, "drl")
    }
}
