import XCTest
import TPConfig

/// Defaults that depend on the network: [E22]'s CIFAR-10 settings of ldrl on LeNet and SimpleVGG,
/// chosen by the last `model.architecture` given, like the method's, and the augmentation keys.
final class ArchitectureDefaultsTests: XCTestCase {
    func testLDRLOnE22NetworksTakesE22Settings() throws {
        let lenet = try RunConfig.resolve(yaml: "method: ldrl\nmodel: {architecture: lenet}\n", source: "run.yaml")
        XCTAssertEqual(lenet.batchSize, 256)
        XCTAssertEqual(lenet.tp.beta, 0.4655)
        XCTAssertEqual(lenet.effectiveForwardLR, 0.03618)
        XCTAssertEqual(lenet.tp.fbSteps, [41, 51, 24])
        XCTAssertEqual(lenet.tp.fbSigma.count, 3)
        XCTAssertEqual(lenet.tp.fbLr.count, 3)

        // The architecture given last (here an override) picks the defaults, as the method does.
        let vgg = try RunConfig.resolve(yaml: "method: ldrl\nmodel: {architecture: lenet}\ntp: {beta: 0.5}\n",
                                        source: "run.yaml", overrides: ["model.architecture=simple-vgg"])
        XCTAssertEqual(vgg.tp.fbSteps, [20, 30, 35, 55, 20])
        XCTAssertEqual(vgg.tp.fbLr, [1e-4, 3.5e-4, 8e-3, 8e-3, 0.18])
        XCTAssertEqual(vgg.tp.fbSigma, [0.4, 0.4, 0.2, 0.2, 0.08])
        XCTAssertEqual(vgg.tp.beta, 0.5, "the user's key wins over the architecture's default")
        XCTAssertEqual(vgg.batchSize, 128)
        for config in [lenet, vgg] {
            XCTAssertEqual(config.epochs, 90)
            XCTAssertEqual(config.optimizer.kind, .sgd)
            XCTAssertEqual(config.optimizer.momentum, 0.9)
            XCTAssertEqual(config.optimizer.weightDecay, 1e-4)
            XCTAssertEqual(config.optimizer.lrSchedule, .cosine)
            XCTAssertEqual(config.optimizer.lrPeriod, 85)
            XCTAssertEqual(config.model.fbOrder, .activationFirst)
            // PyTorch's eta_min = 1e-5, as a fraction of the starting rate.
            XCTAssertEqual(config.optimizer.lrMinFraction * config.effectiveForwardLR, 1e-5, accuracy: 1e-18)
        }
    }

    /// A constant schedule chosen over E22's cosine drops the floor and period that came with it;
    /// a floor the user sets with a constant schedule is still an error.
    func testAConstantScheduleDropsTheDefaultCosinesFloorAndPeriod() throws {
        let config = try RunConfig.resolve(yaml: "method: ldrl\nmodel: {architecture: lenet}\n", source: "run.yaml",
                                           overrides: ["optimizer.lr_schedule=constant"])
        XCTAssertEqual([config.optimizer.lrMinFraction, Double(config.optimizer.lrPeriod)], [0, 0])
        XCTAssertEqual(try RunConfig.resolve(yaml: config.yamlString(), source: "printed"), config)
        XCTAssertThrowsError(try RunConfig.resolve(yaml: "method: ldrl\nmodel: {architecture: lenet}\n", source: "run.yaml",
                                                   overrides: ["optimizer.lr_schedule=constant", "optimizer.lr_period=85"]))
    }

    /// The fixed-point iteration and Jacobian matching read maps of the activation-last form.
    func testActivationFirstMapsRefuseWhatReadsTheOtherForm() {
        for (yaml, key) in [("method: iterative\nmodel: {fb_order: activation-first}\n", "method = iterative"),
                            ("method: ldrl\nmodel: {fb_order: activation-first}\nmetrics: {jacobian_matching: true}\n",
                             "metrics.jacobian_matching = true")] {
            XCTAssertThrowsError(try RunConfig.resolve(yaml: yaml, source: "run.yaml"), yaml) { error in
                let text = "\(error)"
                XCTAssertTrue(text.contains(key) && text.contains("model.fb_order = activation-first"), text)
            }
        }
    }

    /// Pairs no paper tuned keep the method's MLP reference, with the architecture set.
    func testOtherPairsKeepTheMethodsDefaults() {
        for (method, architecture) in [(Method.bp, Architecture.lenet), (.ddtpLinear, .m20CNN), (.ldrl, .m20CNN), (.ldrl, .mlp)] {
            var expected = RunConfig.defaults(for: method)
            expected.model.architecture = architecture
            XCTAssertEqual(RunConfig.defaults(for: method, architecture: architecture), expected, "\(method) on \(architecture)")
        }
    }

    func testAugmentationKeys() throws {
        let config = try RunConfig.resolve(yaml: "data: {dataset: cifar10, crop_padding: 4, horizontal_flip: true}\n",
                                           source: "run.yaml")
        XCTAssertEqual(config.data.cropPadding, 4)
        XCTAssertTrue(config.data.horizontalFlip)
        XCTAssertEqual(RunConfig().data.cropPadding, 0, "off by default")
        XCTAssertFalse(RunConfig().data.horizontalFlip)
        let bad: [(yaml: String, expect: [String])] = [
            ("data: {dataset: student-teacher, horizontal_flip: true}\nloss: {kind: mse}\n",
             ["data.horizontal_flip = true (run.yaml:1:51)", "data.dataset = student-teacher", "augments images"]),
            ("data: {crop_padding: -2}\n", ["data.crop_padding", "-2"]),
        ]
        for c in bad {
            XCTAssertThrowsError(try RunConfig.resolve(yaml: c.yaml, source: "run.yaml"), c.yaml) { error in
                for part in c.expect { XCTAssertTrue("\(error)".contains(part), "'\(part)' not in: \(error)") }
            }
        }
    }
}
