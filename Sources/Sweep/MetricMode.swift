/// Whether smaller or larger values of a metric are better.
public enum MetricMode: String, CaseIterable, Sendable, Codable {
    case min, max

    /// `value` oriented so that larger is better, which lets one ranking serve both modes.
    func score(_ value: Double) -> Double {
        self == .max ? value : -value
    }
}
