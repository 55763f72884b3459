/// Element-wise kernels over matrix views. Plain loops over contiguous storage: the optimiser
/// vectorises them, and `@inlinable` lets them specialise for Float and Double in callers.

@inlinable public func fill<T: Scalar>(_ x: MatRef<T>, _ value: T) {
    x.base.update(repeating: value, count: x.count)
}

@inlinable public func copy<T: Scalar>(_ x: MatRef<T>, into y: MatRef<T>) {
    precondition(x.count == y.count, "copy: \(x.count) into \(y.count) values")
    y.base.update(from: x.base, count: x.count)
}

@inlinable public func scale<T: Scalar>(_ x: MatRef<T>, by a: T) {
    if a == 1 { return }
    if a == 0 { fill(x, 0); return }
    let p = x.base
    for i in 0..<x.count { p[i] *= a }
}

/// y ← y + a·x
@inlinable public func axpy<T: Scalar>(_ a: T, _ x: MatRef<T>, _ y: MatRef<T>) {
    precondition(x.count == y.count)
    let (px, py) = (x.base, y.base)
    for i in 0..<x.count { py[i] += a * px[i] }
}

/// z ← a·(x − y)
@inlinable public func difference<T: Scalar>(_ x: MatRef<T>, _ y: MatRef<T>, into z: MatRef<T>, scale a: T = 1) {
    precondition(x.count == y.count && x.count == z.count)
    let (px, py, pz) = (x.base, y.base, z.base)
    for i in 0..<x.count { pz[i] = a * (px[i] - py[i]) }
}

/// z ← x + y
@inlinable public func add<T: Scalar>(_ x: MatRef<T>, _ y: MatRef<T>, into z: MatRef<T>) {
    precondition(x.count == y.count && x.count == z.count)
    let (px, py, pz) = (x.base, y.base, z.base)
    for i in 0..<x.count { pz[i] = px[i] + py[i] }
}

/// z ← x + y − w: the difference correction of DTP, g(τ) + h − g(h), in one pass.
@inlinable public func addDifference<T: Scalar>(_ x: MatRef<T>, plus y: MatRef<T>, minus w: MatRef<T>,
                                                into z: MatRef<T>) {
    precondition(x.count == y.count && x.count == w.count && x.count == z.count)
    let (px, py, pw, pz) = (x.base, y.base, w.base, z.base)
    for i in 0..<x.count { pz[i] = px[i] + py[i] - pw[i] }
}

/// x ← x ⊙ y
@inlinable public func multiply<T: Scalar>(_ x: MatRef<T>, by y: MatRef<T>) {
    precondition(x.count == y.count)
    let (px, py) = (x.base, y.base)
    for i in 0..<x.count { px[i] *= py[i] }
}

/// Adds the row vector `b` (1×cols) to every row of `x`.
@inlinable public func addRow<T: Scalar>(_ b: MatRef<T>, to x: MatRef<T>) {
    precondition(b.count == x.cols)
    let pb = b.base
    for r in 0..<x.rows {
        let row = x.base + r * x.cols
        for c in 0..<x.cols { row[c] += pb[c] }
    }
}

/// Σ x⊙y over all elements (the Frobenius inner product), accumulated in Double.
@inlinable public func dot<T: Scalar>(_ x: MatRef<T>, _ y: MatRef<T>) -> Double {
    precondition(x.count == y.count)
    var s = 0.0
    let (px, py) = (x.base, y.base)
    for i in 0..<x.count { s += Double(px[i]) * Double(py[i]) }
    return s
}

/// Σ x² over all elements, accumulated in Double.
@inlinable public func sumOfSquares<T: Scalar>(_ x: MatRef<T>) -> Double { dot(x, x) }

/// True when every element is finite.
@inlinable public func allFinite<T: Scalar>(_ x: MatRef<T>) -> Bool {
    let p = x.base
    var ok = true
    for i in 0..<x.count { ok = ok && p[i].isFinite }
    return ok
}
