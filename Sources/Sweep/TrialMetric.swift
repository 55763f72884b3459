/// A metric a trial reports per epoch that a scheduler may rank trials by.
public enum TrialMetric: String, CaseIterable, Sendable, Codable {
    case trainLoss = "train_loss"
    case trainAccuracy = "train_accuracy"
    case validationLoss = "validation_loss"
    case validationAccuracy = "validation_accuracy"
    case testLoss = "test_loss"
    case testAccuracy = "test_accuracy"

    /// Losses are minimised, accuracies maximised; what `mode` defaults to in a spec.
    public var defaultMode: MetricMode {
        switch self {
        case .trainLoss, .validationLoss, .testLoss: return .min
        case .trainAccuracy, .validationAccuracy, .testAccuracy: return .max
        }
    }
}
