/// Draws points of the unit cube [0, 1)^d by index, so any trial's values can be recomputed on
/// their own and in any order. The plan maps coordinate k through the quantile function of the
/// k-th sampled parameter; a sampler knows nothing of parameters.
protocol UnitCubeSampler: Sendable {
    var dimensions: Int { get }
    func point(_ index: Int) -> [Double]
}
