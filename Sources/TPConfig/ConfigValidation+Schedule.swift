extension RunConfig {
    /// A floor or a period for the learning rate only means something to a schedule that decays.
    func checkSchedules(_ setting: (String) -> String) throws {
        for (name, settings) in [("optimizer", optimizer), ("fb_optimizer", fbOptimizer)]
        where settings.lrSchedule == .constant {
            for (key, isSet) in [("lr_min_fraction", settings.lrMinFraction != 0), ("lr_period", settings.lrPeriod != 0)]
            where isSet {
                throw ConfigError.inconsistent(
                    keys: ["\(name).\(key)", "\(name).lr_schedule"],
                    problem: "\(setting("\(name).\(key)")) shapes a decaying schedule, but "
                        + "\(setting("\(name).lr_schedule")) keeps the rate fixed; set \(name).lr_schedule: cosine")
            }
        }
    }
}
