extension RunConfig.TP {
    /// `ldrl`'s settings of each of `layers` feedback layers, bottom-up: steps K, noise σ and
    /// learning rate (nil: `fb_optimizer.lr`). A list of one serves every layer; an empty list
    /// gives the fallback (1 step, `tp.sigma`). `validate()` has checked the lengths.
    public func feedbackLayerSettings(layers: Int) -> (steps: [Int], sigma: [Double], lr: [Double?]) {
        (fbSteps.perLayer(layers, otherwise: 1),
         fbSigma.perLayer(layers, otherwise: sigma),
         fbLr.map(Optional.some).perLayer(layers, otherwise: nil))
    }
}

extension Array {
    /// One value per layer from a per-layer setting of zero, one or `layers` values (the lengths
    /// `RunConfig.validate()` accepts).
    public func perLayer(_ layers: Int, otherwise fallback: Element) -> [Element] {
        switch count {
        case 0: return Array(repeating: fallback, count: layers)
        case 1: return Array(repeating: self[0], count: layers)
        default: return self
        }
    }
}
