/// The networks `model.architecture` names (methods.md, "Architectures"), built for the data.
///
/// A CNN is conv blocks, then dense layers, then a linear (`model.output_activation`) output layer
/// as wide as the targets. The CNNs fix their own activations, as the papers do.
extension Network {
    /// The network of `config.model` for samples of `data` (the image shape a CNN needs comes from
    /// there) and `outputWidth` outputs. Throws `ConfigError` when the architecture cannot take
    /// these samples.
    static func make(_ config: RunConfig, data: Dataset<T>, outputWidth: Int,
                     using g: inout SeededGenerator) throws -> Network<T> {
        let model = config.model
        guard let plan = CNNPlan(model.architecture) else {
            let widths = [data.inputDim] + model.hidden + [outputWidth]
            let depth = widths.count - 1
            return Network(widths: widths, hidden: Activation(model.activation, slope: model.leakySlope),
                           output: Activation(model.outputActivation, slope: model.leakySlope),
                           maxBatch: config.batchSize, initialization: model.initialization,
                           biasFree: model.lastHiddenBias || depth < 2 ? [] : [depth - 2], using: &g)
        }
        guard let image = data.imageShape else {
            throw ConfigError.inconsistent(
                keys: ["model.architecture", "data.dataset"],
                problem: "model.architecture = \(model.architecture.rawValue) is a convolutional network, but the"
                    + " samples of \(data.name) are not images; use model.architecture: mlp")
        }
        do {
            return try plan.build(image: image, outputWidth: outputWidth,
                                  output: Activation(model.outputActivation, slope: model.leakySlope),
                                  maxBatch: config.batchSize, initialization: model.initialization, using: &g)
        } catch let error as GeometryError {
            throw ConfigError.inconsistent(
                keys: ["model.architecture", "data.dataset"],
                problem: "model.architecture = \(model.architecture.rawValue) does not fit the \(image) images of"
                    + " \(data.name): \(error)")
        }
    }
}

/// The layers of one of the papers' CNNs, before they are sized for an image.
struct CNNPlan {
    struct Block {
        let channels: Int, kernel: Int, padding: Int
        /// Max-pooling window, stride and padding; nil: no pooling.
        let pool: (window: Int, stride: Int, padding: Int)?
    }

    let blocks: [Block]
    /// Widths of the dense hidden layers between the last block and the output layer.
    let dense: [Int]
    let activation: Activation

    /// The plan of a convolutional `architecture`; nil for `mlp`.
    init?(_ architecture: Architecture) {
        // ELU with α = 1, PyTorch's default, which [E22]'s networks use.
        let elu = Activation(.elu, slope: 1)
        switch architecture {
        case .mlp:
            return nil
        case .m20CNN, .lenet:
            // [M20]'s CIFAR-10 CNN; [E22]'s LeNet is the same shape with ELU.
            let m20Block = { (channels: Int) in Block(channels: channels, kernel: 5, padding: 2, pool: (3, 2, 1)) }
            blocks = [m20Block(32), m20Block(64)]
            dense = [512]
            activation = architecture == .lenet ? elu : Activation(.tanh)
        case .simpleVGG:
            blocks = [128, 128, 256, 256, 512].map { Block(channels: $0, kernel: 3, padding: 1, pool: (2, 2, 0)) }
            dense = []
            activation = elu
        }
    }

    /// The initialised network for `image` inputs; throws `GeometryError` when a window does not fit.
    func build<T: Scalar>(image: ImageShape, outputWidth: Int, output: Activation, maxBatch: Int,
                          initialization: InitKind, using g: inout SeededGenerator) throws -> Network<T> {
        var layers: [Layer<T>] = [], shape = image
        func name() -> String { "layer\(layers.count + 1)" }
        for block in blocks {
            let geometry = try ConvGeometry(input: shape, outChannels: block.channels, kernel: block.kernel,
                                            padding: block.padding)
            let pooling = try block.pool.map {
                try PoolGeometry(input: geometry.output, window: $0.window, stride: $0.stride, padding: $0.padding)
            }
            let conv = ConvLayer<T>(name: name(), geometry: geometry, activation: activation, maxBatch: maxBatch,
                                    initialization: initialization, using: &g)
            layers.append(.conv(ConvBlock(conv: conv, pooling: pooling)))
            shape = pooling?.output ?? geometry.output
        }
        var fanIn = shape.count
        for (width, s) in dense.map({ ($0, activation) }) + [(outputWidth, output)] {
            let layer = DenseLayer<T>(name: name(), fanIn: fanIn, fanOut: width, activation: s, hasBias: true)
            Initialization.fill(layer.weight.value, initialization, using: &g)
            layers.append(.dense(layer))
            fanIn = width
        }
        return Network(layers: layers, maxBatch: maxBatch)
    }
}
