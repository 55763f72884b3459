/// The arrays of an npz file as numpy's `np.savez` (stored) and `np.savez_compressed` (deflate)
/// write it: a ZIP archive with one `<name>.npy` member per array.
struct NumpyArchive {
    let path: String
    private let zip: ZipArchive

    init(path: String) throws {
        self.path = path
        zip = try ZipArchive(path: path)
    }

    /// How many bytes to reserve for the array `name`, its .npy header included, without reading it
    /// (0 when there is no such array; see `ZipArchive.reservation(for:)`).
    func reservation(for name: String) -> Int {
        zip.entries.first { $0.name == name + ".npy" }.map(zip.reservation(for:)) ?? 0
    }

    /// The array saved under `name` (the member `<name>.npy`).
    func array(_ name: String) throws -> NumpyArray {
        let member = name + ".npy"
        guard let entry = zip.entries.first(where: { $0.name == member }) else {
            throw DataError.file(path: path, problem: .missingMember(name: member, members: zip.names))
        }
        return try NumpyArray(npy: zip.contents(of: entry), path: path, member: member)
    }
}

/// One array in numpy's .npy format (numpy/lib/format.py, "Format Version 1.0" to "3.0"): the magic
/// "\x93NUMPY", a major and a minor version byte, the header's length (2 bytes little-endian in
/// version 1, 4 bytes in versions 2 and 3), the header — a Python dict literal with 'descr',
/// 'fortran_order' and 'shape', padded with spaces and a newline — then the elements.
struct NumpyArray {
    /// The archive and member it came from, for messages.
    let path: String
    let member: String
    /// numpy's type string: byte order ('<', '>', '|'), kind and item size, as '|u1' or '<i8'.
    let descr: String
    let shape: [Int]
    /// The elements in C order, exactly as stored.
    let payload: ArraySlice<UInt8>

    init(npy bytes: [UInt8], path: String, member: String) throws {
        (self.path, self.member) = (path, member)
        func fail(_ problem: DataError.MemberProblem) -> DataError {
            DataError.file(path: path, problem: .member(name: member, problem: problem))
        }
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 10, bytes.prefix(6).elementsEqual(magic) else {
            throw fail(.notNpy(found: Array(bytes.prefix(6))))
        }
        let (major, minor) = (bytes[6], bytes[7])
        guard minor == 0, (1...3).contains(major) else { throw fail(.unsupportedNpyVersion(major: major, minor: minor)) }
        let lengthBytes = major == 1 ? 2 : 4
        let headerStart = 8 + lengthBytes
        guard bytes.count >= headerStart, case let length = bytes.le(8, lengthBytes), length <= bytes.count - headerStart
        else {
            throw fail(.badNpyHeader(reason: "the header is cut off before the end of the member"))
        }
        let header: NpyHeader
        do { header = try NpyHeader(parsing: bytes[headerStart ..< headerStart + length]) } catch let reason as NpyHeader.Malformed {
            throw fail(.badNpyHeader(reason: reason.text))
        }
        guard !header.fortranOrder else { throw fail(.fortranOrder) }
        (descr, shape) = (header.descr, header.shape)
        payload = bytes[(headerStart + length)...]

        // Plain numeric dtypes only ('|u1', '<i8', …), kind b, i, u, f or c: object arrays hold
        // pickles, and strings ('<U5') count characters, not bytes.
        guard descr.count >= 3, "biufc".contains(descr[descr.index(after: descr.startIndex)]),
              let itemSize = Int(descr.dropFirst(2)), itemSize > 0 else {
            throw fail(.unsupportedDtype(descr: descr, expected: "a numeric dtype such as '|u1' or '<i8'"))
        }
        var expected = itemSize
        for n in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: n)
            guard !overflow else { throw fail(.badNpyHeader(reason: "shape \(pythonTuple(shape)) is too large to address")) }
            expected = product
        }
        guard payload.count == expected else { throw fail(.payloadSize(expected: expected, got: payload.count)) }
    }

    func error(_ problem: DataError.MemberProblem) -> DataError {
        DataError.file(path: path, problem: .member(name: member, problem: problem))
    }

    /// Throws unless the elements are unsigned bytes.
    func requireBytes() throws {
        guard descr == "|u1" else { throw error(.unsupportedDtype(descr: descr, expected: "'|u1' (uint8)")) }
    }

    /// The elements as Ints, from any of numpy's integer dtypes (signed or not, 1 to 8 bytes, either
    /// byte order). A uint64 of 2^63 or more comes out negative, for the caller's range check.
    func integers() throws -> [Int] {
        let chars = Array(descr.utf8)
        let size = chars.count == 3 ? Int(chars[2]) - 0x30 : 0
        guard chars.count == 3, [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "|")].contains(chars[0]),
              [UInt8(ascii: "i"), UInt8(ascii: "u")].contains(chars[1]), [1, 2, 4, 8].contains(size)
        else {
            throw error(.unsupportedDtype(descr: descr, expected: "an integer dtype ('<i8', '<i4', '<i2', '|u1', …)"))
        }
        let (signed, bigEndian) = (chars[1] == UInt8(ascii: "i"), chars[0] == UInt8(ascii: ">"))
        let base = payload.startIndex
        return (0..<payload.count / size).map { i in
            var value: UInt64 = 0
            for b in 0..<size {
                let byte = payload[base + i * size + (bigEndian ? b : size - 1 - b)]
                value = value << 8 | UInt64(byte)
            }
            // Sign-extend from `size` bytes.
            let shift = UInt64(64 - 8 * size)
            return signed ? Int(Int64(bitPattern: value << shift) >> shift) : Int(truncatingIfNeeded: value)
        }
    }
}

/// The dict of a .npy header, as numpy writes it: `{'descr': '<i8', 'fortran_order': False,
/// 'shape': (10,), }` — quoted keys and strings, True/False, and a tuple of integers (Python 2's
/// numpy may add an 'L' to each).
private struct NpyHeader {
    struct Malformed: Error { let text: String }

    let descr: String
    let fortranOrder: Bool
    let shape: [Int]

    init(parsing text: ArraySlice<UInt8>) throws {
        var scanner = Scanner(bytes: Array(text))
        var (descr, fortranOrder, shape): (String?, Bool?, [Int]?) = (nil, nil, nil)
        try scanner.expect("{")
        while !scanner.take("}") {
            let key = try scanner.string()
            try scanner.expect(":")
            switch key {
            case "descr": descr = try scanner.string()
            case "fortran_order": fortranOrder = try scanner.bool()
            case "shape": shape = try scanner.tuple()
            default: throw Malformed(text: "unexpected key '\(key)'")
            }
            if !scanner.take(",") {
                try scanner.expect("}")
                break
            }
        }
        guard let descr, let fortranOrder, let shape else {
            throw Malformed(text: "the dict lacks one of 'descr', 'fortran_order' and 'shape'")
        }
        (self.descr, self.fortranOrder, self.shape) = (descr, fortranOrder, shape)
    }

    /// Reads a Python literal from left to right, skipping whitespace before every token.
    private struct Scanner {
        let bytes: [UInt8]
        var at = 0

        private mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x0A, 0x09].contains(bytes[at]) { at += 1 }
        }

        private func context() -> String {
            at < bytes.count ? "at '\(String(decoding: bytes[at...].prefix(12), as: UTF8.self))'" : "at the end"
        }

        /// Consumes `token` if it comes next.
        mutating func take(_ token: String) -> Bool {
            skipSpace()
            guard bytes[at...].starts(with: token.utf8) else { return false }
            at += token.utf8.count
            return true
        }

        mutating func expect(_ token: String) throws {
            guard take(token) else { throw Malformed(text: "expected '\(token)' \(context())") }
        }

        mutating func string() throws -> String {
            skipSpace()
            guard at < bytes.count, case let quote = bytes[at], quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else {
                throw Malformed(text: "expected a quoted string \(context())")
            }
            guard let end = bytes[(at + 1)...].firstIndex(of: quote) else { throw Malformed(text: "unterminated string") }
            defer { at = end + 1 }
            return String(decoding: bytes[(at + 1) ..< end], as: UTF8.self)
        }

        mutating func bool() throws -> Bool {
            if take("True") { return true }
            if take("False") { return false }
            throw Malformed(text: "expected True or False \(context())")
        }

        /// `()`, `(n,)` or `(n, m, …)` with non-negative integers.
        mutating func tuple() throws -> [Int] {
            try expect("(")
            var values = [Int]()
            while !take(")") {
                skipSpace()
                let start = at
                while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
                guard let value = Int(String(decoding: bytes[start ..< at], as: UTF8.self)) else {
                    throw Malformed(text: "expected a dimension \(context())")
                }
                values.append(value)
                _ = take("L")
                if !take(",") {
                    try expect(")")
                    break
                }
            }
            return values
        }
    }
}
