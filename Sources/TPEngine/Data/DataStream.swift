/// The random stream of each use in the data code, so that changing how many numbers one use
/// draws leaves the others alone. Fixed numbers: changing one changes every stored split and task.
enum DataStream {
    static let validationSplit: UInt64 = 1
    static let teacherWeights: UInt64 = 2
    static let trainInputs: UInt64 = 3
    static let trainNoise: UInt64 = 4
    static let testInputs: UInt64 = 5
    static let testNoise: UInt64 = 6
}
