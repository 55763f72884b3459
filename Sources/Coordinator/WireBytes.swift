import Foundation

/// Why a message could not be read. Messages come from other processes, so a malformed one is an
/// error to report, never a trap.
enum WireError: Error, Equatable, CustomStringConvertible {
    /// The message ended before a field: `needed` bytes at `offset` of a `size`-byte message.
    case truncated(needed: Int, offset: Int, size: Int)
    /// Written by another version of tpsweep.
    case unknownVersion(UInt8)
    /// A message of another kind than the one expected here.
    case unexpectedKind(expected: UInt8, found: UInt8)
    /// A field holds a value no writer produces (an unknown enum case, an impossible count).
    case invalid(String)
    /// Bytes left over after the last field: the sender wrote a layout this reader does not know.
    case trailingBytes(Int)

    var description: String {
        switch self {
        case let .truncated(needed, offset, size):
            return "truncated message: \(needed) more byte(s) needed at offset \(offset) of \(size)"
        case .unknownVersion(let v): return "message of wire format version \(v); this tpsweep reads version \(Wire.version)"
        case let .unexpectedKind(expected, found): return "expected a message of kind \(expected), found kind \(found)"
        case .invalid(let what): return "malformed message: \(what)"
        case .trailingBytes(let n): return "malformed message: \(n) unread byte(s) after the last field"
        }
    }
}

/// Appends fields to a byte buffer that is kept between messages (one allocation, grown as
/// needed, instead of one per message). Integers are little-endian and fixed-width (Int as 64
/// bits), doubles their IEEE bits (NaN and infinities pass unchanged), strings and arrays carry a
/// 32-bit count first.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    /// Empties the buffer for the next message, keeping its memory.
    mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func byte(_ v: UInt8) { bytes.append(v) }
    mutating func bool(_ v: Bool) { bytes.append(v ? 1 : 0) }
    mutating func uint32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { withUnsafeBytes(of: Int64(v).littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func double(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }

    /// A count: messages are far below 4 GiB (MPIKit refuses anything above 2 GiB).
    mutating func count(_ n: Int) { uint32(UInt32(truncatingIfNeeded: n)) }

    mutating func raw<C: Collection>(_ data: C) where C.Element == UInt8 {
        count(data.count)
        bytes.append(contentsOf: data)
    }

    mutating func string(_ s: String) { raw(s.utf8) }
    mutating func ints(_ a: [Int]) { count(a.count); for v in a { int(v) } }
    mutating func doubles(_ a: [Double]) { count(a.count); for v in a { double(v) } }
    mutating func strings(_ a: [String]) { count(a.count); for s in a { string(s) } }

    mutating func array<T>(_ a: [T], _ element: (inout WireWriter, T) -> Void) {
        count(a.count)
        for v in a { element(&self, v) }
    }

    /// Keys sorted, so equal dictionaries give equal bytes whatever their hash order.
    mutating func dictionary<V>(_ d: [String: V], _ value: (inout WireWriter, V) -> Void) {
        count(d.count)
        for key in d.keys.sorted() {
            string(key)
            value(&self, d[key]!)
        }
    }
}

/// Reads fields in the order `WireWriter` wrote them; every read checks the bytes are there.
struct WireReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Throws unless every byte was read.
    func finish() throws {
        if offset != bytes.count { throw WireError.trailingBytes(bytes.count - offset) }
    }

    private mutating func take(_ n: Int) throws -> Range<Int> {
        guard n >= 0, n <= bytes.count - offset else {
            throw WireError.truncated(needed: n - (bytes.count - offset), offset: offset, size: bytes.count)
        }
        defer { offset += n }
        return offset ..< offset + n
    }

    private mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let range = try take(MemoryLayout<T>.size)
        return T(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self) })
    }

    mutating func byte() throws -> UInt8 { bytes[try take(1).lowerBound] }

    mutating func bool() throws -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        case let b: throw WireError.invalid("\(b) is not a boolean")
        }
    }

    mutating func uint32() throws -> UInt32 { try load(UInt32.self) }

    mutating func int() throws -> Int {
        let v = try load(Int64.self)
        guard let i = Int(exactly: v) else { throw WireError.invalid("integer \(v) out of range") }
        return i
    }

    mutating func double() throws -> Double { Double(bitPattern: try load(UInt64.self)) }

    /// A count of elements at least `minimumSize` bytes each: checked against the bytes left, so a
    /// corrupted count fails here instead of allocating gigabytes.
    mutating func count(minimumSize: Int = 1) throws -> Int {
        let n = Int(try uint32())
        let left = bytes.count - offset
        if n > left / max(minimumSize, 1) {
            throw WireError.truncated(needed: n * max(minimumSize, 1) - left, offset: offset, size: bytes.count)
        }
        return n
    }

    mutating func raw() throws -> ArraySlice<UInt8> { bytes[try take(count())] }
    mutating func string() throws -> String { String(decoding: try raw(), as: UTF8.self) }
    mutating func ints() throws -> [Int] { try array(minimumSize: 8) { try $0.int() } }
    mutating func doubles() throws -> [Double] { try array(minimumSize: 8) { try $0.double() } }
    mutating func strings() throws -> [String] { try array(minimumSize: 4) { try $0.string() } }

    mutating func array<T>(minimumSize: Int, _ element: (inout WireReader) throws -> T) throws -> [T] {
        let n = try count(minimumSize: minimumSize)
        var a: [T] = []
        a.reserveCapacity(n)
        for _ in 0 ..< n { a.append(try element(&self)) }
        return a
    }

    mutating func dictionary<V>(minimumSize: Int, _ value: (inout WireReader) throws -> V) throws -> [String: V] {
        let n = try count(minimumSize: 4 + minimumSize)
        var d: [String: V] = [:]
        d.reserveCapacity(n)
        for _ in 0 ..< n {
            let key = try string()
            d[key] = try value(&self)
        }
        return d
    }

    /// A `RawRepresentable` enum from its string, or a clear error naming the field.
    mutating func enumeration<E: RawRepresentable>(_: E.Type, _ field: String) throws -> E where E.RawValue == String {
        let text = try string()
        guard let v = E(rawValue: text) else { throw WireError.invalid("\(field) '\(text)'") }
        return v
    }
}
