import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The contents of an IDX file (the MNIST family's format): big-endian dimensions and an
/// unsigned-byte payload in row-major order.
public struct IDXFile: Sendable {
    public let path: String
    public let dims: [Int]
    public let payload: [UInt8]
}

/// Reads IDX files, gzip-compressed or not.
///
/// Layout: two zero bytes, a type code (only 0x08, unsigned byte, is used by the image datasets),
/// the number of dimensions n, n big-endian UInt32 sizes, then the payload.
public enum IDXReader {
    /// Reads `path`. zlib's gzread decompresses gzip input and passes anything else through
    /// unchanged, so one code path reads both; a name ending in .gz must hold gzip data, though,
    /// so a mislabelled or garbage file is reported rather than misparsed.
    public static func read(_ path: String) throws -> IDXFile {
        guard let file = gzopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw DataError.file(path: path, problem: access(path, F_OK) == 0
                                 ? .unreadable(reason: reason) : .missing(alsoTried: []))
        }
        defer { gzclose(file) }
        // A larger input buffer than zlib's 8 KB default: fewer read calls on a 26 MB file. The
        // output needs no buffer of its own: gzread inflates straight into the destination array.
        gzbuffer(file, 1 << 18)
        let stream = GzipStream(file: file, path: path)

        let magic = try stream.read(count: 4)
        if path.hasSuffix(".gz") && gzdirect(file) != 0 {
            throw DataError.file(path: path, problem: .notGzip)
        }
        guard magic.count == 4 else {
            throw DataError.file(path: path, problem: .truncatedHeader(expectedBytes: 4, gotBytes: magic.count))
        }
        guard magic[0] == 0 && magic[1] == 0 && magic[3] > 0 else {
            throw DataError.file(path: path, problem: .wrongMagic(found: magic))
        }
        guard magic[2] == 0x08 else {
            throw DataError.file(path: path, problem: .unsupportedType(code: magic[2]))
        }

        let rank = Int(magic[3])
        let header = try stream.read(count: 4 * rank)
        guard header.count == 4 * rank else {
            throw DataError.file(path: path, problem: .truncatedHeader(expectedBytes: 4 + 4 * rank,
                                                                       gotBytes: 4 + header.count))
        }
        let dims = (0..<rank).map { d in
            header[4 * d ..< 4 * d + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        // Each size is below 2³², but their product can still overflow Int.
        var expected = 1
        for n in dims {
            let (p, overflow) = expected.multipliedReportingOverflow(by: n)
            guard !overflow else {
                throw DataError.file(path: path, problem: .payloadTooLarge(dims: dims))
            }
            expected = p
        }

        let payload = try stream.read(count: expected)
        guard payload.count == expected else {
            throw DataError.file(path: path, problem: .truncatedPayload(expectedBytes: expected,
                                                                        gotBytes: payload.count))
        }
        // Reading on to the end also makes zlib check the gzip trailer (CRC and length).
        guard try stream.read(count: 1).isEmpty else {
            throw DataError.file(path: path, problem: .trailingBytes(expectedBytes: expected))
        }
        return IDXFile(path: path, dims: dims, payload: payload)
    }
}

/// gzread with zlib's errors turned into `DataError`s.
private struct GzipStream {
    let file: gzFile
    let path: String

    /// Up to `count` bytes; fewer only at the end of the data. Reads in chunks, so a corrupt header
    /// that declares a huge payload cannot demand that much memory before the data runs out.
    func read(count: Int) throws -> [UInt8] {
        let chunk = 1 << 26
        var bytes = [UInt8]()
        while bytes.count < count {
            let want = min(chunk, count - bytes.count)
            var got = 0
            let piece = [UInt8](unsafeUninitializedCapacity: want) { buffer, initialized in
                got = Int(gzread(file, buffer.baseAddress, UInt32(want)))
                initialized = max(got, 0)
            }
            try checkError()
            if bytes.isEmpty { bytes = piece } else { bytes += piece }
            if got < want { break }
        }
        return bytes
    }

    /// Z_BUF_ERROR after a read means the input ended inside a gzip stream: a cut-off file.
    private func checkError() throws {
        var code: Int32 = Z_OK
        let message = gzerror(file, &code)
        guard code != Z_OK && code != Z_STREAM_END else { return }
        let reason = message.map { String(cString: $0) } ?? "zlib error \(code)"
        throw DataError.file(path: path, problem: code == Z_ERRNO
                             ? .unreadable(reason: String(cString: strerror(errno)))
                             : .corruptGzip(reason: reason))
    }
}
