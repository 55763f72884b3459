import Foundation

/// Writing a file so that a crash (kill -9, power loss after the rename's fsync) at any moment leaves
/// either no file or a complete one under its final name: the content goes to a temporary name in
/// the same directory (`.<name>.<pid>-<random>.tmp`), is flushed to disk with fsync, and is renamed
/// over the final name (atomic within one file system); then the directory is fsync'd so the rename
/// itself is durable.
enum AtomicFile {
    static let temporarySuffix = ".tmp"

    /// Whether a directory entry is a temporary file of an unfinished (or killed) write.
    static func isTemporary(_ fileName: String) -> Bool {
        fileName.hasPrefix(".") && fileName.hasSuffix(temporarySuffix)
    }

    static func temporaryPath(directory: String, finalName: String) -> String {
        let random = UInt64.random(in: 0...UInt64.max)
        return "\(directory)/.\(finalName).\(getpid())-\(String(random, radix: 16))\(temporarySuffix)"
    }

    /// Runs `write` on a temporary path, then makes its result appear at `directory/finalName`.
    static func write(directory: String, finalName: String, _ write: (String) throws -> Void) throws {
        let temporary = temporaryPath(directory: directory, finalName: finalName)
        let final = "\(directory)/\(finalName)"
        do {
            try write(temporary)
            try fsync(path: temporary, isDirectory: false)
            if rename(temporary, final) != 0 {
                throw StoreError(path: final, reason: "cannot rename \(temporary) to it: \(errnoText())")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        try fsync(path: directory, isDirectory: true)
    }

    static func fsync(path: String, isDirectory: Bool) throws {
        let fd = open(path, isDirectory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY)
        if fd < 0 { throw StoreError(path: path, reason: "cannot open for fsync: \(errnoText())") }
        defer { close(fd) }
        if Foundation.fsync(fd) != 0 { throw StoreError(path: path, reason: "fsync failed: \(errnoText())") }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
