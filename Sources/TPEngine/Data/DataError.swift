/// Everything that can go wrong while loading or generating data. Each case names what the user
/// has to fix: the file and what is wrong with it, or the parameter and what it must satisfy.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A data file that is missing or malformed.
    case file(path: String, problem: FileProblem)
    /// A loading parameter outside its range.
    case invalidParameter(name: String, value: String, requirement: String)

    public enum FileProblem: Equatable, Sendable {
        /// `alsoTried` lists other names that were looked for (the uncompressed form of a .gz name).
        case missing(alsoTried: [String])
        case unreadable(reason: String)
        case notGzip
        case corruptGzip(reason: String)
        case wrongMagic(found: [UInt8])
        case unsupportedType(code: UInt8)
        case wrongRank(expected: Int, dims: [Int])
        case truncatedHeader(expectedBytes: Int, gotBytes: Int)
        case payloadTooLarge(dims: [Int])
        case truncatedPayload(expectedBytes: Int, gotBytes: Int)
        case trailingBytes(expectedBytes: Int)
        case countMismatch(labels: Int, images: Int, imagesPath: String)
        case wrongImageSize(dims: [Int], trainDims: [Int], trainPath: String)
        case labelOutOfRange(index: Int, value: Int, numClasses: Int)
        /// A record file (CIFAR-10) whose size is not a multiple of its record size.
        case notWholeRecords(bytes: Int, recordBytes: Int)
        case noRecords
        /// A file that should be a ZIP archive (npz) but whose directory cannot be read.
        case notZip(reason: String)
        /// An npz without the array `name` (`members` lists what it holds).
        case missingMember(name: String, members: [String])
        /// A malformed member of a ZIP archive (npz).
        case member(name: String, problem: MemberProblem)
    }

    public var description: String {
        switch self {
        case let .file(path, problem):
            return "\(path): \(problem.description)"
        case let .invalidParameter(name, value, requirement):
            return "invalid \(name) = \(value): \(requirement)"
        }
    }
}

extension DataError.FileProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .missing(alsoTried):
            return alsoTried.isEmpty ? "file not found"
                : "file not found (also tried \(alsoTried.joined(separator: ", ")))"
        case let .unreadable(reason):
            return "cannot open: \(reason)"
        case .notGzip:
            return "not a gzip file, though the name ends in .gz"
        case let .corruptGzip(reason):
            return "corrupt gzip data: \(reason)"
        case let .wrongMagic(found):
            return "wrong magic \(hex(found)): an IDX file starts with 00 00, a type code and a dimension count"
        case let .unsupportedType(code):
            return "unsupported IDX type code 0x\(hex([code])) (\(idxTypeName(code))); "
                + "expected 0x08 (unsigned byte)"
        case let .wrongRank(expected, dims):
            return "expected \(expected) dimension\(expected == 1 ? "" : "s"), the header declares "
                + "\(dims.count) (\(shape(dims)))"
        case let .truncatedHeader(expected, got):
            return "truncated header: expected \(expected) bytes, got \(got)"
        case let .payloadTooLarge(dims):
            return "dimensions \(shape(dims)) declare more bytes than can be addressed"
        case let .truncatedPayload(expected, got):
            return "truncated payload: expected \(expected) bytes, got \(got)"
        case let .trailingBytes(expected):
            return "payload longer than the \(expected) bytes its dimensions declare"
        case let .countMismatch(labels, images, imagesPath):
            return "label count mismatch: \(labels) labels, but \(imagesPath) holds \(images) images"
        case let .wrongImageSize(dims, trainDims, trainPath):
            return "image size mismatch: images are \(shape(dims.dropFirst())), but \(trainPath) holds "
                + "\(shape(trainDims.dropFirst())) images"
        case let .labelOutOfRange(index, value, numClasses):
            return "label out of range: label \(value) at index \(index), expected 0...\(numClasses - 1)"
        case let .notWholeRecords(bytes, recordBytes):
            return "wrong size: \(bytes) bytes is not a whole number of \(recordBytes)-byte records "
                + "(1 label byte + \(recordBytes - 1) pixel bytes each); \(bytes / recordBytes) records "
                + "and \(bytes % recordBytes) bytes over"
        case .noRecords:
            return "empty file: no records"
        case let .notZip(reason):
            return "not a ZIP archive (an npz is one): \(reason)"
        case let .missingMember(name, members):
            return "no member \(name); the archive holds "
                + (members.isEmpty ? "none" : members.joined(separator: ", "))
        case let .member(name, problem):
            return "member \(name): \(problem)"
        }
    }
}

private func shape(_ dims: some Collection<Int>) -> String {
    dims.map(String.init).joined(separator: "×")
}

/// Bytes as spaced hex pairs ("50 4b 03 04"), to show a wrong signature or magic.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { b in
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }.joined(separator: " ")
}

/// Type codes of the IDX format, named so an unsupported file says what it holds.
private func idxTypeName(_ code: UInt8) -> String {
    switch code {
    case 0x08: "unsigned byte"
    case 0x09: "signed byte"
    case 0x0B: "int16"
    case 0x0C: "int32"
    case 0x0D: "float32"
    case 0x0E: "float64"
    default: "not an IDX type"
    }
}
