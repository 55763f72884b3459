#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A data file open for reading in pieces, every failure a `DataError` naming it. CIFAR-10 reads its
/// batches whole; an npz archive reads its directory, then only the members it needs, so a 400 MB
/// training batch is never held twice.
final class DataFile {
    let path: String
    /// Bytes in the file.
    let size: Int
    private let handle: UnsafeMutablePointer<FILE>

    init(_ path: String) throws {
        guard let handle = fopen(path, "rb") else {
            let code = errno
            throw DataError.file(path: path, problem: code == ENOENT
                                 ? .missing(alsoTried: []) : .unreadable(reason: String(cString: strerror(code))))
        }
        guard fseek(handle, 0, SEEK_END) == 0, case let size = ftell(handle), size >= 0 else {
            let reason = String(cString: strerror(errno))
            fclose(handle)
            throw DataError.file(path: path, problem: .unreadable(reason: reason))
        }
        (self.path, self.size, self.handle) = (path, size, handle)
    }

    deinit { fclose(handle) }

    /// The whole file at `path`.
    static func read(_ path: String) throws -> [UInt8] {
        let file = try DataFile(path)
        return try file.read(at: 0, count: file.size)
    }

    /// `count` bytes from `offset`. Callers check first that they lie inside the file (and say
    /// which structure would run past its end), so a short read here is an I/O error.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        precondition(offset >= 0 && count >= 0 && offset <= size - count, "\(path): read outside the file")
        guard fseek(handle, offset, SEEK_SET) == 0 else {
            throw DataError.file(path: path, problem: .unreadable(reason: String(cString: strerror(errno))))
        }
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = count == 0 ? 0 : fread(buffer.baseAddress, 1, count, handle)
        }
        guard bytes.count == count else {
            throw DataError.file(path: path, problem: .unreadable(
                reason: "read \(bytes.count) of \(count) bytes at offset \(offset)"))
        }
        return bytes
    }
}
