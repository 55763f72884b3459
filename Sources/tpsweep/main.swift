import TPEngine
import Foundation
var c = RunConfig()
c.method = Method(rawValue: CommandLine.arguments[1])!
c.epochs = Int(CommandLine.arguments[2])!
c.data.trainSubset = 10000
if c.method == .ddtpLinear { c.tp.beta = 0.0173; c.optimizer.lr = 5.05e-4 * 0.0173; c.optimizer.beta1 = 0.99; c.optimizer.eps = 1.73e-8; c.fbOptimizer.lr = 7.96e-4; c.fbOptimizer.beta1 = 0.99; c.fbOptimizer.beta2 = 0.9; c.fbOptimizer.eps = 3.11e-8; c.fbOptimizer.weightDecay = 5.78e-6 }
if c.method == .dfa { c.tp.beta = 1; c.optimizer.lr = 9.4e-4 }
if c.method == .drl { c.tp.beta = 0.0866; c.tp.sigma = 0.0843; c.optimizer.lr = 8.2e-4 * 0.0866; c.optimizer.beta1 = 0.99; c.optimizer.beta2 = 0.999; c.fbOptimizer.lr = 9.7e-5; c.fbOptimizer.beta1 = 0.99; c.fbOptimizer.beta2 = 0.9;c.fbOptimizer.weightDecay = 2.14e-5 }
struct P: TrainingObserver { func epochEnded(_ r: EpochReport, weights: () -> [WeightTensor]) -> TrainingDecision { print(r.epoch, r.trainLoss, r.trainAccuracy, r.testAccuracy, r.seconds, r.reconstructionLoss); return .proceed } }
let r = try train(c, observer: P())
print(r.status, r.testAccuracyAtBest ?? -1)
