/// The damping search of the GNT and GN angles [M20]: a layer's angle for every candidate λ, and
/// the smallest of them with the λ that gave it.
enum AngleSearch {
    /// The smallest angle of `angles` (one per candidate of `dampings`) and its λ. Angles that are
    /// NaN (a zero update) are skipped; NaN with the first λ when all are.
    static func smallest(_ angles: [Double], of dampings: [Double]) -> (angle: Double, damping: Double) {
        var best = (angle: Double.nan, damping: dampings.first ?? 0)
        for (angle, lambda) in zip(angles, dampings) where best.angle.isNaN || angle < best.angle {
            best = (angle, lambda)
        }
        return best
    }
}

/// Per layer and candidate λ, the sum over an epoch's measured batches of the angle it gave. The
/// epoch reports, per layer, the λ whose mean angle is smallest and that mean: one λ that serves
/// the whole epoch, where averaging each batch's best λ would report a λ no batch used and an
/// angle no single λ reaches.
struct AngleSearchTotals {
    private(set) var sums: [[Double]] = [], batches = 0

    /// Adds one batch's angles, per layer and candidate.
    mutating func add(_ angles: [[Double]]) {
        sums = sums.isEmpty ? angles : zip(sums, angles).map { zip($0, $1).map(+) }
        batches += 1
    }

    /// Per layer, the smallest epoch-mean angle over the candidates `dampings[l]` and its λ.
    func epochBest(dampings: [[Double]]) -> (angles: [Double], dampings: [Double]) {
        let best = sums.indices.map { l in
            AngleSearch.smallest(sums[l].map { $0 / Double(batches) }, of: dampings[l])
        }
        return (best.map(\.angle), best.map(\.damping))
    }
}
