import XCTest
import TPConfig

/// The learning-rate schedule keys: parsed, range-checked, and refused where they would do nothing.
final class LRScheduleConfigTests: XCTestCase {
    func testCosineScheduleParses() throws {
        let config = try RunConfig.resolve(yaml: "optimizer:\n  lr_schedule: cosine\n  lr_min_fraction: 0.01\n",
                                           source: "run.yaml", overrides: ["fb_optimizer.lr_schedule=cosine"])
        XCTAssertEqual(config.optimizer.lrSchedule, .cosine)
        XCTAssertEqual(config.optimizer.lrMinFraction, 0.01)
        XCTAssertEqual(config.fbOptimizer.lrSchedule, .cosine)
        XCTAssertEqual(RunConfig().optimizer.lrSchedule, .constant, "the default keeps the rate fixed")
    }

    func testBadScheduleSettingsAreNamedErrors() {
        let cases: [(yaml: String, expect: [String])] = [
            ("optimizer:\n  lr_schedule: cosin",
             ["run.yaml:2:16", "optimizer.lr_schedule: unknown value 'cosin'", "constant, cosine"]),
            ("optimizer:\n  lr_schedule: cosine\n  lr_min_fraction: 1.0",
             ["optimizer.lr_min_fraction", "1.0", "in [0, 1)"]),
            ("fb_optimizer:\n  lr_min_fraction: 0.1",
             ["fb_optimizer.lr_min_fraction = 0.1 (run.yaml:2:20)", "fb_optimizer.lr_schedule = constant (default)",
              "set fb_optimizer.lr_schedule: cosine"]),
            ("optimizer:\n  lr_period: 85",
             ["optimizer.lr_period = 85 (run.yaml:2:14)", "optimizer.lr_schedule = constant (default)"]),
            ("optimizer:\n  lr_schedule: cosine\n  lr_period: -1", ["optimizer.lr_period", "-1"]),
        ]
        for c in cases {
            XCTAssertThrowsError(try RunConfig.resolve(yaml: c.yaml, source: "run.yaml"), c.yaml) { error in
                for part in c.expect { XCTAssertTrue("\(error)".contains(part), "'\(part)' not in: \(error)") }
            }
        }
    }
}
