extension DataError {
    /// What is wrong with one member of a ZIP archive (npz): its ZIP entry, its compressed data, the
    /// .npy array inside, or the values a dataset expects there.
    public enum MemberProblem: Equatable, Sendable {
        case badLocalHeader(found: [UInt8])
        /// The member's data (`bytes` from `offset`) does not fit in the `fileBytes`-byte file.
        case pastEnd(offset: Int, bytes: Int, fileBytes: Int)
        case unsupportedCompression(method: Int)
        case corruptDeflate(reason: String)
        /// The data is `got` bytes uncompressed where the ZIP directory says `expected`.
        case wrongSize(expected: Int, got: Int)
        case crcMismatch(expected: UInt32, got: UInt32)
        case notNpy(found: [UInt8])
        case unsupportedNpyVersion(major: UInt8, minor: UInt8)
        case badNpyHeader(reason: String)
        case unsupportedDtype(descr: String, expected: String)
        case fortranOrder
        case wrongShape(shape: [Int], expected: String)
        /// The payload after the .npy header is not the `expected` bytes its dtype and shape declare.
        case payloadSize(expected: Int, got: Int)
        case labelOutOfRange(index: Int, value: Int, expected: ClosedRange<Int>)
    }
}

extension DataError.MemberProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .badLocalHeader(found):
            return "wrong local header signature \(hex(found)), expected 50 4b 03 04"
        case let .pastEnd(offset, bytes, fileBytes):
            return "its \(bytes) bytes at offset \(offset) run past the end of the \(fileBytes)-byte file (cut off?)"
        case let .unsupportedCompression(method):
            return "compression method \(method); expected 0 (stored, np.savez) or 8 (deflate, np.savez_compressed)"
        case let .corruptDeflate(reason):
            return "corrupt deflate data: \(reason)"
        case let .wrongSize(expected, got):
            return "\(got) bytes uncompressed, but the ZIP directory says \(expected)"
        case let .crcMismatch(expected, got):
            return "CRC-32 mismatch: the data gives \(crcHex(got)), the ZIP directory says \(crcHex(expected))"
        case let .notNpy(found):
            return "not a .npy array: starts with \(hex(found)), expected 93 4e 55 4d 50 59 (\\x93NUMPY)"
        case let .unsupportedNpyVersion(major, minor):
            return "unsupported .npy format version \(major).\(minor); expected 1.0, 2.0 or 3.0"
        case let .badNpyHeader(reason):
            return "malformed .npy header: \(reason)"
        case let .unsupportedDtype(descr, expected):
            return "dtype '\(descr)'; expected \(expected)"
        case .fortranOrder:
            return "stored in Fortran order; expected C order (fortran_order False, as np.savez writes arrays)"
        case let .wrongShape(shape, expected):
            return "shape \(pythonTuple(shape)); expected \(expected)"
        case let .payloadSize(expected, got):
            return "\(got) payload bytes after the header; its dtype and shape declare \(expected)"
        case let .labelOutOfRange(index, value, expected):
            return "label out of range: label \(value) at index \(index), expected \(expected.lowerBound)...\(expected.upperBound)"
        }
    }
}

/// A shape as numpy prints it: (4, 3072), (10,), ().
func pythonTuple(_ dims: [Int]) -> String {
    "(" + dims.map(String.init).joined(separator: ", ") + (dims.count == 1 ? ",)" : ")")
}

private func crcHex(_ crc: UInt32) -> String {
    let digits = String(crc, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
