extension RunConfig {
    /// A floor for the learning rate only means something to a schedule that decays towards it.
    func checkSchedules(_ setting: (String) -> String) throws {
        for (name, settings) in [("optimizer", optimizer), ("fb_optimizer", fbOptimizer)]
        where settings.lrSchedule == .constant && settings.lrMinFraction != 0 {
            throw ConfigError.inconsistent(
                keys: ["\(name).lr_min_fraction", "\(name).lr_schedule"],
                problem: "\(setting("\(name).lr_min_fraction")) is the end point of a decaying schedule, but "
                    + "\(setting("\(name).lr_schedule")) keeps the rate fixed; set \(name).lr_schedule: cosine")
        }
    }
}
