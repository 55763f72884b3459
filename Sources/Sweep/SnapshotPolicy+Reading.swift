import Yams

extension SnapshotPolicy {
    /// `{epochs: [1, 5], every: 0, best: true, final: true}`; absent keys keep their defaults.
    init(node: Node, reader: SpecReader) throws {
        let mapping = try reader.mapping(node, at: "snapshots", known: ["epochs", "every", "best", "final"])
        self.init()
        if let list = mapping["epochs"] {
            epochs = try reader.list(list, at: "snapshots.epochs", expected: "a list of epochs >= 1").map {
                try reader.int($0, at: "snapshots.epochs", min: 1)
            }
        }
        if let node = mapping["every"] { every = try reader.int(node, at: "snapshots.every", min: 0) }
        if let node = mapping["best"] { best = try reader.bool(node, at: "snapshots.best") }
        if let node = mapping["final"] { final = try reader.bool(node, at: "snapshots.final") }
    }
}
