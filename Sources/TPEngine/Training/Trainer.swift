import Foundation

/// Trains one network with one learning rule on one data split, in the per-minibatch order of
/// [M20]: forward pass → forward gradients from the targets (no step yet) → one feedback step on
/// the same batch → metrics → forward step; `epochs_fb` feedback-only epochs before the first
/// epoch, `extra_fb_epochs` after each one.
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
    let feedbackOptimizer: Optimizer<T>?
    let metrics: TrainingMetrics<T>
    /// ∂ℓ/∂h_L and the batch's targets.
    let outputGradient: Matrix<T>, batchTargets: Matrix<T>
    var order: [Int32]
    var shuffleRNG: SeededGenerator, noiseRNG: SeededGenerator
    /// Reconstruction losses summed over the epoch, and the current batch's.
    var reconstruction: [Double], scratchLosses: [Double]

    init(config: RunConfig, data: DataSplits<T>) {
        self.config = config
        self.data = data
        var root = SeededGenerator(seed: UInt64(config.seed))
        var initRNG = root.fork(stream: 1)
        shuffleRNG = root.fork(stream: 2)
        noiseRNG = root.fork(stream: 3)
        let widths = [data.train.inputDim] + config.model.hidden + [data.train.targetDim]
        let depth = widths.count - 1
        net = Network(widths: widths,
                      hidden: Activation(config.model.activation, slope: config.model.leakySlope),
                      output: Activation(config.model.outputActivation, slope: config.model.leakySlope),
                      maxBatch: config.batchSize, initialization: config.model.initialization,
                      biasFree: config.model.lastHiddenBias || depth < 2 ? [] : [depth - 2],
                      using: &initRNG)
        rule = Rule(net: net, config: config, using: &initRNG)
        loss = LossFunction(config.loss.kind, reduction: config.loss.reduction)
        forwardOptimizer = Optimizer(config.optimizer, lr: config.effectiveForwardLR, parameters: net.parameters)
        let fb = rule.feedbackParameters
        feedbackOptimizer = fb.isEmpty ? nil : Optimizer(config.fbOptimizer, lr: config.fbOptimizer.lr, parameters: fb)
        metrics = TrainingMetrics(net: net, bpAngles: config.metrics.bpAngles)
        outputGradient = Matrix(rows: config.batchSize, cols: widths[depth])
        batchTargets = Matrix(rows: config.batchSize, cols: widths[depth])
        order = (0..<Int32(data.train.count)).map { $0 }
        reconstruction = Array(repeating: 0, count: rule.reconstructionLayers.count)
        scratchLosses = reconstruction
    }

    func run(observer: (any TrainingObserver)?) -> RunResult {
        let start = Date()
        var result = RunResult(status: .completed, message: "", epochs: [],
                               reconstructionLayers: rule.reconstructionLayers,
                               seconds: 0)
        if feedbackOptimizer != nil {
            for _ in 0..<config.tp.epochsFb { feedbackEpoch() }
        }
        for epoch in 1...config.epochs {
            let report = trainEpoch(epoch)
            result.epochs.append(report)
            if ModelSelection.improves(report, on: result.best, classification: loss.isClassification) {
                result.best = report
            }
            if !report.trainLoss.isFinite || (data.validation.count > 0 && !report.validationLoss.isFinite) {
                result.status = .diverged
                result.message = "loss is not finite at epoch \(epoch)"
                break
            }
            if config.prune.enabled, loss.isClassification, epoch == config.prune.afterEpoch,
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

    /// One pass over the training set in the M20 per-batch order.
    func trainingPass() -> Pass {
        var pass = Pass()
        for i in reconstruction.indices { reconstruction[i] = 0 }
        forEachBatch { batchIndex in
            let eval = forwardAndLoss()
            pass.lossSum += eval.lossSum
            pass.correct += eval.correct
            pass.batches += 1
            guard eval.lossSum.isFinite else { pass.diverged = true; return false }
            rule.forwardGradients(net, outputGradient: outputGradient.ref)
            feedbackStep()
            if metrics.due(batch: batchIndex, interval: config.metrics.logInterval,
                           batchesPerEpoch: batchesPerEpoch) {
                let angles = metrics.measureBPAngles(net, outputGradient: outputGradient.ref)
                pass.batchLog.append(BatchRecord(batch: batchIndex, trainLoss: eval.lossSum / Double(net.batch),
                                            bpAngle: angles))
            }
            forwardOptimizer.step()
            return true
        }
        return pass
    }

    /// One training pass, then extra feedback epochs and evaluation.
    func trainEpoch(_ epoch: Int) -> EpochReport {
        let start = Date()
        metrics.beginEpoch(net)
        let pass = trainingPass()
        if feedbackOptimizer != nil && !pass.diverged {
            for _ in 0..<config.tp.extraFbEpochs { feedbackEpoch() }
        }
        let n = Double(max(order.count, 1))
        let (vl, va) = evaluate(data.validation)
        let (tl, ta) = evaluate(data.test)
        return EpochReport(
            epoch: epoch,
            trainLoss: pass.diverged ? .nan : pass.lossSum / n,
            trainAccuracy: loss.isClassification ? Double(pass.correct) / n : .nan,
            validationLoss: vl, validationAccuracy: va, testLoss: tl, testAccuracy: ta,
            seconds: Date().timeIntervalSince(start),
            reconstructionLoss: reconstruction.map { $0 / Double(max(pass.batches, 1)) },
            bpAngle: metrics.meanAngles(pass.batchLog.map(\.bpAngle)),
            weightNorm: metrics.weightNorms(net), updateNorm: metrics.updateNorms(net),
            batchLog: pass.batchLog)
    }

    /// An epoch that trains only the feedback parameters (pre-training and extra epochs).
    func feedbackEpoch() {
        forEachBatch { _ in
            net.forward()
            feedbackStep()
            return true
        }
    }

    func feedbackStep() {
        guard let feedbackOptimizer else { return }
        reconstruction.withUnsafeMutableBufferPointer { losses in
            scratchLosses.withUnsafeMutableBufferPointer { batchLosses in
                rule.feedbackGradients(net, noise: &noiseRNG, losses: batchLosses)
                for i in losses.indices { losses[i] += batchLosses[i] }
            }
        }
        feedbackOptimizer.step()
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
            if !body(index) { return }
            start = end
            index += 1
        }
    }

    /// Forward pass of the loaded batch; ∂ℓ/∂h_L into `outputGradient`.
    func forwardAndLoss() -> LossFunction.Evaluation {
        net.forward()
        outputGradient.rows = net.batch
        return loss.evaluate(output: net.output, targets: batchTargets.ref, grad: outputGradient.ref)
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
            let eval = loss.evaluate(output: net.output, targets: set.targets.prefix(start + rows).rows(start, rows),
                                     grad: nil)
            lossSum += eval.lossSum
            correct += eval.correct
            start += rows
        }
        let n = Double(set.count)
        return (lossSum / n, loss.isClassification ? Double(correct) / n : .nan)
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
