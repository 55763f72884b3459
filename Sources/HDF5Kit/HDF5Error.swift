import CHDF5
import Foundation

/// A failed HDF5 operation: which call failed, on which file and object, and why.
///
/// `message` is HDF5's own error stack, outermost call first (what `h5dump` or h5py would print),
/// collected with `H5Eget_current_stack`/`H5Ewalk2`. HDF5Kit switches HDF5's automatic printing of
/// errors to stderr off, so this error is the only report. Errors found by HDF5Kit itself before
/// calling HDF5 (a shape that does not match the values, a name with a `/`) use the same type, with
/// the Swift operation as `call`.
public struct HDF5Error: Error, CustomStringConvertible, Sendable, Equatable {
    /// The HDF5 function (`H5Fopen`) or HDF5Kit operation that failed.
    public let call: String
    /// The file's path as given when it was created or opened.
    public let file: String
    /// The object's path inside the file (`/metrics/train_loss`); empty for whole-file operations.
    public let object: String
    /// HDF5's error stack, one entry per frame, outermost first; or HDF5Kit's own reason.
    public let stack: [String]

    public init(call: String, file: String, object: String = "", stack: [String]) {
        self.call = call
        self.file = file
        self.object = object
        self.stack = stack
    }

    /// `file` alone, or `file:object` when the error concerns an object inside it.
    public var path: String { object.isEmpty ? file : "\(file):\(object)" }

    /// The error stack joined into one line.
    public var message: String { stack.isEmpty ? "no HDF5 error message" : stack.joined(separator: "; ") }

    public var description: String { "HDF5 error: \(call) failed for \(path): \(message)" }
}

// MARK: - Calling HDF5

/// Every HDF5 call goes through `h5` (or `h5Quiet`): it holds one process-wide lock (the Debian
/// library is built thread-safe, but a serial build need not be, and the error stack must be read
/// by the thread whose call failed), turns HDF5's automatic error printing off for this thread, and
/// turns a negative return into an `HDF5Error` carrying HDF5's error stack.
enum H5Lib {
    struct Lock: @unchecked Sendable {
        let lock = NSRecursiveLock()
    }
    static let shared = Lock()

    @inline(__always)
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        shared.lock.lock()
        defer { shared.lock.unlock() }
        _ = H5Eset_auto2(tp_H5E_DEFAULT(), nil, nil)
        return try body()
    }
}

/// The HDF5 library as a whole.
public enum HDF5Library {
    /// Initialises HDF5 now, on the calling thread (`H5open`). Call it from the main thread before
    /// another thread makes the first HDF5 call: the library closes itself at exit from the main
    /// thread, and when a secondary thread initialised it, closing loops over error stacks it
    /// cannot release ("HDF5: infinite loop closing library").
    public static func initialize() {
        h5Quiet { H5open() }
    }
}

/// Runs one HDF5 call; a negative result (hid_t, herr_t, htri_t, ssize_t) throws with HDF5's stack.
@discardableResult
func h5<T: BinaryInteger>(_ call: String, file: String, object: String = "", _ body: () -> T) throws -> T {
    try H5Lib.locked {
        let result = body()
        if result < 0 {
            throw HDF5Error(call: call, file: file, object: object, stack: currentErrorStack())
        }
        return result
    }
}

/// Runs a closing or cleanup call whose failure has no one to report to (deinit, error paths).
func h5Quiet<T>(_ body: () -> T) {
    H5Lib.locked { _ = body() }
}

/// An HDF5Kit-detected error (no HDF5 call failed).
func usageError(_ call: String, file: String, object: String = "", _ reason: String) -> HDF5Error {
    HDF5Error(call: call, file: file, object: object, stack: [reason])
}

/// Copies and clears this thread's HDF5 error stack and formats each frame as
/// `function: description [major: minor]`, outermost call first.
func currentErrorStack() -> [String] {
    let stackID = H5Eget_current_stack()
    guard stackID >= 0 else { return [] }
    defer { H5Eclose_stack(stackID) }
    final class Frames { var lines: [String] = [] }
    let frames = Frames()
    let box = Unmanaged.passUnretained(frames).toOpaque()
    _ = H5Ewalk2(stackID, H5E_WALK_DOWNWARD, { _, desc, data in
        guard let desc = desc?.pointee, let data else { return 0 }
        let frames = Unmanaged<Frames>.fromOpaque(data).takeUnretainedValue()
        let function = desc.func_name.map { String(cString: $0) } ?? "?"
        let text = desc.desc.map { String(cString: $0) } ?? ""
        let major = errorMessage(desc.maj_num)
        let minor = errorMessage(desc.min_num)
        var line = "\(function): \(text)"
        if !major.isEmpty || !minor.isEmpty { line += " [\(major): \(minor)]" }
        frames.lines.append(line)
        return 0
    }, box)
    return frames.lines
}

private func errorMessage(_ id: hid_t) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let n = H5Eget_msg(id, nil, &buffer, buffer.count)
    guard n > 0 else { return "" }
    return String(decoding: buffer.prefix(min(Int(n), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
