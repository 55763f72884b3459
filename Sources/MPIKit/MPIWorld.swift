import CMPI
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The MPI world (`MPI_COMM_WORLD`) of this process: point-to-point byte messages and a barrier.
///
/// - One per process: `initialize()` calls `MPI_Init_thread` the first time and hands back the same
///   world afterwards. It works without `mpirun` too (a singleton world: rank 0, size 1).
/// - Errors come back as `MPIError`: the communicator's error handler is `MPI_ERRORS_RETURN`.
/// - Thread safety: MPIKit asks for `MPI_THREAD_SERIALIZED` and takes one process-wide lock around
///   every MPI call, so the world may be used from any thread or task (one MPI call at a time).
///   Waiting happens outside the lock.
/// - Waiting never busy-spins a core for long: `receive`, `send` (until MPI has taken the bytes)
///   and `barrier` poll with non-blocking calls and sleep between polls as `IdlePolicy` says.
/// - After `finalize()` MPI must not be used again in this process: every call then throws an
///   `MPIError` (call `"MPIKit"`), and `initialize()` throws as well, because MPI cannot be
///   initialised twice. `rank`, `size` and `processorName` stay readable.
public final class MPIWorld: @unchecked Sendable {
    /// This process's rank in the world, 0 ..< size. Rank 0 coordinates.
    public let rank: Int
    /// Number of ranks in the world.
    public let size: Int
    /// `MPI_Get_processor_name`: usually the host name.
    public let processorName: String
    /// The thread support MPI granted (MPIKit asks for `.serialized`).
    public let threadLevel: ThreadLevel

    /// MPI's thread support levels, lowest first.
    public enum ThreadLevel: Int, Sendable, Comparable, CustomStringConvertible {
        case single, funneled, serialized, multiple

        init(mpi value: Int32) {
            switch value {
            case cmpi_thread_multiple(): self = .multiple
            case cmpi_thread_serialized(): self = .serialized
            case cmpi_thread_funneled(): self = .funneled
            default: self = .single
            }
        }

        var mpiValue: Int32 {
            switch self {
            case .single: cmpi_thread_single()
            case .funneled: cmpi_thread_funneled()
            case .serialized: cmpi_thread_serialized()
            case .multiple: cmpi_thread_multiple()
            }
        }

        public static func < (a: ThreadLevel, b: ThreadLevel) -> Bool { a.rawValue < b.rawValue }
        public var description: String { ["single", "funneled", "serialized", "multiple"][rawValue] }
    }

    private init(rank: Int, size: Int, processorName: String, threadLevel: ThreadLevel) {
        self.rank = rank
        self.size = size
        self.processorName = processorName
        self.threadLevel = threadLevel
    }

    // MARK: Life cycle

    /// Initialises MPI once per process (`MPI_Init_thread`, asking for `MPI_THREAD_SERIALIZED`) and
    /// returns the world; later calls return the same object. If something else already initialised
    /// MPI, the world wraps it. Throws after `finalize()`.
    public static func initialize() throws -> MPIWorld {
        let state = ProcessState.shared
        return try state.lock.withLock {
            if let world = state.world, !state.finalized { return world }
            var finalizedFlag: Int32 = 0
            MPI_Finalized(&finalizedFlag)
            if state.finalized || finalizedFlag != 0 {
                throw MPIError(call: "MPI_Init_thread", code: cmpi_err_other(),
                               message: "MPI was finalised in this process and cannot be initialised again")
            }
            var initialized: Int32 = 0
            MPI_Initialized(&initialized)
            var provided: Int32 = 0
            if initialized == 0 {
                try check(MPI_Init_thread(nil, nil, ThreadLevel.serialized.mpiValue, &provided), "MPI_Init_thread")
            } else {
                try check(MPI_Query_thread(&provided), "MPI_Query_thread")
            }
            let comm = cmpi_comm_world()
            try check(MPI_Comm_set_errhandler(comm, cmpi_errors_return()), "MPI_Comm_set_errhandler")
            var rank: Int32 = 0, size: Int32 = 0
            try check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank")
            try check(MPI_Comm_size(comm, &size), "MPI_Comm_size")
            var name = [CChar](repeating: 0, count: Int(cmpi_max_processor_name()) + 1)
            var length: Int32 = 0
            try check(MPI_Get_processor_name(&name, &length), "MPI_Get_processor_name")
            let nameBytes = name.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }
            let world = MPIWorld(rank: Int(rank), size: Int(size),
                                 processorName: String(decoding: nameBytes, as: UTF8.self),
                                 threadLevel: ThreadLevel(mpi: provided))
            state.world = world
            return world
        }
    }

    /// `MPI_Finalize`. Idempotent: only the first call does anything. Afterwards nothing else of
    /// MPIKit may be called in this process (calls throw; `initialize()` throws). Every rank must
    /// call it before exiting normally, after its last message has been received.
    public func finalize() {
        let state = ProcessState.shared
        state.lock.withLock {
            guard !state.finalized else { return }
            state.finalized = true
            _ = MPI_Finalize()
        }
    }

    /// `MPI_Abort` on the world: ends every rank of the job with exit code `code`. Safe to call
    /// from any thread, even while another MPIKit call is waiting.
    public func abort(code: Int32) -> Never {
        if !ProcessState.shared.isFinalized {
            _ = MPI_Abort(cmpi_comm_world(), code)
        }
        exit(code)
    }

    // MARK: Messages

    /// Sends `payload` to `rank` with `tag` (≥ 0). Returns once MPI has taken the bytes (small
    /// messages at once; large ones when the receiver has started receiving), waiting as `idle` says
    /// (`MPI_Isend`, then `MPI_Test` with backoff). Like any MPI send, a large message to yourself
    /// only completes if another thread receives it.
    public func send(_ payload: [UInt8], to rank: Int, tag: Int32, idle: IdlePolicy = .default) throws {
        guard let count = Int32(exactly: payload.count) else {
            throw MPIError(call: "MPI_Isend", code: cmpi_err_count(),
                           message: "a payload of \(payload.count) bytes exceeds the \(Int32.max)-byte limit of one message")
        }
        let destination = try rankArgument(rank, call: "MPI_Isend")
        try payload.withUnsafeBytes { bytes in
            var request: MPI_Request? = nil
            try locked("MPI_Isend") {
                try check(MPI_Isend(bytes.baseAddress, count, cmpi_byte(), destination, tag, cmpi_comm_world(), &request),
                          "MPI_Isend")
            }
            try wait(for: &request, call: "MPI_Test (send to rank \(rank))", idle: idle)
        }
    }

    /// Receives one waiting message if there is one, else returns nil at once. `source` and `tag`
    /// filter (nil: any). `MPI_Iprobe`, `MPI_Get_count`, then `MPI_Recv` of exactly that message.
    public func poll(from source: Int? = nil, tag: Int32? = nil) throws -> MPIMessage? {
        let sourceArgument = try source.map { try rankArgument($0, call: "MPI_Iprobe") } ?? cmpi_any_source()
        let tagArgument = tag ?? cmpi_any_tag()
        return try locked("MPI_Iprobe") {
            let comm = cmpi_comm_world()
            var flag: Int32 = 0
            var status = MPI_Status()
            // Open MPI (ob1) matches a probe against messages it has already taken in *before* it
            // makes progress, so a message that has arrived in shared memory since the last call is
            // only seen by a second probe. Probing twice halves the time a sleeping rank needs to
            // notice a message (one backoff sleep instead of two) and makes nil mean "none waiting".
            try check(MPI_Iprobe(sourceArgument, tagArgument, comm, &flag, &status), "MPI_Iprobe")
            if flag == 0 {
                try check(MPI_Iprobe(sourceArgument, tagArgument, comm, &flag, &status), "MPI_Iprobe")
            }
            guard flag != 0 else { return nil }
            var count: Int32 = 0
            try check(MPI_Get_count(&status, cmpi_byte(), &count), "MPI_Get_count")
            let from = cmpi_status_source(&status), messageTag = cmpi_status_tag(&status)
            // Same sender, same tag, and MPI keeps messages between one pair in order: under the
            // lock, this receives exactly the message just probed.
            var code = cmpi_success()
            let payload = [UInt8](unsafeUninitializedCapacity: Int(max(0, count))) { buffer, initialized in
                code = MPI_Recv(buffer.baseAddress, count, cmpi_byte(), from, messageTag, comm, cmpi_status_ignore())
                initialized = code == cmpi_success() ? Int(max(0, count)) : 0
            }
            try check(code, "MPI_Recv")
            return MPIMessage(source: Int(from), tag: messageTag, payload: payload)
        }
    }

    /// Waits for a message (filtered by `source` and `tag`, nil: any) without busy-spinning:
    /// polls, then sleeps as `idle` says between polls.
    public func receive(from source: Int? = nil, tag: Int32? = nil, idle: IdlePolicy = .default) throws -> MPIMessage {
        var backoff = Backoff(idle)
        while true {
            if let message = try poll(from: source, tag: tag) { return message }
            backoff.pause()
        }
    }

    /// Like `receive(from:tag:idle:)`, but gives up after `timeout` seconds and returns nil.
    /// It always polls at least once, so a timeout of 0 is the same as `poll`.
    public func receive(from source: Int? = nil, tag: Int32? = nil, timeout: Double,
                        idle: IdlePolicy = .default) throws -> MPIMessage? {
        let deadline = monotonicSeconds() + (timeout.isNaN ? 0 : max(0, timeout))
        var backoff = Backoff(idle)
        while true {
            if let message = try poll(from: source, tag: tag) { return message }
            if monotonicSeconds() >= deadline { return nil }
            backoff.pause(deadline: deadline)
        }
    }

    /// Waits until every rank has called `barrier` (`MPI_Ibarrier`, then `MPI_Test` with backoff).
    public func barrier(idle: IdlePolicy = .default) throws {
        var request: MPI_Request? = nil
        try locked("MPI_Ibarrier") { try check(MPI_Ibarrier(cmpi_comm_world(), &request), "MPI_Ibarrier") }
        try wait(for: &request, call: "MPI_Test (barrier)", idle: idle)
    }

    // MARK: Helpers

    /// Runs `body` holding the process-wide MPI lock, after checking MPI is still usable.
    private func locked<T>(_ call: String, _ body: () throws -> T) throws -> T {
        let state = ProcessState.shared
        return try state.lock.withLock {
            guard !state.finalized else {
                throw MPIError(call: "MPIKit", code: cmpi_err_other(),
                               message: "\(call) called after MPI_Finalize")
            }
            return try body()
        }
    }

    /// Polls `request` with `MPI_Test` until it completes, pausing as `idle` says.
    private func wait(for request: inout MPI_Request?, call: String, idle: IdlePolicy) throws {
        var backoff = Backoff(idle)
        while true {
            var done: Int32 = 0
            try locked(call) { try check(MPI_Test(&request, &done, cmpi_status_ignore()), call) }
            if done != 0 { return }
            backoff.pause()
        }
    }

    private func rankArgument(_ rank: Int, call: String) throws -> Int32 {
        guard let value = Int32(exactly: rank) else {
            throw MPIError(call: call, code: cmpi_err_rank(), message: "rank \(rank) is out of range")
        }
        return value
    }
}

/// What one process knows about MPI; guarded by `lock`, which also serialises every MPI call.
final class ProcessState: @unchecked Sendable {
    static let shared = ProcessState()

    let lock = Lock()
    var world: MPIWorld?
    var finalized = false

    var isFinalized: Bool { lock.withLock { finalized } }
}
