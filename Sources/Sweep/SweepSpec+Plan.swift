import TPConfig

extension SweepSpec {
    /// Every trial of the sweep, in a fixed order.
    ///
    /// Grid parameters form a cartesian product in spec order, the last varying fastest. Each grid
    /// point g gets `samples` draws s from the sampler, point g·samples + s of its sequence, whose
    /// coordinates map in spec order onto the sampled parameters (a random point is independent of
    /// the others; Sobol blocks of a power-of-two size are balanced nets). A parameter whose
    /// conditions fail is left out. A parameter set that comes out twice (two equal draws, or a grid
    /// axis under a failing condition) is planned once: it is the same experiment, with the same id.
    /// Every grid point draws anew, so where a grid axis does not apply, the sampled parameters
    /// that do get one distinct draw per value of that axis. Each set runs once per seed, seeds
    /// innermost.
    ///
    /// Every trial's config is base ← parameters ← seed (← ASHA's max_epochs) resolved by
    /// `ConfigSpec`, so the method's defaults follow a `method` parameter. A config that does not
    /// validate throws `SweepError.trial`, naming the trial's parameters.
    public func plan() throws -> [Trial] {
        let grid: [(index: Int, values: [ConfigValue])] = parameters.indices.compactMap { i in
            if case .grid(let values) = parameters[i].distribution { return (i, values) }
            return nil
        }
        let sampled = parameters.indices.filter { parameters[$0].distribution.isSampled }
        let cube = sampler.unitCubeSampler(dimensions: sampled.count, seed: seed)
        let samples = cube == nil ? 1 : sampler.samples
        let gridPoints = grid.reduce(1) { $0 * $1.values.count }

        var trials: [Trial] = []
        var planned = Set<String>()
        var values: [ConfigValue?] = parameters.map {
            if case .fixed(let value) = $0.distribution { return value }
            return nil
        }
        for g in 0..<gridPoints {
            var rest = g
            for axis in grid.reversed() {
                values[axis.index] = axis.values[rest % axis.values.count]
                rest /= axis.values.count
            }
            for s in 0..<samples {
                if let cube {
                    let u = cube.point(g * samples + s)
                    for (d, i) in sampled.enumerated() { values[i] = parameters[i].distribution.value(at: u[d]) }
                }
                let applying = applicable(values)
                let chosen = applying.map { Trial.Parameter(key: parameters[$0].key, value: values[$0]!) }
                let canonical = Trial.canonicalText(chosen)
                guard planned.insert(canonical).inserted else { continue }
                // The seed touches no default and no cross-key rule, so one resolution serves all seeds.
                let config = try resolve(applying, values, index: trials.count)
                for runSeed in seeds {
                    var seeded = config
                    seeded.seed = runSeed
                    trials.append(Trial(id: Trial.id(sweep: name, canonicalParameters: canonical, seed: runSeed),
                                        index: trials.count, parameters: chosen, seed: runSeed, config: seeded))
                }
            }
        }
        return trials
    }

    /// The indices of the parameters that apply, in spec order. A condition holds when the
    /// parameter it tests applies and has one of the allowed values.
    private func applicable(_ values: [ConfigValue?]) -> [Int] {
        var applies = [Bool](repeating: false, count: parameters.count)
        for i in evaluationOrder {
            applies[i] = zip(parameters[i].conditions, conditionTargets[i]).allSatisfy { condition, target in
                applies[target] && condition.allowed.contains(values[target]!)
            }
        }
        return parameters.indices.filter { applies[$0] }
    }

    /// base ← the applying parameters (each with its spec line as origin) ← first seed ← epochs.
    private func resolve(_ applying: [Int], _ values: [ConfigValue?], index: Int) throws -> RunConfig {
        var spec = base
        do {
            for i in applying { try spec.set(parameters[i].key, to: values[i]!, origin: parameters[i].origin) }
            try spec.set("seed", to: .int(seeds[0]), origin: seedsOrigin)
            if let epochs = scheduler.epochsOverride {
                try spec.set("epochs", to: .int(epochs), origin: epochsOrigin ?? .parameter)
            }
            return try spec.resolve()
        } catch let error as ConfigError {
            let label = applying.map { "\(parameters[$0].key)=\(values[$0]!)" } + ["seed=\(seeds[0])"]
            throw SweepError.trial(index: index, parameters: label.joined(separator: " "), error: error)
        }
    }
}
