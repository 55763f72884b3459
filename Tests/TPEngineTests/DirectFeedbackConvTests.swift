import XCTest
@testable import TPConfig
@testable import TPEngine

/// The direct-feedback rules on conv nets, as [M20] trains its CIFAR CNN: Q_o maps the output to
/// each block's flattened output and the noise probe runs through the blocks, in `ddtp-linear`,
/// `ddtp-control` (trained without the difference correction) and `dfa` (frozen).
final class DirectFeedbackConvTests: XCTestCase {
    func testDDTPLinearFeedbackGradientOnConvBlocksMatchesFiniteDifferences() throws {
        try checkConvFeedbackGradients(DDTPLinear<Double>.self, method: .ddtpLinear)
    }

    func testDDTPControlFeedbackGradientOnConvBlocksMatchesFiniteDifferences() throws {
        try checkConvFeedbackGradients(DDTPControl<Double>.self, method: .ddtpControl)
    }

    /// [M20]'s defaults on M20's CNN, one feedback pre-training epoch instead of six (measured:
    /// 2.54, 2.28, 1.99, 1.81, 1.92).
    func testTrainingM20CNNWithDFAReducesTheLoss() throws {
        try checkTrainingReducesTheLoss(.dfa, .m20CNN, epochs: 5, fraction: 0.9)
    }

    /// As dfa (measured: 2.35, 2.14, 1.88, 1.87, 1.75).
    func testTrainingM20CNNWithDDTPControlReducesTheLoss() throws {
        try checkTrainingReducesTheLoss(.ddtpControl, .m20CNN, epochs: 5, fraction: 0.9) { $0.tp.epochsFb = 1 }
    }
}
