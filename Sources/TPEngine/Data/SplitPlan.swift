/// Which rows of a source's training pool and test set go into each part of a run's data.
///
/// The validation rows come first in a seeded permutation of the training pool and the training
/// rows follow in that order, so `trainSubset` changes neither the validation set nor which rows a
/// smaller subset keeps. The test subset is a prefix of the test set in file order, independent of
/// the seed, so every trial of a sweep reports on the same test samples.
struct SplitPlan: Equatable {
    let train: [Int]
    let validation: [Int]
    let test: [Int]

    /// Parameter checks that need no data, so a bad run config fails before any file is read.
    static func checkSizes(validationSize: Int, trainSubset: Int, testSubset: Int) throws {
        for (name, value) in [("validationSize", validationSize), ("trainSubset", trainSubset),
                              ("testSubset", testSubset)] where value < 0 {
            throw DataError.invalidParameter(name: name, value: String(value), requirement: "must be ≥ 0")
        }
    }

    init(trainPool: Int, testCount: Int, validationSize: Int, trainSubset: Int, testSubset: Int,
         seed: UInt64) throws {
        try Self.checkSizes(validationSize: validationSize, trainSubset: trainSubset, testSubset: testSubset)
        guard validationSize < trainPool else {
            throw DataError.invalidParameter(
                name: "validationSize", value: String(validationSize),
                requirement: "must be smaller than the \(trainPool) training samples, to leave some for training")
        }
        let remaining = trainPool - validationSize
        guard trainSubset <= remaining else {
            throw DataError.invalidParameter(
                name: "trainSubset", value: String(trainSubset),
                requirement: "must be at most the \(remaining) training samples left after holding out "
                    + "\(validationSize) for validation (0 keeps all)")
        }
        guard testSubset <= testCount else {
            throw DataError.invalidParameter(
                name: "testSubset", value: String(testSubset),
                requirement: "must be at most the \(testCount) test samples (0 keeps all)")
        }
        var generator = SeededGenerator(seed: seed, stream: DataStream.validationSplit)
        var permutation = (0..<Int32(trainPool)).map { $0 }
        shuffle(&permutation, using: &generator)
        let order = permutation.map(Int.init)
        validation = Array(order[..<validationSize])
        train = Array(order[validationSize ..< validationSize + (trainSubset == 0 ? remaining : trainSubset)])
        test = Array(0 ..< (testSubset == 0 ? testCount : testSubset))
    }
}
