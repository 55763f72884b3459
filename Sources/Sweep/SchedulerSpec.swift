import TPConfig
import Yams

/// Which scheduler a sweep runs its trials under (spec: `scheduler:`; absent means FIFO).
public enum SchedulerSpec: Sendable, Equatable {
    case fifo
    case asha(ASHASettings)

    /// A fresh scheduler, with no trial recorded yet.
    public func makeScheduler() -> any TrialScheduler {
        switch self {
        case .fifo: return FIFOScheduler()
        case .asha(let settings): return ASHAScheduler(settings: settings)
        }
    }

    /// Whether a resumed sweep's scheduler needs the stored trials' curves: ASHA rebuilds its rungs
    /// from them (`TrialScheduler.replay`); FIFO decides nothing from past trials.
    public var replaysStoredCurves: Bool {
        if case .asha = self { return true }
        return false
    }

    /// The epochs every trial's run config gets instead of its own, if the scheduler sets them.
    public var epochsOverride: Int? {
        if case .asha(let settings) = self { return settings.maxEpochs }
        return nil
    }

    static let ashaKeys = ["metric", "mode", "grace_epochs", "reduction_factor", "max_epochs"]

    /// `{kind: fifo}` or `{kind: asha, metric, mode, grace_epochs, reduction_factor, max_epochs}`;
    /// metric and max_epochs are required, mode defaults to the metric's (min for losses, max for
    /// accuracies), grace_epochs to 1, reduction_factor to 3.
    init(node: Node, reader: SpecReader) throws {
        let kinds = ["fifo", "asha"]
        let mapping = try reader.mapping(node, at: "scheduler", known: ["kind"] + Self.ashaKeys)
        let kind = try reader.choice(try reader.required("kind", in: mapping, expected: "fifo or asha"),
                                     at: "scheduler.kind", allowed: kinds)
        guard kind == "asha" else {
            if let extra = mapping.entries.first(where: { $0.name != "kind" }) {
                throw SweepError.invalid(key: "scheduler.\(extra.name)", problem: "applies to kind asha only",
                                         at: reader.origin(extra.keyNode))
            }
            self = .fifo
            return
        }
        let metricNode = try reader.required("metric", in: mapping, expected: "one of: "
            + TrialMetric.allCases.map(\.rawValue).joined(separator: ", "))
        let metric = TrialMetric(rawValue: try reader.choice(metricNode, at: "scheduler.metric",
                                                             allowed: TrialMetric.allCases.map(\.rawValue)))!
        let mode = try mapping["mode"].map {
            MetricMode(rawValue: try reader.choice($0, at: "scheduler.mode", allowed: MetricMode.allCases.map(\.rawValue)))!
        } ?? metric.defaultMode
        let grace = try mapping["grace_epochs"].map { try reader.int($0, at: "scheduler.grace_epochs", min: 1) } ?? 1
        let eta = try mapping["reduction_factor"].map { try reader.int($0, at: "scheduler.reduction_factor", min: 2) } ?? 3
        let maxNode = try reader.required("max_epochs", in: mapping, expected: "an integer > grace_epochs")
        let maxEpochs = try reader.int(maxNode, at: "scheduler.max_epochs", min: 1)
        guard maxEpochs > grace else {
            throw ConfigError.outOfRange(key: "scheduler.max_epochs", value: String(maxEpochs),
                                         expected: "an integer > grace_epochs (\(grace)), else no trial is ever compared",
                                         at: reader.origin(maxNode))
        }
        self = .asha(ASHASettings(metric: metric, mode: mode, graceEpochs: grace, reductionFactor: eta,
                                  maxEpochs: maxEpochs))
    }
}
