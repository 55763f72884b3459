/// A point-wise nonlinearity s, with what the rules need of it: s itself, s' (for gradients and
/// local losses) and, where it exists, s⁻¹ (for exact inverses).
public struct Activation: Sendable, Equatable {
    public let kind: ActivationKind
    /// Negative-side slope of leaky-ReLU and scale of ELU.
    public let slope: Double

    public init(_ kind: ActivationKind, slope: Double = 0.01) {
        self.kind = kind
        self.slope = slope
    }

    /// h ← s(a + b): adds the bias row `b` (if any) to `a` in place, then applies s into `h`.
    /// Keeping the biased pre-activation in `a` is what s' needs later.
    public func apply<T: Scalar>(_ a: MatRef<T>, bias b: MatRef<T>?, into h: MatRef<T>) {
        if let b { addRow(b, to: a) }
        let (pa, ph, n) = (a.base, h.base, a.count)
        switch kind {
        case .tanh: T.tanh(pa, ph, count: n)
        case .sigmoid:
            for i in 0..<n { ph[i] = -pa[i] }
            T.exp(ph, ph, count: n)
            for i in 0..<n { ph[i] = 1 / (1 + ph[i]) }
        case .relu:
            for i in 0..<n { ph[i] = max(pa[i], 0) }
        case .leakyRelu:
            let s = T(slope)
            for i in 0..<n { ph[i] = pa[i] > 0 ? pa[i] : s * pa[i] }
        case .elu:
            let s = T(slope)
            T.exp(pa, ph, count: n)
            for i in 0..<n { ph[i] = pa[i] > 0 ? pa[i] : s * (ph[i] - 1) }
        case .linear:
            if pa != ph { ph.update(from: pa, count: n) }
        }
    }

    /// δ ← δ ⊙ s'(a), reading s' from the pre-activation `a` and the output `h = s(a)`, whichever
    /// is cheaper (tanh' = 1 − h², σ' = h(1 − h), ELU' = h + α on the negative side).
    public func multiplyDerivative<T: Scalar>(_ delta: MatRef<T>, a: MatRef<T>, h: MatRef<T>) {
        let (pd, pa, ph, n) = (delta.base, a.base, h.base, delta.count)
        switch kind {
        case .tanh:
            for i in 0..<n { pd[i] *= 1 - ph[i] * ph[i] }
        case .sigmoid:
            for i in 0..<n { pd[i] *= ph[i] * (1 - ph[i]) }
        case .relu:
            for i in 0..<n { pd[i] = pa[i] > 0 ? pd[i] : 0 }
        case .leakyRelu:
            let s = T(slope)
            for i in 0..<n { pd[i] *= pa[i] > 0 ? 1 : s }
        case .elu:
            let s = T(slope)
            for i in 0..<n { pd[i] *= pa[i] > 0 ? 1 : ph[i] + s }
        case .linear:
            break
        }
    }

    /// Whether s is invertible on its whole range (needed by exact-inverse rules).
    public var isInvertible: Bool {
        switch kind {
        case .relu: return false
        case .leakyRelu, .elu: return slope > 0
        case .tanh, .sigmoid, .linear: return true
        }
    }
}
