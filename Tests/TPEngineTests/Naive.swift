import Foundation
@testable import TPEngine

/// Scalar, one-sample-at-a-time versions of the engine's layer operations, written independently
/// of its kernels: the reference side of the target-formula tests.
enum Naive {
    static func activate(_ kind: ActivationKind, _ a: Double, slope: Double = 0.01) -> Double {
        switch kind {
        case .tanh: return tanh(a)
        case .linear: return a
        case .leakyRelu: return a > 0 ? a : slope * a
        case .relu: return max(a, 0)
        case .sigmoid: return 1 / (1 + exp(-a))
        case .elu: return a > 0 ? a : slope * (exp(a) - 1)
        }
    }

    static func derivative(_ kind: ActivationKind, _ a: Double, slope: Double = 0.01) -> Double {
        switch kind {
        case .tanh: return 1 - tanh(a) * tanh(a)
        case .linear: return 1
        case .leakyRelu: return a > 0 ? 1 : slope
        case .relu: return a > 0 ? 1 : 0
        case .sigmoid: let s = 1 / (1 + exp(-a)); return s * (1 - s)
        case .elu: return a > 0 ? 1 : slope * exp(a)
        }
    }

    /// W x + b for one sample.
    static func affine(_ layer: DenseLayer<Double>, _ x: [Double]) -> [Double] {
        let w = layer.weight.value
        precondition(x.count == w.cols)
        return (0..<w.rows).map { i in
            (0..<w.cols).reduce(layer.bias?.value[0, i] ?? 0) { $0 + w[i, $1] * x[$1] }
        }
    }

    /// s(W x + b) for one sample.
    static func apply(_ layer: DenseLayer<Double>, _ x: [Double]) -> [Double] {
        affine(layer, x).map { activate(layer.activation.kind, $0, slope: layer.activation.slope) }
    }

    static func row(_ m: Matrix<Double>, _ r: Int) -> [Double] { (0..<m.cols).map { m[r, $0] } }
    static func row(_ m: MatRef<Double>, _ r: Int) -> [Double] { (0..<m.cols).map { m[r, $0] } }

    static func add(_ x: [Double], _ y: [Double], _ a: Double = 1) -> [Double] { zip(x, y).map { $0 + a * $1 } }

    static func maxDifference(_ x: [Double], _ y: [Double]) -> Double {
        zip(x, y).map { abs($0 - $1) }.max() ?? 0
    }
}
