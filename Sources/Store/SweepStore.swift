import Foundation
import HDF5Kit

/// What `scanTrials()` found in `trials/`.
public struct TrialScan: Sendable, Equatable {
    /// Ids of complete, readable trial files.
    public var complete: Set<String>
    /// Trial files that exist under a final name but cannot be trusted (not HDF5, truncated,
    /// not a tpsweep trial file, or whose `id` attribute differs from the file name), with why.
    /// Their trials should be run again; a later `write` replaces the file.
    public var corrupt: [String: String]
    /// Leftover temporary files of writes that never finished (file names, not paths).
    public var temporary: [String]
}

/// A sweep's results on disk:
///
/// ```
/// DIR/sweep.h5          the index: spec, plan, one summary row per stored trial, links to the trials
/// DIR/trials/<id>.h5    one file per trial
/// ```
///
/// Every file is written under a temporary name in its final directory, fsync'd, and renamed into
/// place, so a process killed at any moment leaves either no file or a complete one; readers ignore
/// the temporaries. Different trials may be written concurrently (from threads or processes).
public final class SweepStore: Sendable {
    public let directory: String
    public let trialsDirectory: String
    /// Deflate level for snapshot tensors, or nil to store them uncompressed (the default: float
    /// weights compress poorly and gzip costs more time than it saves space).
    public let snapshotCompression: Int?

    /// Opens the store in `directory`, creating it and its `trials/` folder if needed.
    public init(directory: String, snapshotCompression: Int? = nil) throws {
        self.directory = directory
        self.trialsDirectory = directory + "/trials"
        self.snapshotCompression = snapshotCompression
        do {
            try FileManager.default.createDirectory(atPath: trialsDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(path: trialsDirectory, reason: "cannot create the store's directory: \(error.localizedDescription)")
        }
    }

    /// `DIR/trials/<id>.h5`.
    public func trialPath(_ id: String) -> String { "\(trialsDirectory)/\(id).h5" }

    /// `DIR/sweep.h5`.
    public var indexPath: String { "\(directory)/sweep.h5" }

    // MARK: Trials

    /// Writes (or replaces) the trial's file atomically.
    public func write(_ trial: TrialRecord) throws {
        if let failure = write([trial]).first { throw failure.error }
    }

    /// Writes (or replaces) several trials' files with one group commit (`GroupCommit`): each file
    /// is atomic and durable as with `write(_:)`, but the disk is flushed once for all of them.
    /// Returns the trials that could not be written, with why; the others are stored.
    public func write(_ trials: [TrialRecord]) -> [(id: String, error: Error)] {
        let options = snapshotCompression.map { H5DatasetOptions(gzip: $0, shuffle: true) } ?? H5DatasetOptions()
        var failures: [(id: String, error: Error)] = []
        var files: [(name: String, write: (String) throws -> Void)] = []
        for trial in trials {
            do {
                try TrialFile.validate(trial, path: trialPath(trial.id))
                files.append(("\(trial.id).h5", { try TrialFile.write(trial, to: $0, snapshotOptions: options) }))
            } catch {
                failures.append((trial.id, error))
            }
        }
        for failure in GroupCommit.write(directory: trialsDirectory, files: files) {
            failures.append((String(failure.name.dropLast(3)), failure.error))
        }
        return failures
    }

    /// Ids of the complete trial files. Temporary files are ignored; corrupt files are left out
    /// (see `scanTrials()` for them and the reason).
    public func storedTrialIDs() throws -> Set<String> {
        try scanTrials().complete
    }

    /// Every trial file in `trials/`, sorted into complete, corrupt and temporary. Each complete
    /// file has been opened and its `id` checked against its name.
    public func scanTrials() throws -> TrialScan {
        try scan(reading: nil).scan
    }

    /// Every complete trial without its curves and snapshots: ids, parameters, status, timing,
    /// summary. What resuming and leaderboards need, at a fraction of a full read.
    public func storedTrialHeaders() throws -> [TrialRecord] {
        try scan(reading: .header).headers.map(\.record)
    }

    /// Reads a trial in full.
    public func read(trial id: String) throws -> TrialRecord {
        let path = trialPath(id)
        try checkLinkName(id, what: "trial id", path: path)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(path: path, reason: "no such trial")
        }
        let record = try TrialFile.read(path: path).record
        guard record.id == id else {
            throw StoreError(path: path, reason: "the file holds trial \(record.id), not \(id)")
        }
        return record
    }

    /// Deletes leftover temporary files and returns their names. Only call this when no process is
    /// writing to the store (a temporary file may belong to a write in progress).
    @discardableResult
    public func removeTemporaryFiles() throws -> [String] {
        var removed: [String] = []
        for dir in [directory, trialsDirectory] {
            for name in try listDirectory(dir) where AtomicFile.isTemporary(name) {
                try? FileManager.default.removeItem(atPath: "\(dir)/\(name)")
                removed.append(name)
            }
        }
        return removed
    }

    func listDirectory(_ path: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        } catch {
            throw StoreError(path: path, reason: "cannot list: \(error.localizedDescription)")
        }
    }

    /// Scans `trials/`; `reading` a part (`.header` or `.curves`), also returns that part of each
    /// complete trial and its epoch count, read while checking it. A file whose part cannot be read
    /// is corrupt, so its trial runs again.
    func scan(reading part: TrialFile.Part?) throws -> (scan: TrialScan, headers: [(record: TrialRecord, epochs: Int)]) {
        var result = TrialScan(complete: [], corrupt: [:], temporary: [])
        var headers: [(record: TrialRecord, epochs: Int)] = []
        for name in try listDirectory(trialsDirectory) {
            if AtomicFile.isTemporary(name) {
                result.temporary.append(name)
                continue
            }
            guard name.hasSuffix(".h5"), !name.hasPrefix(".") else { continue }
            let id = String(name.dropLast(3))
            let path = "\(trialsDirectory)/\(name)"
            do {
                let header = try TrialFile.read(path: path, part: part ?? .header)
                guard header.record.id == id else {
                    throw StoreError(path: path, reason: "the file holds trial \(header.record.id), not \(id)")
                }
                result.complete.insert(id)
                if part != nil { headers.append(header) }
            } catch {
                result.corrupt[id] = String(describing: error)
            }
        }
        return (result, headers)
    }
}
