import XCTest
import RealModule
@testable import TPEngine

/// The cosine schedule against its closed form, and its effect on an optimizer step.
final class LearningRateScheduleTests: XCTestCase {
    /// E = 4 epochs, floor 0.1·lr: epoch e runs at lr·(0.1 + 0.9·(1 + cos(π(e − 1)/4))/2).
    func testCosineMatchesTheClosedForm() {
        var settings = RunConfig.Optimizer()
        settings.lrSchedule = .cosine
        settings.lrMinFraction = 0.1
        let half = 0.5.squareRoot() / 2  // cos(π/4)/2
        let expected = [1, 0.1 + 0.9 * (0.5 + half), 0.55, 0.1 + 0.9 * (0.5 - half)].map { 0.2 * $0 }
        for (e, rate) in expected.enumerated() {
            XCTAssertEqual(settings.learningRate(base: 0.2, epoch: e + 1, of: 4), rate, accuracy: 1e-15, "epoch \(e + 1)")
        }
        // One epoch runs at the starting rate; no floor anneals to 0 (PyTorch's eta_min = 0).
        XCTAssertEqual(settings.learningRate(base: 0.2, epoch: 1, of: 1), 0.2)
        settings.lrMinFraction = 0
        XCTAssertEqual(settings.learningRate(base: 1, epoch: 101, of: 200), 0.5, accuracy: 1e-15)
        settings.lrSchedule = .constant
        XCTAssertEqual(settings.learningRate(base: 0.2, epoch: 3, of: 4), 0.2)
    }

    /// With a period T shorter than the run, the rates equal those PyTorch's CosineAnnealingLR
    /// steps to by its own recursion, including the rise after epoch T ([E22] runs T = 85 of 90).
    func testCosinePeriodFollowsPyTorchsRecursion() {
        var settings = RunConfig.Optimizer()
        settings.lrSchedule = .cosine
        settings.lrMinFraction = 0.1
        settings.lrPeriod = 7
        let (base, floor, period) = (0.08, 0.008, 7.0)
        var rate = base
        for t in 0..<20 {  // t = PyTorch's last_epoch, our epoch t + 1
            if t > 0 {
                // torch.optim.lr_scheduler.CosineAnnealingLR.get_lr, the chainable form.
                if (t - 1 - 7) % 14 == 0 {
                    rate += (base - floor) * (1 - Double.cos(Double.pi / period)) / 2
                } else {
                    rate = (1 + Double.cos(Double.pi * Double(t) / period))
                        / (1 + Double.cos(Double.pi * Double(t - 1) / period)) * (rate - floor) + floor
                }
            }
            XCTAssertEqual(settings.learningRate(base: base, epoch: t + 1, of: 20), rate, accuracy: 1e-12, "epoch \(t + 1)")
        }
    }

    /// `startEpoch` sets the rate that the next SGD step uses.
    func testOptimizerStepsWithTheScheduledRate() {
        var settings = RunConfig.Optimizer()
        settings.kind = .sgd
        settings.lrSchedule = .cosine
        let p = Parameter<Double>(name: "w", rows: 1, cols: 3)
        for i in 0..<3 { p.value.data[i] = 1; p.grad.data[i] = Double(i) }
        let sgd = Optimizer(settings, lr: 0.4, parameters: [p])
        sgd.startEpoch(2, of: 2)  // (1 + cos(π/2))/2 = ½
        XCTAssertEqual(sgd.learningRate, 0.2, accuracy: 1e-15)
        sgd.step()
        for i in 0..<3 { XCTAssertEqual(p.value.data[i], 1 - 0.2 * Double(i), accuracy: 1e-15) }
        XCTAssertEqual(sgd.baseLearningRate, 0.4)
    }
}
