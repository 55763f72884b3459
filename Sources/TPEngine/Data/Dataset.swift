/// Samples as matrix rows: inputs N×d and targets N×k, in the element type the network computes in.
///
/// Classification targets are one-hot rows and `labels` holds each row's class; regression has
/// real-valued targets, no labels and `numClasses == 0`. The storage is never changed after loading.
public final class Dataset<T: Scalar>: Sendable {
    public let name: String
    public let inputs: Matrix<T>
    public let targets: Matrix<T>
    public let labels: [Int32]
    public let numClasses: Int
    /// The shape of each input row as an NHWC image; nil when samples are not images.
    public let imageShape: ImageShape?
    /// Per channel, the value a black (zero) pixel has after normalisation: what the border of a
    /// shifted image shows (`ImageAugmenter`). Empty when samples are not images.
    public let blackPixel: [T]

    public init(name: String, inputs: Matrix<T>, targets: Matrix<T>, labels: [Int32], numClasses: Int,
                imageShape: ImageShape? = nil, blackPixel: [T] = []) {
        precondition(inputs.rows == targets.rows, "\(name): \(inputs.rows) inputs, \(targets.rows) targets")
        // Regression has no labels; a classification set has one per row (none when it is empty,
        // as the validation set of `validation_size: 0`).
        precondition(numClasses == 0 ? labels.isEmpty : labels.count == inputs.rows && numClasses == targets.cols,
                     "\(name): \(labels.count) labels and \(numClasses) classes for \(inputs.rows)×\(targets.cols) targets")
        self.name = name
        self.inputs = inputs
        self.targets = targets
        self.labels = labels
        self.numClasses = numClasses
        precondition(imageShape.map { $0.count == inputs.cols } ?? true, "\(name): \(inputs.cols) inputs are not \(imageShape!) images")
        precondition(blackPixel.count == (imageShape?.channels ?? 0),
                     "\(name): \(blackPixel.count) black-pixel values for \(imageShape.map(\.description) ?? "non-image") samples")
        self.imageShape = imageShape
        self.blackPixel = blackPixel
    }

    /// Number of samples.
    public var count: Int { inputs.rows }
    public var inputDim: Int { inputs.cols }
    public var targetDim: Int { targets.cols }

    /// Copies the rows `indices` into the minibatch buffers, row b of each buffer from sample
    /// `indices[b]`. Called for every batch, so it allocates nothing: the buffers' row counts
    /// must already equal the batch size.
    public func gatherBatch(indices: ArraySlice<Int32>, inputs batchInputs: MatRef<T>, targets batchTargets: MatRef<T>) {
        let (d, k, n) = (inputs.cols, targets.cols, count)
        precondition(batchInputs.rows == indices.count && batchInputs.cols == d
                     && batchTargets.rows == indices.count && batchTargets.cols == k,
                     "gatherBatch: \(indices.count) indices into \(batchInputs.rows)×\(batchInputs.cols) inputs "
                     + "and \(batchTargets.rows)×\(batchTargets.cols) targets; samples are \(d) → \(k)")
        var b = 0
        for i in indices {
            let row = Int(i)
            precondition(row >= 0 && row < n, "gatherBatch: index \(row) outside 0..<\(n)")
            (batchInputs.base + b * d).update(from: inputs.data + row * d, count: d)
            (batchTargets.base + b * k).update(from: targets.data + row * k, count: k)
            b += 1
        }
    }
}

/// The three parts a run uses: fit on `train`, select on `validation`, report on `test`.
public struct DataSplits<T: Scalar>: Sendable {
    public let train: Dataset<T>
    public let validation: Dataset<T>
    public let test: Dataset<T>

    public init(train: Dataset<T>, validation: Dataset<T>, test: Dataset<T>) {
        self.train = train
        self.validation = validation
        self.test = test
    }
}
