import Foundation
import HDF5Kit

/// The sweep's index file, `sweep.h5`:
///
/// ```
/// /            attrs: format="tpsweep.sweep", format_version=1, name, identity, created_at, updated_at,
///                     planned_count, trial_count, parameter_keys, parameter_columns, summary_keys,
///                     summary_columns
/// /spec        scalar str: the spec's text
/// /plan        table: id, index, seed, parameters_json
/// /summary     table: one row per stored trial (see SummaryTable)
/// /trials/<id> external link to trials/<id>.h5, "/"
/// ```
enum SweepIndexFile {
    static let format = "tpsweep.sweep"
    static let formatVersion: Int64 = 1
}

extension SweepStore {

    /// Writes `DIR/sweep.h5` atomically: the index's own fields, plus a summary row and an external
    /// link for every complete trial file present now (corrupt ones are left out).
    public func writeIndex(_ index: SweepIndex) throws {
        try writeIndex(index, trials: try scan(reading: .header).headers)
    }

    /// Writes `DIR/sweep.h5` atomically with a summary row and a link for each of `trials` (headers:
    /// records without series or snapshots, and their epoch counts), which must all be stored.
    /// `TrialWriter` keeps them in memory, so a sweep of 10⁵ trials does not reread every file each
    /// time it refreshes the index.
    func writeIndex(_ index: SweepIndex, trials: [(record: TrialRecord, epochs: Int)]) throws {
        let headers = trials.sorted { ($0.record.index, $0.record.id) < ($1.record.index, $1.record.id) }
        let table = SummaryTable(headers)
        try AtomicFile.write(directory: directory, finalName: "sweep.h5") { temporary in
            let file = try H5File.create(temporary, mode: .exclusive, trackOrder: true)
            try file.setAttribute("format", .string(SweepIndexFile.format))
            try file.setAttribute("format_version", .int64(SweepIndexFile.formatVersion))
            try file.setAttribute("name", .string(index.name))
            try file.setAttribute("identity", .string(index.identity))
            try file.setAttribute("created_at", .double(index.createdAt))
            try file.setAttribute("updated_at", .double(index.updatedAt))
            try file.setAttribute("planned_count", .int64(Int64(index.planned.count)))
            try file.setAttribute("trial_count", .int64(Int64(headers.count)))
            try file.setAttribute("parameter_keys", .stringArray(table.parameterKeys))
            try file.setAttribute("parameter_columns", .stringArray(table.parameterColumns))
            try file.setAttribute("summary_keys", .stringArray(table.summaryKeys))
            try file.setAttribute("summary_columns", .stringArray(table.summaryColumns))

            try file.createStringDataset("spec", value: index.specText)
            try file.createTable("plan", columns: [
                H5Column("id", .string(index.planned.map(\.id))),
                H5Column("index", .int64(index.planned.map { Int64($0.index) })),
                H5Column("seed", .int64(index.planned.map { Int64($0.seed) })),
                H5Column("parameters_json", .string(index.planned.map(\.parametersJSON))),
            ])
            try file.createTable("summary", columns: table.columns)
            let trials = try file.createGroup("trials", trackOrder: true)
            for (record, _) in headers {
                try trials.createExternalLink(record.id, targetFile: "trials/\(record.id).h5", targetPath: "/")
            }
            try file.close()
        }
    }

    /// Reads `DIR/sweep.h5`, or returns nil if there is none yet.
    public func readIndex() throws -> SweepIndex? {
        let path = indexPath
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let file = try H5File.open(path)
        let format = (try? file.stringAttribute("format")) ?? "(none)"
        guard format == SweepIndexFile.format else {
            throw StoreError(path: path, reason: "not a tpsweep sweep index (format attribute is \(format))")
        }
        let plan = try file.readTable("plan")
        func column(_ name: String) throws -> H5ColumnValues {
            guard let c = plan.first(where: { $0.name == name }) else {
                throw StoreError(path: "\(path):/plan", reason: "no column \(name)")
            }
            return c.values
        }
        guard case .string(let ids) = try column("id"), case .int64(let indices) = try column("index"),
              case .int64(let seeds) = try column("seed"), case .string(let json) = try column("parameters_json")
        else { throw StoreError(path: "\(path):/plan", reason: "a column has the wrong type") }
        let planned = ids.indices.map {
            PlannedTrial(id: ids[$0], index: Int(indices[$0]), parametersJSON: json[$0], seed: Int(seeds[$0]))
        }
        return SweepIndex(name: try file.stringAttribute("name"),
                          identity: try file.stringAttribute("identity"),
                          specText: try file.openDataset("spec").readString(),
                          planned: planned,
                          createdAt: try file.doubleAttribute("created_at"),
                          updatedAt: try file.doubleAttribute("updated_at"))
    }
}

/// The `/summary` table of `sweep.h5`: one row per stored trial, sorted by index then id.
///
/// Columns, in order:
/// - fixed: id (str), index (int64), status (str), message (str), seed (int64), rank (int64),
///   host (str), started_at (float64), seconds (float64), epochs (int64), attempts (int64);
/// - one per parameter key seen in any trial, in order of first appearance (trials by index);
///   typed by the values it takes: only ints and bools → int64 (bool as 0/1), ints/bools and
///   doubles → float64, any string → str (other values formatted: `3`, `0.001`, `true`).
///   A trial without the key gets NaN (float64), -9223372036854775808 (int64) or "" (str);
/// - one float64 per summary key seen in any trial, sorted by name; NaN where absent.
///
/// A parameter key that equals a fixed column's name gets the column `param_<key>`; a summary key
/// equal to a fixed or parameter column gets `summary_<key>` (further clashes add `_2`, `_3`, …).
/// The root attributes `parameter_keys`/`parameter_columns` and `summary_keys`/`summary_columns`
/// map keys to columns.
struct SummaryTable {
    static let missingInt = Int64.min
    static let fixedColumns = ["id", "index", "status", "message", "seed", "rank", "host", "started_at",
                               "seconds", "epochs", "attempts"]

    var columns: [H5Column] = []
    var parameterKeys: [String] = []
    var parameterColumns: [String] = []
    var summaryKeys: [String] = []
    var summaryColumns: [String] = []

    init(_ headers: [(record: TrialRecord, epochs: Int)]) {
        let trials = headers.map(\.record)
        columns = [
            H5Column("id", .string(trials.map(\.id))),
            H5Column("index", .int64(trials.map { Int64($0.index) })),
            H5Column("status", .string(trials.map(\.status))),
            H5Column("message", .string(trials.map(\.message))),
            H5Column("seed", .int64(trials.map { Int64($0.seed) })),
            H5Column("rank", .int64(trials.map { Int64($0.rank) })),
            H5Column("host", .string(trials.map(\.host))),
            H5Column("started_at", .double(trials.map(\.startedAt))),
            H5Column("seconds", .double(trials.map(\.seconds))),
            H5Column("epochs", .int64(headers.map { Int64($0.epochs) })),
            H5Column("attempts", .int64(trials.map { Int64($0.attempts) })),
        ]
        var taken = Set(Self.fixedColumns)
        func columnName(_ key: String, prefix: String) -> String {
            var name = taken.contains(key) ? prefix + key : key
            var n = 2
            while taken.contains(name) {
                name = "\(prefix)\(key)_\(n)"
                n += 1
            }
            taken.insert(name)
            return name
        }

        for trial in trials {
            for (key, _) in trial.parameters where !parameterKeys.contains(key) { parameterKeys.append(key) }
        }
        for key in parameterKeys {
            let name = columnName(key, prefix: "param_")
            parameterColumns.append(name)
            columns.append(H5Column(name, Self.parameterColumn(trials.map { $0.parameter(key) })))
        }

        summaryKeys = Set(trials.flatMap { $0.summary.keys }).sorted()
        for key in summaryKeys {
            let name = columnName(key, prefix: "summary_")
            summaryColumns.append(name)
            columns.append(H5Column(name, .double(trials.map { $0.summary[key] ?? .nan })))
        }
    }

    static func parameterColumn(_ values: [AttributeValue?]) -> H5ColumnValues {
        let present = values.compactMap { $0 }
        let hasString = present.contains { if case .string = $0 { true } else { false } }
        let hasDouble = present.contains { if case .double = $0 { true } else { false } }
        if hasString {
            return .string(values.map { value in
                switch value {
                case nil: ""
                case .string(let s): s
                case .int(let i): String(i)
                case .double(let d): String(d)
                case .bool(let b): b ? "true" : "false"
                }
            })
        }
        if hasDouble {
            return .double(values.map { value in
                switch value {
                case .int(let i): Double(i)
                case .double(let d): d
                case .bool(let b): b ? 1 : 0
                case nil, .string: .nan
                }
            })
        }
        return .int64(values.map { value in
            switch value {
            case .int(let i): Int64(i)
            case .bool(let b): b ? 1 : 0
            case nil, .double, .string: missingInt
            }
        })
    }
}
