import CZlib

/// The members of a ZIP archive, read as numpy's `np.savez` (stored) and `np.savez_compressed`
/// (deflate) write them: enough of PKWARE's APPNOTE.TXT (sections 4.3 and 4.5.3) for one-disk
/// archives, zip64 included.
///
/// Sizes and offsets come from the central directory: numpy since 1.15 opens every member with
/// `force_zip64=True` (numpy/lib/_npyio_impl.py, `_savez`, gh-10776), so each local header says
/// 0xFFFFFFFF for both sizes and keeps the true ones in a zip64 extra field, while the central
/// directory has them plainly (or in its own zip64 extra field past 4 GiB); older writers put
/// them in the local header too.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: Int
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let file: DataFile
    /// The members, in directory order.
    let entries: [Entry]

    init(path: String) throws {
        file = try DataFile(path)
        let directory = try Self.centralDirectory(of: file)
        var entries = [Entry](), at = 0
        for _ in 0..<directory.count {
            entries.append(try Self.entry(in: directory.bytes, at: &at, path: file.path))
        }
        self.entries = entries
    }

    var names: [String] { entries.map(\.name) }

    /// How many bytes to reserve for `entry`'s contents, from the directory alone: its declared size,
    /// capped at four times the bytes it occupies (deflate rarely shrinks pixel data further; more
    /// is found by growing) and 0 when those do not fit in the file, so a corrupt directory cannot
    /// make a caller reserve more than a few times the file's size.
    func reservation(for entry: Entry) -> Int {
        guard entry.compressedSize <= file.size else { return 0 }
        return min(entry.size, entry.method == 0 ? entry.compressedSize : 4 * entry.compressedSize)
    }

    /// The uncompressed contents of `entry`, checked against the directory's size and CRC-32.
    func contents(of entry: Entry) throws -> [UInt8] {
        func fail(_ problem: DataError.MemberProblem) -> DataError {
            DataError.file(path: file.path, problem: .member(name: entry.name, problem: problem))
        }
        func inFile(_ offset: Int, _ count: Int) throws {
            guard offset >= 0, count >= 0, offset <= file.size - count else {
                throw fail(.pastEnd(offset: offset, bytes: count, fileBytes: file.size))
            }
        }
        try inFile(entry.localHeaderOffset, 30)
        let header = try file.read(at: entry.localHeaderOffset, count: 30)
        guard header.prefix(4).elementsEqual([0x50, 0x4B, 0x03, 0x04]) else {
            throw fail(.badLocalHeader(found: Array(header.prefix(4))))
        }
        // The local name and extra field may differ in length from the central directory's.
        let start = entry.localHeaderOffset + 30 + header.le(26, 2) + header.le(28, 2)
        try inFile(start, entry.compressedSize)
        let stored = try file.read(at: start, count: entry.compressedSize)
        let data: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.size else {
                throw fail(.wrongSize(expected: entry.size, got: entry.compressedSize))
            }
            data = stored
        case 8: data = try inflate(stored, expectedSize: entry.size, fail: fail)
        default: throw fail(.unsupportedCompression(method: entry.method))
        }
        let crc = data.withUnsafeBufferPointer { UInt32(crc32_z(0, $0.baseAddress, $0.count)) }
        guard crc == entry.crc else { throw fail(.crcMismatch(expected: entry.crc, got: crc)) }
        return data
    }

    /// The raw central directory and its entry count, found through the end-of-central-directory
    /// record (and its zip64 counterpart when a field there is saturated).
    private static func centralDirectory(of file: DataFile) throws -> (bytes: [UInt8], count: Int) {
        func notZip(_ reason: String) -> DataError { DataError.file(path: file.path, problem: .notZip(reason: reason)) }
        // The record is 22 bytes plus a comment of up to 65 535 bytes, at the very end.
        let tailStart = max(0, file.size - (22 + 0xFFFF))
        let tail = try file.read(at: tailStart, count: file.size - tailStart)
        guard tail.count >= 22,
              let end = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail.le($0, 4) == 0x0605_4B50 })
        else {
            throw notZip("no end-of-central-directory record in its last \(tail.count) bytes (cut off?)")
        }
        var count = tail.le(end + 10, 2), size = tail.le(end + 12, 4), offset = tail.le(end + 16, 4)
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // The zip64 end-of-central-directory locator sits just before the record.
            let locator = tailStart + end - 20
            guard locator >= 0, case let bytes = try file.read(at: locator, count: 20), bytes.le(0, 4) == 0x0706_4B50
            else { throw notZip("saturated end-of-central-directory record without a zip64 locator") }
            let recordOffset = bytes.le(8, 8)
            guard recordOffset >= 0, recordOffset <= file.size - 56,
                  case let record = try file.read(at: recordOffset, count: 56), record.le(0, 4) == 0x0606_4B50
            else { throw notZip("zip64 locator points to no zip64 end-of-central-directory record") }
            (count, size, offset) = (record.le(32, 8), record.le(40, 8), record.le(48, 8))
        }
        guard count >= 0, size >= 0, offset >= 0, offset <= file.size - size else {
            throw notZip("the central directory (\(size) bytes at offset \(offset)) runs past the end of the "
                         + "\(file.size)-byte file")
        }
        return (try file.read(at: offset, count: size), count)
    }

    /// The central directory entry at `at`, which moves past it.
    private static func entry(in bytes: [UInt8], at: inout Int, path: String) throws -> Entry {
        func notZip(_ reason: String) -> DataError { DataError.file(path: path, problem: .notZip(reason: reason)) }
        let start = at
        guard start <= bytes.count - 46, bytes.le(start, 4) == 0x0201_4B50 else {
            throw notZip("bad central directory entry at byte \(at) of the directory")
        }
        let (nameLength, extraLength, commentLength) = (bytes.le(start + 28, 2), bytes.le(start + 30, 2),
                                                        bytes.le(start + 32, 2))
        let nameStart = start + 46, extraStart = nameStart + nameLength, next = extraStart + extraLength + commentLength
        guard next <= bytes.count else { throw notZip("central directory entry at byte \(start) is cut off") }
        let name = String(decoding: bytes[nameStart ..< extraStart], as: UTF8.self)
        // Uncompressed size, compressed size, local header offset.
        var fields = [bytes.le(start + 24, 4), bytes.le(start + 20, 4), bytes.le(start + 42, 4)]
        // Zip64 extended information (header ID 1) holds 8-byte values for exactly the saturated
        // fields, in that order.
        var field = extraStart
        while field + 4 <= extraStart + extraLength {
            let (id, length) = (bytes.le(field, 2), bytes.le(field + 2, 2))
            if id == 1 {
                var value = field + 4
                for i in fields.indices where fields[i] == 0xFFFF_FFFF && value + 8 <= min(field + 4 + length, extraStart + extraLength) {
                    fields[i] = bytes.le(value, 8)
                    value += 8
                }
            }
            field += 4 + length
        }
        guard fields.allSatisfy({ $0 >= 0 }) else {
            throw notZip("member \(name) declares a size or an offset of 2^63 bytes or more")
        }
        at = next
        return Entry(name: name, method: bytes.le(start + 10, 2), crc: UInt32(bytes.le(start + 16, 4)),
                     compressedSize: fields[1], size: fields[0], localHeaderOffset: fields[2])
    }
}

/// Raw deflate data (no zlib or gzip wrapper, as ZIP stores it) inflated with zlib; a stream that
/// ends early, runs on, or inflates to another size than the directory's is reported.
private func inflate(_ input: [UInt8], expectedSize: Int,
                     fail: (DataError.MemberProblem) -> DataError) throws -> [UInt8] {
    var stream = z_stream()
    // inflateInit2 is a macro Swift cannot see; windowBits −15 selects raw deflate.
    guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw fail(.corruptDeflate(reason: "zlib could not start"))
    }
    defer { inflateEnd(&stream) }
    // The output grows by doubling, so memory follows what the stream produces rather than what a
    // possibly corrupt directory declares, and never past what the input can hold.
    let bound = min(expectedSize, maximumInflatedSize(input.count))
    var output = [UInt8](repeating: 0, count: min(bound, max(1 << 20, 4 * input.count)))
    // Output past the bound lands here, only to be counted for the message.
    var scratch = [UInt8](repeating: 0, count: 1 << 16)
    var (consumed, produced, status) = (0, 0, Z_OK)
    repeat {
        if produced == output.count && output.count < bound {
            output += repeatElement(0, count: min(bound, 2 * output.count) - output.count)
        }
        // avail_in and avail_out are 32-bit: both buffers go in pieces.
        let inChunk = min(input.count - consumed, Int(UInt32.max))
        let room = produced < output.count ? min(output.count - produced, Int(UInt32.max)) : scratch.count
        input.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
                    stream.avail_in = UInt32(inChunk)
                    stream.next_out = produced < output.count ? output.baseAddress! + produced : scratch.baseAddress!
                    stream.avail_out = UInt32(room)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                }
            }
        }
        consumed += inChunk - Int(stream.avail_in)
        produced += room - Int(stream.avail_out)
    } while status == Z_OK
    guard status == Z_STREAM_END else {
        // Z_BUF_ERROR: no progress possible, the input ran out inside the stream.
        throw fail(.corruptDeflate(reason: status == Z_BUF_ERROR
                                   ? "the data ends before the deflate stream does (cut off?)"
                                   : stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"))
    }
    guard produced == expectedSize else { throw fail(.wrongSize(expected: expectedSize, got: produced)) }
    return output
}

/// The most bytes `compressed` bytes of deflate data can inflate to: deflate expands at most
/// 1032-fold (zlib's FAQ, "maximum compression ratio"), plus slack for the smallest streams.
private func maximumInflatedSize(_ compressed: Int) -> Int {
    compressed < Int.max / 1032 - 1 ? 1032 * (compressed + 1) : Int.max
}

extension Array where Element == UInt8 {
    /// The little-endian unsigned integer of `count` bytes (at most 8) at `offset`, as an Int (a
    /// value of 2^63 or more comes out negative, for callers to reject).
    func le(_ offset: Int, _ count: Int) -> Int {
        var value: UInt64 = 0
        for i in (0..<count).reversed() { value = value << 8 | UInt64(self[offset + i]) }
        return Int(truncatingIfNeeded: value)
    }
}
