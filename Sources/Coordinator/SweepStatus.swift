import Foundation
import Store

/// What `tpsweep status DIR` shows: the live status file of a running sweep, or, when there is
/// none, the counts read from the stored trials.
public struct SweepStatus {
    public let text: String

    public static func read(directory: String) throws -> SweepStatus {
        let path = StatusReporter.path(in: directory)
        if let data = FileManager.default.contents(atPath: path) {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            guard let s = try? decoder.decode(StatusReporter.Snapshot.self, from: data) else {
                throw StoreError(path: path, reason: "not a tpsweep status file")
            }
            return SweepStatus(text: describe(s))
        }
        guard FileManager.default.fileExists(atPath: directory + "/sweep.h5") else {
            throw StoreError(path: directory, reason: "no sweep here (neither status.json nor sweep.h5)")
        }
        let headers = try SweepStore(directory: directory).storedTrialHeaders()
        let byStatus = Dictionary(grouping: headers, by: \.status).mapValues(\.count)
        let counts = byStatus.keys.sorted().map { "\(byStatus[$0]!) \($0)" }.joined(separator: ", ")
        return SweepStatus(text: "\(headers.count) trials stored (\(counts))")
    }

    static func describe(_ s: StatusReporter.Snapshot) -> String {
        let age = Date().timeIntervalSince1970 - s.updatedAt
        var state = s.state
        // A running sweep rewrites its status every second; a dead process stops doing so.
        if s.state == "running" && kill(s.pid, 0) != 0 && age > 5 { state = "stopped (interrupted; run it again to resume)" }
        var lines = ["sweep '\(s.name)': \(state), \(StatusReporter.duration(s.elapsedSeconds)) elapsed, "
                     + "updated \(StatusReporter.duration(max(age, 0))) ago",
                     StatusReporter.line(s)]
        for (id, r) in s.running.sorted(by: { $0.key < $1.key }) {
            lines.append("  running \(id) on rank \(r.rank), epoch \(r.epoch)")
        }
        return lines.joined(separator: "\n")
    }
}

/// The stored trials ranked by a summary metric.
public struct Leaderboard {
    public let metric: String
    public let rows: [TrialRecord]
    let maximize: Bool

    public init(directory: String, metric requested: String?) throws {
        guard FileManager.default.fileExists(atPath: directory + "/trials") else {
            throw StoreError(path: directory, reason: "no sweep here (no trials/ folder)")
        }
        let headers = try SweepStore(directory: directory).storedTrialHeaders()
        let classification = headers.contains { ($0.summary["best_validation_accuracy"] ?? .nan).isFinite }
        metric = requested ?? (classification ? "best_validation_accuracy" : "best_validation_loss")
        let maximize = !metric.contains("loss")
        self.maximize = maximize
        let metric = self.metric
        func key(_ r: TrialRecord) -> Double {
            let v = r.summary[metric] ?? .nan
            return v.isFinite ? (maximize ? v : -v) : -.infinity
        }
        rows = headers.sorted { key($0) != key($1) ? key($0) > key($1) : $0.index < $1.index }
    }

    public func text(top: Int) -> String {
        let width = max(12, metric.count)
        var lines = ["\(rows.count) trials ranked by \(metric) (\(maximize ? "higher" : "lower") is better)",
                     "  #  trial             status     \(metric.leftPadded(width))  test acc@best  epochs  parameters"]
        for (i, r) in rows.prefix(top).enumerated() {
            let value = (r.summary[metric].map { String(format: "%.4f", $0) } ?? "").leftPadded(width)
            let test = (r.summary["test_accuracy_at_best"].flatMap { $0.isFinite ? String(format: "%.2f%%", 100 * $0) : nil }
                ?? "–").leftPadded(13)
            let params = (r.parameters.map { "\($0.key)=\(Self.text($0.value))" } + ["seed=\(r.seed)"]).joined(separator: " ")
            lines.append(String(format: "%3d  ", i + 1) + r.id + "  " + r.status.padding(toLength: 9, withPad: " ", startingAt: 0)
                         + "  " + value + "  " + test + "  " + String(Int(r.summary["epochs"] ?? 0)).leftPadded(6) + "  " + params)
        }
        return lines.joined(separator: "\n")
    }

    static func text(_ v: AttributeValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .bool(let b): return String(b)
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
