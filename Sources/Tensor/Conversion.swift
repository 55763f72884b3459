/// Copies `source` into `destination` element by element, converting the scalar type: the
/// Gauss–Newton diagnostics and solves work in Float64 on matrices the network holds in T.
@inlinable public func convert<S: Scalar, D: Scalar>(_ source: MatRef<S>, into destination: MatRef<D>) {
    precondition(source.count == destination.count)
    let (from, to) = (source.base, destination.base)
    for i in 0..<source.count { to[i] = D(from[i]) }
}
