import Foundation

/// Makes many small files appear in one directory with the crash safety of `AtomicFile` at a
/// fraction of its cost: every file is written under its temporary name first, then *one* flush
/// makes all of them durable, then each is renamed into place and the directory is flushed once.
/// Per file that is an open, a write, a close and a rename; the two expensive flushes are paid once
/// per batch, however large.
///
/// A process killed at any moment leaves, for each file, either nothing under its final name (only
/// a temporary, which readers ignore) or the complete file: no final name is given before the data
/// behind it is on disk.
enum GroupCommit {
    /// Makes `files` appear in `directory`: each `write` creates its file at the temporary path it
    /// is given. Returns the files that could not be written, with why; the others are in place and
    /// durable when this returns.
    static func write(directory: String, files: [(name: String, write: (String) throws -> Void)])
        -> [(name: String, error: Error)] {
        var failures: [(name: String, error: Error)] = []
        var written: [(name: String, temporary: String)] = []
        for file in files {
            let temporary = AtomicFile.temporaryPath(directory: directory, finalName: file.name)
            do {
                try file.write(temporary)
                written.append((file.name, temporary))
            } catch {
                unlink(temporary)
                failures.append((file.name, error))
            }
        }
        guard !written.isEmpty else { return failures }
        do {
            try makeDurable(directory: directory, paths: written.map(\.temporary))
        } catch {
            for file in written {
                unlink(file.temporary)
                failures.append((file.name, error))
            }
            return failures
        }
        var renamed = 0
        for file in written {
            let final = "\(directory)/\(file.name)"
            if rename(file.temporary, final) == 0 {
                renamed += 1
            } else {
                let reason = "cannot rename \(file.temporary) to it: \(AtomicFile.errnoText())"
                unlink(file.temporary)
                failures.append((file.name, StoreError(path: final, reason: reason)))
            }
        }
        guard renamed > 0 else { return failures }
        do {
            try AtomicFile.fsync(path: directory, isDirectory: true)
        } catch {
            // The renames happened but may not survive a power loss: report every file as failed,
            // so that nobody counts on them (a rerun finds and keeps whichever did survive).
            return failures + written.map { ($0.name, error) }
        }
        return failures
    }

    /// Flushes the written files to disk: with one `syncfs` of the directory's file system where the
    /// C library has it (Linux), else with an fsync per file.
    private static func makeDurable(directory: String, paths: [String]) throws {
        if let syncfs = syncFileSystem {
            let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd < 0 { throw StoreError(path: directory, reason: "cannot open for syncfs: \(AtomicFile.errnoText())") }
            defer { close(fd) }
            if syncfs(fd) != 0 { throw StoreError(path: directory, reason: "syncfs failed: \(AtomicFile.errnoText())") }
            return
        }
        for path in paths { try AtomicFile.fsync(path: path, isDirectory: false) }
    }

    private typealias SyncFS = @convention(c) (Int32) -> Int32

    /// glibc's `syncfs`, looked up at run time: Swift's Glibc module does not export it (it is a
    /// GNU extension), and other systems lack it.
    private static let syncFileSystem: SyncFS? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: SyncFS.self)
    }()
}
