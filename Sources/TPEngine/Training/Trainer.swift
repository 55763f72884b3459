import Foundation

/// Trains one network with one learning rule on one data split. The per-batch order is the rule's
/// `batchOrder`: by default [M20]'s, forward pass → forward gradients from the targets (no step
/// yet) → one feedback step on the same batch → forward step; `epochs_fb` feedback-only epochs
/// before the first epoch, `extra_fb_epochs` after each one. Metrics are measured once the forward
/// gradients are there: in [M20]'s order before the feedback step, so that a diagnostic that
/// recomputes the update on a subsample uses the feedback that made it.
///
/// Generic over the concrete rule so the whole step compiles for one scalar type. Every buffer is
/// allocated here, once; a training step allocates nothing.
final class Trainer<Rule: LearningRule> {
    typealias T = Rule.T
    let config: RunConfig
    let data: DataSplits<T>
    let net: Network<T>
    let rule: Rule
    let loss: LossFunction
    let forwardOptimizer: Optimizer<T>
    /// One optimizer per feedback group of the rule, and each group's steps per batch.
    let feedbackOptimizers: [Optimizer<T>], feedbackSteps: [Int]
    let metrics: TrainingMetrics<T>
    /// ∂ℓ/∂h_L and the batch's targets.
    let outputGradient: Matrix<T>, batchTargets: Matrix<T>
    /// When the output layer is wider than the targets (GAIT-prop), the units the loss reads and
    /// their gradient; nil otherwise.
    let readout: Matrix<T>?, readoutGradient: Matrix<T>?
    var order: [Int32]
    var shuffleRNG: SeededGenerator, noiseRNG: SeededGenerator
    /// Random crop and flip of every training batch (`data.crop_padding`, `data.horizontal_flip`)
    /// with its own stream, so turning it on leaves the shuffles and the noise as they were.
    let augmenter: ImageAugmenter<T>?
    var augmentRNG: SeededGenerator
    /// Reconstruction losses summed over the epoch's feedback steps, the current batch's, and the
    /// number of batches the feedback trained on this epoch.
    var reconstruction: [Double], scratchLosses: [Double], feedbackBatches = 0

    init(config: RunConfig, data: DataSplits<T>) throws {
        self.config = config
        self.data = data
        var root = SeededGenerator(seed: UInt64(config.seed))
        var initRNG = root.fork(stream: 1)
        shuffleRNG = root.fork(stream: 2)
        noiseRNG = root.fork(stream: 3)
        augmentRNG = root.fork(stream: 4)
        augmenter = try ImageAugmenter.make(config.data, for: data.train)
        let targetWidth = data.train.targetDim
        let outputWidth = Rule.outputWidth(input: data.train.inputDim, target: targetWidth)
        try Rule.checkArchitecture(config)
        net = try Network.make(config, data: data.train, outputWidth: outputWidth, using: &initRNG)
        try Rule.check(widths: net.widths, config: config)
        rule = Rule(net: net, config: config, using: &initRNG)
        loss = LossFunction(config.loss.kind, reduction: config.loss.reduction)
        forwardOptimizer = Optimizer(config.optimizer, lr: config.effectiveForwardLR, parameters: net.parameters)
        let groups = rule.feedbackGroups
        feedbackOptimizers = groups.map {
            Optimizer(config.fbOptimizer, lr: $0.lr ?? config.fbOptimizer.lr, parameters: $0.parameters)
        }
        feedbackSteps = groups.map(\.steps)
        // Local copies: the closure is kept by the metrics, which self keeps, so capturing self
        // would be a retain cycle.
        let (rule, net) = (rule, net)
        metrics = try TrainingMetrics(net: net, config: config, feedback: rule.layerFeedback) { e in
            rule.forwardGradients(net, outputGradient: e)
        }
        outputGradient = Matrix(rows: config.batchSize, cols: outputWidth)
        batchTargets = Matrix(rows: config.batchSize, cols: targetWidth)
        let reads = outputWidth != targetWidth
        readout = reads ? Matrix(rows: config.batchSize, cols: targetWidth) : nil
        readoutGradient = reads ? Matrix(rows: config.batchSize, cols: targetWidth) : nil
        order = (0..<Int32(data.train.count)).map { $0 }
        reconstruction = Array(repeating: 0, count: rule.reconstructionLayers.count)
        scratchLosses = reconstruction
    }

    var trainsFeedback: Bool { !feedbackOptimizers.isEmpty }
    /// Whether the samples carry class labels (accuracy and model selection by it), whatever the loss.
    var classification: Bool { data.train.numClasses > 0 }

    func run(observer: (any TrainingObserver)?) -> RunResult {
        let start = Date()
        var result = RunResult(status: .completed, message: "", epochs: [],
                               reconstructionLayers: rule.reconstructionLayers,
                               seconds: 0)
        if trainsFeedback {
            for _ in 0..<config.tp.epochsFb { feedbackEpoch() }
        }
        for epoch in 1...config.epochs {
            for optimizer in [forwardOptimizer] + feedbackOptimizers { optimizer.startEpoch(epoch, of: config.epochs) }
            let report = trainEpoch(epoch)
            result.epochs.append(report)
            if ModelSelection.improves(report, on: result.best, classification: classification) {
                result.best = report
            }
            if !report.trainLoss.isFinite || (data.validation.count > 0 && !report.validationLoss.isFinite) {
                result.status = .diverged
                result.message = "loss is not finite at epoch \(epoch)"
                break
            }
            if config.prune.enabled, classification, epoch == config.prune.afterEpoch,
               report.trainAccuracy < config.prune.minTrainAccuracy {
                result.status = .pruned
                result.message = String(format: "training accuracy %.3f < %.3f after epoch %d",
                                        report.trainAccuracy, config.prune.minTrainAccuracy, epoch)
                break
            }
            if case let .prune(reason) = observer?.epochEnded(report, weights: weights) ?? .proceed {
                result.status = .pruned
                result.message = reason
                break
            }
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// What one pass over the training set measured.
    struct Pass {
        var lossSum = 0.0, correct = 0, batches = 0, diverged = false
        var batchLog: [BatchRecord] = []
    }

    /// One pass over the training set in the rule's per-batch order.
    func trainingPass() -> Pass {
        var pass = Pass()
        let batchOrder = rule.batchOrder
        forEachBatch { batchIndex in
            let eval = forwardAndLoss()
            pass.lossSum += eval.lossSum
            pass.correct += eval.correct
            pass.batches += 1
            guard eval.lossSum.isFinite else { pass.diverged = true; return false }
            switch batchOrder {
            case .targetsThenFeedback:
                // The feedback step leaves the forward gradients alone: the update measured is the
                // one the optimizer takes.
                rule.forwardGradients(net, outputGradient: outputGradient.ref)
                measureMetrics(batch: batchIndex, lossSum: eval.lossSum, into: &pass)
                feedbackStep()
            case .feedbackThenTargets:
                feedbackStep()
                rule.forwardGradients(net, outputGradient: outputGradient.ref)
                measureMetrics(batch: batchIndex, lossSum: eval.lossSum, into: &pass)
            case .alternatingEpochs:
                rule.forwardGradients(net, outputGradient: outputGradient.ref)
                measureMetrics(batch: batchIndex, lossSum: eval.lossSum, into: &pass)
            }
            forwardOptimizer.step()
            return true
        }
        return pass
    }

    /// Measures the metrics due on this batch, after its forward gradients, into the batch log.
    func measureMetrics(batch index: Int, lossSum: Double, into pass: inout Pass) {
        guard var record = metrics.measure(net, batch: index, batchesPerEpoch: batchesPerEpoch,
                                           outputGradient: outputGradient.ref) else { return }
        record.trainLoss = lossSum / Double(net.batch)
        pass.batchLog.append(record)
    }

    /// The training work of one epoch, without evaluation: under [L15]'s alternating order a
    /// feedback-only epoch first, then the pass that trains the forward weights, then [M20]'s
    /// `extra_fb_epochs` feedback-only epochs. What an epoch of the rule costs, as benchmarks time it.
    func epochWork() -> Pass {
        for i in reconstruction.indices { reconstruction[i] = 0 }
        feedbackBatches = 0
        if rule.batchOrder == .alternatingEpochs && trainsFeedback { feedbackEpoch() }
        let pass = trainingPass()
        if trainsFeedback && !pass.diverged {
            for _ in 0..<config.tp.extraFbEpochs { feedbackEpoch() }
        }
        return pass
    }

    /// One epoch's training, then evaluation.
    func trainEpoch(_ epoch: Int) -> EpochReport {
        let start = Date()
        metrics.beginEpoch(net)
        let pass = epochWork()
        let n = Double(max(order.count, 1))
        let (vl, va) = evaluate(data.validation)
        let (tl, ta) = evaluate(data.test)
        var report = EpochReport(
            epoch: epoch,
            trainLoss: pass.diverged ? .nan : pass.lossSum / n,
            trainAccuracy: classification ? Double(pass.correct) / n : .nan,
            validationLoss: vl, validationAccuracy: va, testLoss: tl, testAccuracy: ta,
            seconds: Date().timeIntervalSince(start),
            reconstructionLoss: reconstruction.map { $0 / Double(max(feedbackBatches, 1)) },
            bpAngle: [], weightNorm: metrics.weightNorms(net), updateNorm: metrics.updateNorms(net),
            batchLog: pass.batchLog)
        metrics.summarise(pass.batchLog, into: &report)
        return report
    }

    /// An epoch that trains only the feedback parameters (pre-training and extra epochs).
    func feedbackEpoch() {
        forEachBatch { _ in
            net.forward()
            feedbackStep()
            return true
        }
    }

    /// The feedback training of one batch: each group in turn (bottom-up for [E22]), its steps
    /// each a fresh gradient and an optimizer step. A group's losses are those of its last step.
    func feedbackStep() {
        guard trainsFeedback else { return }
        reconstruction.withUnsafeMutableBufferPointer { losses in
            scratchLosses.withUnsafeMutableBufferPointer { batchLosses in
                for g in feedbackOptimizers.indices {
                    for _ in 0..<feedbackSteps[g] {
                        rule.feedbackGradients(net, group: g, noise: &noiseRNG, losses: batchLosses)
                        feedbackOptimizers[g].step()
                    }
                }
                for i in losses.indices { losses[i] += batchLosses[i] }
            }
        }
        feedbackBatches += 1
    }

    var batchesPerEpoch: Int { (order.count + config.batchSize - 1) / config.batchSize }

    /// Shuffles the training order and loads each minibatch into the network's input; `body`
    /// returns false to end the epoch early.
    func forEachBatch(_ body: (Int) -> Bool) {
        shuffle(&order, using: &shuffleRNG)
        var start = 0, index = 0
        while start < order.count {
            let end = min(start + config.batchSize, order.count)
            net.setBatch(end - start)
            batchTargets.rows = end - start
            data.train.gatherBatch(indices: order[start..<end], inputs: net.input, targets: batchTargets.ref)
            augmenter?.apply(net.input, using: &augmentRNG)
            if !body(index) { return }
            start = end
            index += 1
        }
    }

    /// Forward pass of the loaded batch; ∂ℓ/∂h_L into `outputGradient`.
    func forwardAndLoss() -> LossFunction.Evaluation {
        net.forward()
        outputGradient.rows = net.batch
        guard let readout, let readoutGradient else {
            return loss.evaluate(output: net.output, targets: batchTargets.ref, grad: outputGradient.ref)
        }
        readoutGradient.rows = net.batch
        let eval = loss.evaluate(output: read(net.output, into: readout), targets: batchTargets.ref,
                                 grad: readoutGradient.ref)
        fill(outputGradient.ref, 0)
        let (k, n) = (readout.cols, outputGradient.cols)
        for r in 0..<net.batch {
            (outputGradient.data + r * n).update(from: readoutGradient.data + r * k, count: k)
        }
        return eval
    }

    /// The first `readout.cols` units of every row of `output`.
    func read(_ output: MatRef<T>, into readout: Matrix<T>) -> MatRef<T> {
        readout.rows = output.rows
        let (k, n) = (readout.cols, output.cols)
        for r in 0..<output.rows { (readout.data + r * k).update(from: output.base + r * n, count: k) }
        return readout.ref
    }

    /// Mean loss and accuracy over a data set, in chunks of the training batch size.
    func evaluate(_ set: Dataset<T>) -> (loss: Double, accuracy: Double) {
        guard set.count > 0 else { return (.nan, .nan) }
        var lossSum = 0.0, correct = 0, start = 0
        while start < set.count {
            let rows = min(config.batchSize, set.count - start)
            net.setBatch(rows)
            copy(set.inputs.prefix(start + rows).rows(start, rows), into: net.input)
            net.forward()
            let output = readout.map { read(net.output, into: $0) } ?? net.output
            let eval = loss.evaluate(output: output, targets: set.targets.prefix(start + rows).rows(start, rows),
                                     grad: nil)
            lossSum += eval.lossSum
            correct += eval.correct
            start += rows
        }
        let n = Double(set.count)
        return (lossSum / n, classification ? Double(correct) / n : .nan)
    }

    /// Copies of every forward and feedback parameter, for snapshots.
    func weights() -> [WeightTensor] {
        func copy(_ p: Parameter<T>, _ role: WeightTensor.Role) -> WeightTensor {
            WeightTensor(name: p.name, role: role, shape: [p.value.rows, p.value.cols],
                         values: p.value.toArray().map(Double.init))
        }
        return net.parameters.map { copy($0, .forward) } + rule.feedbackParameters.map { copy($0, .feedback) }
    }
}
