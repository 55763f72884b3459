import XCTest
@testable import TPConfig
@testable import TPEngine

/// The direct-feedback rules on conv nets, as [M20] trains its CIFAR CNN: Q_o maps the output to
/// each block's flattened output and the noise probe runs through the blocks, in `ddtp-linear`,
/// `ddtp-control` (trained without the difference correction) and `dfa` (frozen).
final class DirectFeedbackConvTests: XCTestCase {
    /// Central differences of each level's feedback loss (noise held fixed) on `TestNet.conv`,
    /// plain and `deep` (two conv blocks with probes of their own).
    func checkDirectFeedbackGradients<R: LearningRule>(_: R.Type, method: Method,
                                                       file: StaticString = #filePath, line: UInt = #line) throws
    where R.T == Double {
        for deep in [false, true] {
            let net = try TestNet.conv(batch: 4, deep: deep)
            var config = RunConfig.defaults(for: method)
            config.tp.sigma = 0.3
            var g = SeededGenerator(seed: 5)
            let rule = R(net: net, config: config, using: &g)
            assertFeedbackGradientsMatchFiniteDifferences(rule, net, every: 3, file: file, line: line)
        }
    }

    func testDDTPLinearFeedbackGradientOnConvBlocksMatchesFiniteDifferences() throws {
        try checkDirectFeedbackGradients(DDTPLinear<Double>.self, method: .ddtpLinear)
    }

    func testDDTPControlFeedbackGradientOnConvBlocksMatchesFiniteDifferences() throws {
        try checkDirectFeedbackGradients(DDTPControl<Double>.self, method: .ddtpControl)
    }

    /// A few epochs of `method` with its [M20] defaults on M20's CNN, through `train` on tiny files
    /// in the CIFAR-10 format, lower the training loss below `fraction` of the first epoch's.
    func checkTrainingM20CNNReducesTheLoss(_ method: Method, epochs: Int, fraction: Double,
                                           file: StaticString = #filePath, line: UInt = #line) throws {
        let fixture = try CIFARFixture()
        defer { fixture.remove() }
        fixture.writeLearnable(perFile: 13)
        var config = fixture.trainingConfig(method, .m20CNN, epochs: epochs)
        config.tp.epochsFb = min(config.tp.epochsFb, 1)
        let result = try train(config)
        XCTAssertEqual(result.status, .completed, result.message, file: file, line: line)
        let losses = result.epochs.map(\.trainLoss)
        XCTAssertLessThan(losses.last!, fraction * losses[0], "\(method) training loss per epoch: \(losses)",
                          file: file, line: line)
    }

    /// Measured: 2.54, 2.28, 1.99, 1.81, 1.92.
    func testTrainingM20CNNWithDFAReducesTheLoss() throws {
        try checkTrainingM20CNNReducesTheLoss(.dfa, epochs: 5, fraction: 0.9)
    }

    /// Measured: 2.35, 2.14, 1.88, 1.87, 1.75.
    func testTrainingM20CNNWithDDTPControlReducesTheLoss() throws {
        try checkTrainingM20CNNReducesTheLoss(.ddtpControl, epochs: 5, fraction: 0.9)
    }
}
