extension RunConfig {
    /// Where this run's samples come from. The teacher network of the student–teacher task is
    /// seeded by the run seed, so every seed of a sweep is a different task of the same family.
    public var dataSource: DataSource {
        switch data.dataset {
        case .fashionMNIST: return .fashionMNIST(dir: data.dir)
        case .mnist: return .mnist(dir: data.dir)
        case .cifar10: return .cifar10(dir: data.dir)
        case .imagenet32: return .imagenet32(dir: data.dir)
        case .studentTeacher:
            return .studentTeacher(StudentTeacherSpec(
                widths: data.teacherWidths, trainSize: data.teacherTrainSize, testSize: data.teacherTestSize,
                noiseStd: data.teacherNoise, seed: UInt64(seed)))
        }
    }
}
