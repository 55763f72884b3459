import HDF5Kit

/// The layout of one trial file, `trials/<id>.h5`:
///
/// ```
/// /                      attrs: format="tpsweep.trial", format_version=1, id, index, seed, status,
///                               message, rank, host, started_at, seconds, attempts, epochs, config_json
/// /parameters            attrs: one per parameter, typed, in the sweep's order
/// /metrics/<name>        float64 (epochs,)
/// /layer_metrics/<name>  float64 (epochs, layers)
/// /summary               attrs: one float64 per summary key
/// /snapshots/epoch_<NNNN>            attrs: epoch (int64), tags (array of str)
/// /snapshots/epoch_<NNNN>/<role>/<tensor>   float32 or float64, the tensor's shape
/// ```
enum TrialFile {
    static let format = "tpsweep.trial"
    static let formatVersion: Int64 = 1

    /// Root attributes every trial file has (besides format and format_version).
    static let rootKeys = ["id", "index", "seed", "status", "message", "rank", "host", "started_at",
                           "seconds", "attempts", "epochs", "config_json"]

    static func snapshotGroupName(epoch: Int) -> String {
        epoch < 0 ? "epoch_-\(pad(-epoch))" : "epoch_\(pad(epoch))"
    }

    private static func pad(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 4 ? s : String(repeating: "0", count: 4 - s.count) + s
    }

    // MARK: Writing

    /// Throws a StoreError for a record the layout cannot hold, before any file is made.
    static func validate(_ trial: TrialRecord, path: String) throws {
        try checkLinkName(trial.id, what: "trial id", path: path)
        var keys = Set<String>()
        for (key, _) in trial.parameters {
            try checkAttributeName(key, what: "parameter name", path: path)
            if !keys.insert(key).inserted { throw StoreError(path: path, reason: "parameter \(key) is given twice") }
        }
        for name in trial.epochMetrics.keys { try checkLinkName(name, what: "metric name", path: path) }
        for (name, rows) in trial.layerMetrics {
            try checkLinkName(name, what: "layer metric name", path: path)
            if let width = rows.first?.count, rows.contains(where: { $0.count != width }) {
                throw StoreError(path: path, reason: "layer metric \(name) has rows of different lengths")
            }
        }
        for key in trial.summary.keys { try checkAttributeName(key, what: "summary key", path: path) }
        var epochs = Set<Int>()
        for snapshot in trial.snapshots {
            if !epochs.insert(snapshot.epoch).inserted {
                throw StoreError(path: path, reason: "two snapshots of epoch \(snapshot.epoch): give one snapshot several tags")
            }
            var names = Set<String>()
            for tensor in snapshot.tensors {
                try checkLinkName(tensor.role, what: "tensor role", path: path)
                try checkLinkName(tensor.name, what: "tensor name", path: path)
                if !names.insert(tensor.role + "/" + tensor.name).inserted {
                    throw StoreError(path: path, reason: "epoch \(snapshot.epoch): tensor \(tensor.role)/\(tensor.name) is given twice")
                }
                if tensor.shape.contains(where: { $0 < 0 }) || tensor.shape.reduce(1, *) != tensor.values.count {
                    throw StoreError(path: path, reason: "epoch \(snapshot.epoch): tensor \(tensor.name) has shape "
                                     + "\(tensor.shape) but \(tensor.values.count) values")
                }
            }
        }
    }

    /// Writes the trial's file at `path` (which must not exist), built in memory and written in one
    /// piece; not yet flushed to disk.
    static func write(_ trial: TrialRecord, to path: String, snapshotOptions: H5DatasetOptions) throws {
        let file = try H5File.create(path, mode: .exclusive, trackOrder: true, buffered: true)
        try file.setAttribute("format", .string(format))
        try file.setAttribute("format_version", .int64(formatVersion))
        try file.setAttribute("id", .string(trial.id))
        try file.setAttribute("index", .int64(Int64(trial.index)))
        try file.setAttribute("seed", .int64(Int64(trial.seed)))
        try file.setAttribute("status", .string(trial.status))
        try file.setAttribute("message", .string(trial.message))
        try file.setAttribute("rank", .int64(Int64(trial.rank)))
        try file.setAttribute("host", .string(trial.host))
        try file.setAttribute("started_at", .double(trial.startedAt))
        try file.setAttribute("seconds", .double(trial.seconds))
        try file.setAttribute("attempts", .int64(Int64(trial.attempts)))
        try file.setAttribute("epochs", .int64(Int64(trial.epochs)))
        try file.setAttribute("config_json", .string(trial.configJSON))

        let parameters = try file.createGroup("parameters", trackOrder: true)
        for (key, value) in trial.parameters {
            try parameters.setAttribute(key, value.h5)
        }

        let metrics = try file.createGroup("metrics")
        for name in trial.epochMetrics.keys.sorted() {
            try metrics.createDataset(name, values: trial.epochMetrics[name]!)
        }

        let layerMetrics = try file.createGroup("layer_metrics")
        for name in trial.layerMetrics.keys.sorted() {
            let rows = trial.layerMetrics[name]!
            let width = rows.first?.count ?? 0
            try layerMetrics.createDataset(name, values: rows.flatMap { $0 }, shape: [rows.count, width])
        }

        let summary = try file.createGroup("summary")
        for key in trial.summary.keys.sorted() {
            try summary.setAttribute(key, .double(trial.summary[key]!))
        }

        let snapshots = try file.createGroup("snapshots")
        for snapshot in trial.snapshots.sorted(by: { $0.epoch < $1.epoch }) {
            let group = try snapshots.createGroup(snapshotGroupName(epoch: snapshot.epoch), trackOrder: true)
            try group.setAttribute("epoch", .int64(Int64(snapshot.epoch)))
            try group.setAttribute("tags", .stringArray(snapshot.tags))
            var roles: [String: H5Group] = [:]
            for tensor in snapshot.tensors {
                let role: H5Group
                if let existing = roles[tensor.role] {
                    role = existing
                } else {
                    role = try group.createGroup(tensor.role, trackOrder: true)
                    roles[tensor.role] = role
                }
                let options = compressible(tensor.shape) ? snapshotOptions : H5DatasetOptions()
                switch tensor.values {
                case .float32(let v): try role.createDataset(tensor.name, values: v, shape: tensor.shape, options: options)
                case .float64(let v): try role.createDataset(tensor.name, values: v, shape: tensor.shape, options: options)
                }
            }
        }
        try file.close()
    }

    /// Chunked compression needs a non-scalar, non-empty dataset.
    private static func compressible(_ shape: [Int]) -> Bool { !shape.isEmpty && !shape.contains(0) }

    // MARK: Reading

    /// How much of a trial file to read; each part includes the ones before it.
    enum Part {
        /// Root attributes, parameters and summary: what the sweep's summary table needs.
        case header
        /// Also the `/metrics` curves: what a scheduler needs to replay the trial's reports.
        case curves
        /// Also layer metrics and snapshots.
        case everything
    }

    /// Reads `part` of a trial file; what lies beyond it stays empty in the record. `epochs` is the
    /// root attribute of that name (the record's own `epochs` needs the curves).
    static func read(path: String, part: Part = .everything) throws -> (record: TrialRecord, epochs: Int) {
        let file = try H5File.open(path)
        let format = (try? file.stringAttribute("format")) ?? "(none)"
        guard format == Self.format else {
            throw StoreError(path: path, reason: "not a tpsweep trial file (format attribute is \(format))")
        }
        var record = TrialRecord(
            id: try file.stringAttribute("id"),
            index: Int(try file.int64Attribute("index")),
            parameters: [],
            seed: Int(try file.int64Attribute("seed")),
            configJSON: try file.stringAttribute("config_json"),
            status: try file.stringAttribute("status"),
            message: try file.stringAttribute("message"),
            rank: Int(try file.int64Attribute("rank")),
            host: try file.stringAttribute("host"),
            startedAt: try file.doubleAttribute("started_at"),
            seconds: try file.doubleAttribute("seconds"),
            attempts: Int(try file.int64Attribute("attempts")))
        let epochs = Int(try file.int64Attribute("epochs"))

        let parameters = try file.openGroup("parameters")
        record.parameters = try parameters.attributes().map { (name, value) in
            (key: name, value: try AttributeValue(value, path: "\(path):/parameters@\(name)"))
        }
        let summary = try file.openGroup("summary")
        for (key, value) in try summary.attributes() {
            guard case .double(let v) = value else {
                throw StoreError(path: "\(path):/summary@\(key)", reason: "summary value is \(value.typeName), not double")
            }
            record.summary[key] = v
        }
        guard part != .header else { return (record, epochs) }
        record.epochMetrics = try readMetrics(file)
        guard part == .everything else { return (record, epochs) }

        let layerMetrics = try file.openGroup("layer_metrics")
        for name in try layerMetrics.children() {
            let array = try layerMetrics.readDataset(name, as: Double.self)
            guard array.shape.count == 2 else {
                throw StoreError(path: "\(path):/layer_metrics/\(name)", reason: "expected 2-D, found shape \(array.shape)")
            }
            let (rows, width) = (array.shape[0], array.shape[1])
            record.layerMetrics[name] = (0..<rows).map { Array(array.values[($0 * width)..<(($0 + 1) * width)]) }
        }

        let snapshots = try file.openGroup("snapshots")
        for groupName in try snapshots.children() {
            let group = try snapshots.openGroup(groupName)
            var snapshot = Snapshot(epoch: Int(try group.int64Attribute("epoch")), tags: [], tensors: [])
            switch try group.attribute("tags") {
            case .stringArray(let tags): snapshot.tags = tags
            case .string(let tag): snapshot.tags = [tag]
            case let other:
                throw StoreError(path: "\(path):\(group.name)@tags", reason: "tags are \(other.typeName), not strings")
            }
            for roleName in try group.children() {
                let role = try group.openGroup(roleName)
                for tensorName in try role.children() {
                    let dataset = try role.openDataset(tensorName)
                    let values: TensorValues
                    let shape: [Int]
                    switch try dataset.elementType() {
                    case .float32:
                        let a = try dataset.read(as: Float.self)
                        (values, shape) = (.float32(a.values), a.shape)
                    default:
                        let a = try dataset.read(as: Double.self)
                        (values, shape) = (.float64(a.values), a.shape)
                    }
                    snapshot.tensors.append(SnapshotTensor(name: tensorName, role: roleName, shape: shape, values: values))
                }
            }
            record.snapshots.append(snapshot)
        }
        record.snapshots.sort { $0.epoch < $1.epoch }
        return (record, epochs)
    }
}

extension TrialFile {
    private static func readMetrics(_ file: H5File) throws -> [String: [Double]] {
        let metrics = try file.openGroup("metrics")
        var curves: [String: [Double]] = [:]
        for name in try metrics.children() {
            curves[name] = try metrics.readDataset(name, as: Double.self).values
        }
        return curves
    }
}

extension AttributeValue {
    var h5: H5AttributeValue {
        switch self {
        case .int(let v): .int64(Int64(v))
        case .double(let v): .double(v)
        case .string(let v): .string(v)
        case .bool(let v): .bool(v)
        }
    }

    init(_ value: H5AttributeValue, path: String) throws {
        switch value {
        case .int64(let v): self = .int(Int(v))
        case .double(let v): self = .double(v)
        case .string(let v): self = .string(v)
        case .bool(let v): self = .bool(v)
        default: throw StoreError(path: path, reason: "parameter is \(value.typeName), not a scalar")
        }
    }
}
