// Writes a small, deterministic sweep store for the Python round-trip test (tests/python):
//
//     store-fixture DIR
//
// DIR/sweep.h5 and DIR/trials/*.h5 as the Store writes them, plus DIR/expected.json: the same
// records as plain JSON, for the test to compare against. Three trials: trial-0000 completed with
// snapshots, trial-0001 pruned, trial-0002 with extra parameters (one of them named `epochs`, which
// clashes with a fixed summary column). The plan lists a fourth trial that has not run.
import Foundation
import Store

func curve(_ n: Int, _ f: (Double) -> Double) -> [Double] { (0..<n).map { f(Double($0)) } }

func grid(_ rows: Int, _ cols: Int, _ f: (Double, Double) -> Double) -> [[Double]] {
    (0..<rows).map { r in (0..<cols).map { c in f(Double(r), Double(c)) } }
}

func tensor(_ name: String, _ role: String, _ shape: [Int], float64: Bool = false, salt: Int) -> SnapshotTensor {
    let count = shape.reduce(1, *)
    let values = (0..<count).map { i in sin(Double(i + 1) * 0.37 + Double(salt)) * 0.5 }
    return SnapshotTensor(name: name, role: role, shape: shape,
                          values: float64 ? .float64(values) : .float32(values.map { Float($0) }))
}

func snapshot(epoch: Int, tags: [String]) -> Snapshot {
    Snapshot(epoch: epoch, tags: tags, tensors: [
        tensor("W1", "forward", [4, 3], salt: epoch * 10 + 1),
        tensor("b1", "forward", [4], salt: epoch * 10 + 2),
        tensor("W2", "forward", [2, 4], salt: epoch * 10 + 3),
        tensor("Q2", "feedback", [4, 2], salt: epoch * 10 + 4),
        tensor("J", "feedback", [2, 2, 3], float64: true, salt: epoch * 10 + 5),
    ])
}

func completedWithSnapshots() -> TrialRecord {
    let parameters: [(key: String, value: AttributeValue)] = [
        ("method", .string("dtp")), ("lr", .double(0.001)), ("hidden", .int(256)), ("use_bias", .bool(true)),
    ]
    let epochMetrics: [String: [Double]] = [
        "train_loss": curve(5) { 2.3 / ($0 + 1) },
        "validation_accuracy": curve(5) { 0.5 + 0.08 * $0 },
        "seconds": curve(5) { 2.5 + 0.01 * $0 },
    ]
    let bpAngle: [[Double]] = grid(5, 3) { e, l in 80 - 5 * e - l }
    let weightNorm: [[Double]] = grid(5, 3) { e, l in 1 + 0.1 * e + 0.01 * l }
    let summary: [String: Double] = ["best_epoch": 4, "best_validation_accuracy": 0.82, "test_accuracy_at_best": 0.8125]
    return TrialRecord(
        id: "trial-0000", index: 0, parameters: parameters,
        seed: 1001, configJSON: #"{"method":"dtp","optimizer":{"lr":0.001},"hidden":[256,256]}"#,
        status: "completed", message: "", rank: 1, host: "node-a", startedAt: 1_700_000_100.25, seconds: 12.5,
        attempts: 1, epochMetrics: epochMetrics, layerMetrics: ["bp_angle": bpAngle, "weight_norm": weightNorm],
        summary: summary,
        snapshots: [snapshot(epoch: 2, tags: ["best"]), snapshot(epoch: 4, tags: ["best", "final"])])
}

func pruned() -> TrialRecord {
    let parameters: [(key: String, value: AttributeValue)] = [
        ("method", .string("drl")), ("lr", .double(0.01)), ("hidden", .int(128)), ("use_bias", .bool(false)),
    ]
    let epochMetrics: [String: [Double]] = [
        "train_loss": [2.25, 2.0], "validation_accuracy": [0.25, 0.3], "seconds": [2.375, 2.375],
    ]
    let bpAngle: [[Double]] = [[85, 84, 83], [84, 83, 82]]
    return TrialRecord(
        id: "trial-0001", index: 1, parameters: parameters,
        seed: 1002, configJSON: #"{"method":"drl","optimizer":{"lr":0.01},"hidden":[128,128]}"#,
        status: "pruned", message: "pruned at rung 0 (epoch 2) — ASHA", rank: 2, host: "node-b",
        startedAt: 1_700_000_200.5, seconds: 4.75, attempts: 2,
        epochMetrics: epochMetrics, layerMetrics: ["bp_angle": bpAngle],
        summary: ["best_epoch": 1, "best_validation_accuracy": 0.3])
}

func withExtraParameters() -> TrialRecord {
    let parameters: [(key: String, value: AttributeValue)] = [
        ("method", .string("ddtp-linear")), ("lr", .double(0.0005)), ("hidden", .int(256)), ("use_bias", .bool(true)),
        ("feedback_noise", .double(0.05)), ("pretrain_epochs", .int(2)), ("init", .string("orthogonal")),
        ("epochs", .int(3)),
    ]
    let epochMetrics: [String: [Double]] = [
        "train_loss": [1.5, 1.25, 1.125], "validation_accuracy": [0.6, 0.7, 0.75], "seconds": [2.5, 2.5, 2.5],
    ]
    let summary: [String: Double] = ["best_epoch": 2, "best_validation_accuracy": 0.75, "test_accuracy_at_best": 0.74]
    return TrialRecord(
        id: "trial-0002", index: 2, parameters: parameters,
        seed: 1003, configJSON: #"{"method":"ddtp-linear","epochs":3}"#,
        status: "completed", message: "", rank: 1, host: "node-a", startedAt: 1_700_000_300, seconds: 7.5,
        attempts: 1, epochMetrics: epochMetrics, summary: summary)
}

let trials: [TrialRecord] = [completedWithSnapshots(), pruned(), withExtraParameters()]

let index = SweepIndex(
    name: "fixture-sweep", identity: "sha256:0123456789abcdef",
    specText: "name: fixture-sweep\nmethods: [dtp, drl, ddtp-linear]\n# µ-sweep — UTF-8 check\n",
    planned: (0..<4).map { i in
        PlannedTrial(id: String(format: "trial-%04d", i), index: i,
                     parametersJSON: #"{"i":\#(i)}"#, seed: 1001 + i)
    },
    createdAt: 1_700_000_000, updatedAt: 1_700_003_600)

// MARK: expected.json (hand-written JSON: Swift's Double description round-trips exactly)

func json(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
func json(_ d: Double) -> String { "\(d)" }
func json(_ a: [Double]) -> String { "[" + a.map(json).joined(separator: ",") + "]" }
func json(_ a: [Int]) -> String { "[" + a.map(String.init).joined(separator: ",") + "]" }
func json(_ a: [String]) -> String { "[" + a.map { json($0) }.joined(separator: ",") + "]" }
func object(_ pairs: [(String, String)]) -> String {
    "{" + pairs.map { json($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
}

func json(_ v: AttributeValue) -> String {
    switch v {
    case .int(let i): object([("type", json("int")), ("value", String(i))])
    case .double(let d): object([("type", json("double")), ("value", json(d))])
    case .string(let s): object([("type", json("string")), ("value", json(s))])
    case .bool(let b): object([("type", json("bool")), ("value", b ? "true" : "false")])
    }
}

func json(_ t: TrialRecord) -> String {
    object([
        ("id", json(t.id)), ("index", String(t.index)), ("seed", String(t.seed)),
        ("config_json", json(t.configJSON)), ("status", json(t.status)), ("message", json(t.message)),
        ("rank", String(t.rank)), ("host", json(t.host)), ("started_at", json(t.startedAt)),
        ("seconds", json(t.seconds)), ("attempts", String(t.attempts)), ("epochs", String(t.epochs)),
        ("parameters", "[" + t.parameters.map { "[" + json($0.key) + "," + json($0.value) + "]" }.joined(separator: ",") + "]"),
        ("epoch_metrics", object(t.epochMetrics.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })),
        ("layer_metrics", object(t.layerMetrics.sorted { $0.key < $1.key }.map {
            ($0.key, "[" + $0.value.map(json).joined(separator: ",") + "]")
        })),
        ("summary", object(t.summary.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })),
        ("snapshots", "[" + t.snapshots.map { s in
            object([
                ("epoch", String(s.epoch)), ("tags", json(s.tags)),
                ("tensors", "[" + s.tensors.map { x in
                    let (dtype, values): (String, [Double]) = switch x.values {
                    case .float32(let v): ("float32", v.map(Double.init))
                    case .float64(let v): ("float64", v)
                    }
                    return object([("name", json(x.name)), ("role", json(x.role)), ("shape", json(x.shape)),
                                   ("dtype", json(dtype)), ("values", json(values))])
                }.joined(separator: ",") + "]"),
            ])
        }.joined(separator: ",") + "]"),
    ])
}

func main() throws {
    let args = CommandLine.arguments
    guard args.count == 2 else {
        FileHandle.standardError.write(Data("usage: store-fixture DIR\n".utf8))
        exit(2)
    }
    let directory = args[1]
    let store = try SweepStore(directory: directory)
    for trial in trials { try store.write(trial) }
    try store.writeIndex(index)
    let expected = object([
        ("index", object([
            ("name", json(index.name)), ("identity", json(index.identity)), ("spec_text", json(index.specText)),
            ("created_at", json(index.createdAt)), ("updated_at", json(index.updatedAt)),
            ("planned", "[" + index.planned.map {
                object([("id", json($0.id)), ("index", String($0.index)), ("seed", String($0.seed)),
                        ("parameters_json", json($0.parametersJSON))])
            }.joined(separator: ",") + "]"),
        ])),
        ("trials", "[" + trials.map(json).joined(separator: ",") + "]"),
    ])
    try Data(expected.utf8).write(to: URL(fileURLWithPath: directory + "/expected.json"))
    print("wrote \(trials.count) trials and sweep.h5 to \(directory)")
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("store-fixture: \(error)\n".utf8))
    exit(1)
}
