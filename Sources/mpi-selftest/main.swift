// mpi-selftest: exercises MPIKit under mpirun. Worker ranks (1 ..< size) send messages to rank 0,
// which echoes them back. Only rank 0 prints, one `key=value` per line; workers report to it.
//
//   mpirun -np 3 mpi-selftest sizes                   payloads 0 B … 8 MiB, verified byte for byte
//   mpirun -np 2 mpi-selftest pingpong [N] [BYTES] [default|busy|SPIN:INITIAL:MAX]
//                                                     round-trip latency and messages per second
//   mpirun -np 2 mpi-selftest idle SECONDS [default|busy|SPIN:INITIAL:MAX]
//                                                     CPU rank 0 spends waiting SECONDS in receive
//   mpirun -np 2 mpi-selftest threads [THREADS] [N]   threads of each rank share the world
//   mpi-selftest info                                 world facts; error and finalize behaviour
//
// Exit status: 0 when every check passed, 1 when a check failed or MPI reported an error, 2 for
// bad arguments.
import Foundation
import MPIKit

enum Tag {
    static let data: Int32 = 1
    static let result: Int32 = 2
    static let wake: Int32 = 3
    /// `sizes` sends payload number i with tag `sizesBase + i`.
    static let sizesBase: Int32 = 100
}

func emit(_ key: String, _ value: Any) { print("\(key)=\(value)") }

func fail(_ message: String, code: Int32 = 1) -> Never {
    printError(message)
    exit(code)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("mpi-selftest: \(message)\n".utf8))
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// User + system CPU seconds of the whole process (`RUSAGE_SELF`, all threads) or this thread.
func cpuSeconds(thread: Bool = false) -> Double {
    var usage = rusage()
    #if os(Linux)
    // RUSAGE_THREAD (1) is hidden behind _GNU_SOURCE in glibc's headers.
    getrusage(thread ? __rusage_who_t(1) : __rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func formatted(_ x: Double, _ digits: Int = 2) -> String {
    String(format: "%.\(digits)f", x)
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let index = min(sorted.count - 1, max(0, Int((p * Double(sorted.count - 1)).rounded())))
    return sorted[index]
}

func policy(named name: String?) -> IdlePolicy {
    switch name ?? "default" {
    case "default": return .default
    case "busy": return .busy
    default:
        // SPIN:INITIAL:MAX in microseconds, e.g. 100:20:1000.
        let parts = (name ?? "").split(separator: ":").compactMap { Double($0) }
        guard parts.count == 3 else { fail("unknown idle policy '\(name ?? "")' (default, busy, SPIN:INITIAL:MAX µs)", code: 2) }
        return IdlePolicy(spin: parts[0] * 1e-6, initialSleep: parts[1] * 1e-6, maxSleep: parts[2] * 1e-6)
    }
}

func encode(_ values: [Double]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }
func decode(_ bytes: [UInt8]) -> [Double] {
    var values = [Double](repeating: 0, count: bytes.count / MemoryLayout<Double>.size)
    values.withUnsafeMutableBytes { $0.copyBytes(from: bytes.prefix($0.count)) }
    return values
}

func requireWorkers(_ world: MPIWorld) {
    if world.size < 2 {
        if world.rank == 0 { emit("status", "error"); emit("message", "needs at least 2 ranks (run under mpirun -np 2 or more)") }
        world.finalize()
        exit(2)
    }
}

// MARK: pingpong

/// Byte-for-byte equality at memcmp speed (Array's `==` is slow in debug builds).
func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in
        x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
    } }
}

func pingpong(_ world: MPIWorld, count: Int, bytes: Int, idle: IdlePolicy, policyName: String) throws {
    requireWorkers(world)
    let warmup = min(100, count)
    if world.rank == 0 {
        var reported = 0, echoed = 0
        var samples: [Double] = []
        var medians: [(Int, Double)] = []
        var roundtripsPerSecond = 0.0
        while reported < world.size - 1 {
            let message = try world.receive(idle: idle)
            switch message.tag {
            case Tag.data:
                try world.send(message.payload, to: message.source, tag: Tag.data, idle: idle)
                echoed += 1
            case Tag.result:
                var values = decode(message.payload)
                guard !values.isEmpty else { fail("empty result from rank \(message.source)") }
                roundtripsPerSecond += Double(values.count - 1) / max(values.removeFirst(), 1e-9)
                samples += values
                medians.append((message.source, percentile(values.sorted(), 0.5)))
                reported += 1
            default:
                fail("unexpected tag \(message.tag) from rank \(message.source)")
            }
        }
        try world.barrier()
        samples.sort()
        emit("mode", "pingpong")
        emit("ranks", world.size)
        emit("policy", policyName)
        emit("payload_bytes", bytes)
        emit("roundtrips", echoed)
        emit("timed_roundtrips", samples.count)
        emit("latency_us_median", formatted(percentile(samples, 0.5) * 1e6))
        emit("latency_us_p10", formatted(percentile(samples, 0.1) * 1e6))
        emit("latency_us_p90", formatted(percentile(samples, 0.9) * 1e6))
        for (rank, median) in medians.sorted(by: { $0.0 < $1.0 }) {
            emit("rank\(rank)_latency_us_median", formatted(median * 1e6))
        }
        // Summed over workers (each timing its own round trips after warm-up). Each round trip is
        // one message into rank 0 and one out.
        emit("roundtrips_per_s", formatted(roundtripsPerSecond, 0))
        emit("messages_per_s", formatted(2 * roundtripsPerSecond, 0))
        emit("status", samples.count == (world.size - 1) * count && !samples.contains { !$0.isFinite || $0 <= 0 } ? "ok" : "fail")
    } else {
        let payload = (0..<bytes).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ world.rank) }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        var timedStart = now()
        for i in 0..<(warmup + count) {
            if i == warmup { timedStart = now() }
            let start = now()
            try world.send(payload, to: 0, tag: Tag.data, idle: idle)
            let echo = try world.receive(from: 0, tag: Tag.data, idle: idle)
            let elapsed = now() - start
            guard same(echo.payload, payload) else { fail("rank \(world.rank): echo \(i) differs") }
            if i >= warmup { samples.append(elapsed) }
        }
        // First the wall time of the timed round trips, then one latency per round trip.
        try world.send(encode([now() - timedStart] + samples), to: 0, tag: Tag.result, idle: idle)
        try world.barrier()
    }
}

// MARK: idle

func idle(_ world: MPIWorld, seconds: Double, idle: IdlePolicy, policyName: String) throws {
    requireWorkers(world)
    try world.barrier()
    if world.rank == 0 {
        let wall0 = now(), cpu0 = cpuSeconds(), thread0 = cpuSeconds(thread: true)
        var received = 0
        while received < world.size - 1 {
            let message = try world.receive(tag: Tag.wake, idle: idle)
            guard message.payload == [UInt8(truncatingIfNeeded: message.source)] else { fail("bad wake message") }
            received += 1
        }
        let wall = now() - wall0, cpu = cpuSeconds() - cpu0, thread = cpuSeconds(thread: true) - thread0
        try world.barrier()
        emit("mode", "idle")
        emit("ranks", world.size)
        emit("policy", policyName)
        emit("messages", received)
        emit("wait_s", formatted(wall, 3))
        emit("cpu_s", formatted(cpu, 4))
        emit("cpu_percent", formatted(100 * cpu / wall))
        emit("cpu_percent_main_thread", formatted(100 * thread / wall))
        emit("status", received == world.size - 1 && wall >= seconds * 0.9 ? "ok" : "fail")
    } else {
        sleepFor(seconds)
        try world.send([UInt8(truncatingIfNeeded: world.rank)], to: 0, tag: Tag.wake)
        try world.barrier()
    }
}

func sleepFor(_ seconds: Double) {
    let whole = seconds.rounded(.down)
    var request = timespec(tv_sec: Int(whole), tv_nsec: Int((seconds - whole) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}

// MARK: sizes

let payloadSizes = [0, 1, 2, 3, 7, 8, 63, 64, 65, 1000, 4095, 4096, 4097, 12_000, 65_535, 65_536, 65_537,
                    1 << 20, (1 << 20) + 1, 3_000_001, 8 << 20]

/// The bytes rank `rank` sends as payload of `length` bytes: differs between ranks and sizes, and
/// from byte to byte (a shifted or truncated copy does not match).
func pattern(rank: Int, length: Int) -> [UInt8] {
    var state = UInt64(truncatingIfNeeded: rank &* 1_000_003 &+ length) &+ 0x9E37_79B9_7F4A_7C15
    return [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
        for i in 0..<length {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            buffer[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        initialized = length
    }
}

func sizes(_ world: MPIWorld) throws {
    requireWorkers(world)
    let workers = world.size - 1
    if world.rank == 0 {
        // arrived[rank][i]: payload i from `rank` arrived intact with the right tag.
        var arrived = [[Bool]](repeating: [Bool](repeating: false, count: payloadSizes.count), count: world.size)
        var echoed = arrived
        var reported = 0, received = 0, bytes = 0
        while reported < workers {
            let message = try world.receive()
            if message.tag == Tag.result {
                for (i, ok) in message.payload.enumerated() where i < payloadSizes.count { echoed[message.source][i] = ok == 1 }
                reported += 1
                continue
            }
            let index = Int(message.tag - Tag.sizesBase)
            guard payloadSizes.indices.contains(index) else { fail("unexpected tag \(message.tag) from rank \(message.source)") }
            received += 1
            bytes += message.payload.count
            arrived[message.source][index] = message.payload.count == payloadSizes[index]
                && same(message.payload, pattern(rank: message.source, length: payloadSizes[index]))
            try world.send(message.payload, to: message.source, tag: message.tag)
        }
        try world.barrier()
        let expected = workers * payloadSizes.count
        var verified = 0, arrivals = 0, echoes = 0
        for rank in 1..<world.size {
            for i in payloadSizes.indices {
                if arrived[rank][i] { arrivals += 1 }
                if echoed[rank][i] { echoes += 1 }
                if arrived[rank][i] && echoed[rank][i] { verified += 1 }
            }
        }
        emit("mode", "sizes")
        emit("ranks", world.size)
        emit("payload_sizes", payloadSizes.map(String.init).joined(separator: ","))
        emit("max_payload_bytes", payloadSizes.max()!)
        emit("messages_received", received)
        emit("bytes_received", bytes)
        emit("arrivals_verified", arrivals)
        emit("echoes_verified", echoes)
        emit("payloads_expected", expected)
        emit("payloads_verified", verified)
        let ok = verified == expected && received == expected
        emit("status", ok ? "ok" : "fail")
        if !ok { world.finalize(); exit(1) }
    } else {
        var verdicts = [UInt8](repeating: 0, count: payloadSizes.count)
        for (i, length) in payloadSizes.enumerated() {
            let payload = pattern(rank: world.rank, length: length)
            let tag = Tag.sizesBase + Int32(i)
            try world.send(payload, to: 0, tag: tag)
            let echo = try world.receive(from: 0, tag: tag)
            verdicts[i] = same(echo.payload, payload) && echo.source == 0 && echo.tag == tag ? 1 : 0
        }
        try world.send(verdicts, to: 0, tag: Tag.result)
        try world.barrier()
    }
}

// MARK: threads

/// Counts shared by the threads of one rank.
final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<[UInt8]> = []
    private(set) var duplicates = 0
    private(set) var bad = 0

    var count: Int { lock.withLock { seen.count } }
    func record(_ payload: [UInt8], valid: Bool) {
        lock.withLock {
            if !valid { bad += 1 }
            if !seen.insert(payload).inserted { duplicates += 1 }
        }
    }
}

/// Several threads per rank use the one world at once: every worker thread sends `count` messages
/// with its own tag and waits for each echo; two threads on rank 0 receive and echo concurrently.
func threads(_ world: MPIWorld, threadsPerWorker: Int, count: Int) throws {
    requireWorkers(world)
    let expected = (world.size - 1) * threadsPerWorker * count
    let tally = Tally()
    let failure = Tally()
    if world.rank == 0 {
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                while tally.count + tally.duplicates < expected {
                    guard let m = try world.receive(tag: nil, timeout: 0.05) else { continue }
                    let valid = m.payload.count == 3 && Int(m.payload[0]) == m.source && Int32(m.payload[1]) + 10 == m.tag
                    tally.record([UInt8(m.source)] + m.payload, valid: valid)
                    try world.send(m.payload, to: m.source, tag: m.tag)
                }
            } catch {
                printError("rank 0: \(error)")
                failure.record([], valid: false)
            }
        }
        try world.barrier()
        emit("mode", "threads")
        emit("ranks", world.size)
        emit("threads_per_worker", threadsPerWorker)
        emit("messages_expected", expected)
        emit("messages_received", tally.count)
        emit("duplicates", tally.duplicates)
        emit("invalid", tally.bad)
        let ok = tally.count == expected && tally.duplicates == 0 && tally.bad == 0 && failure.bad == 0
        emit("status", ok ? "ok" : "fail")
        if !ok { world.finalize(); exit(1) }
    } else {
        DispatchQueue.concurrentPerform(iterations: threadsPerWorker) { t in
            do {
                for i in 0..<count {
                    let payload = [UInt8(world.rank), UInt8(t), UInt8(truncatingIfNeeded: i)]
                    try world.send(payload, to: 0, tag: 10 + Int32(t))
                    let echo = try world.receive(from: 0, tag: 10 + Int32(t))
                    if echo.payload != payload { failure.record([], valid: false) }
                }
            } catch {
                printError("rank \(world.rank) thread \(t): \(error)")
                failure.record([], valid: false)
            }
        }
        try world.barrier()
        if failure.bad > 0 { world.abort(code: 1) }
    }
}

// MARK: info

func info(_ world: MPIWorld) throws {
    let again = try MPIWorld.initialize()
    if world.rank == 0 {
        var names = [world.processorName]
        for _ in 1..<max(1, world.size) {
            let message = try world.receive(tag: Tag.result)
            names.append(String(decoding: message.payload, as: UTF8.self))
        }
        emit("mode", "info")
        emit("rank", world.rank)
        emit("size", world.size)
        emit("processor_name", world.processorName)
        emit("thread_level", world.threadLevel)
        emit("same_world", again === world)
        emit("ranks_reporting", names.count)
        // MPI_ERRORS_RETURN: a bad destination comes back as an MPIError, not an abort.
        do {
            try world.send([1, 2, 3], to: world.size, tag: Tag.data)
            emit("bad_rank_error", "none")
        } catch let error as MPIError {
            emit("bad_rank_error_call", error.call)
            emit("bad_rank_error_code", error.code)
            emit("bad_rank_error_message", error.message)
        }
        // A message to oneself, and a timed receive that times out.
        try world.send(Array("self".utf8), to: 0, tag: Tag.data)
        let selfMessage = try world.receive(from: 0, tag: Tag.data, timeout: 5)
        emit("self_message", selfMessage.map { String(decoding: $0.payload, as: UTF8.self) } ?? "none")
        let start = now()
        let nothing = try world.receive(tag: Tag.wake, timeout: 0.05)
        emit("timeout_result", nothing == nil ? "nil" : "message")
        emit("timeout_waited_s", formatted(now() - start, 3))
    } else {
        try world.send(Array(world.processorName.utf8), to: 0, tag: Tag.result)
    }
    try world.barrier()
    world.finalize()
    world.finalize()
    if world.rank == 0 {
        do {
            _ = try world.poll()
            emit("after_finalize", "no error")
        } catch let error as MPIError {
            emit("after_finalize", "throws")
            emit("after_finalize_error", error)
        }
        do {
            _ = try MPIWorld.initialize()
            emit("initialize_after_finalize", "no error")
        } catch {
            emit("initialize_after_finalize", "throws")
        }
        emit("status", "ok")
    }
}

// MARK: main

func main() -> Int32 {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard let mode = arguments.first, ["pingpong", "idle", "sizes", "threads", "info"].contains(mode) else {
        fail("usage: mpi-selftest pingpong [N] [BYTES] [default|busy|SPIN:INITIAL:MAX] | idle SECONDS [default|busy|SPIN:INITIAL:MAX] | sizes | threads [THREADS] [N] | info", code: 2)
    }
    func number(_ index: Int, default value: Double) -> Double {
        guard arguments.count > index else { return value }
        guard let x = Double(arguments[index]), x >= 0, x.isFinite else { fail("bad number '\(arguments[index])'", code: 2) }
        return x
    }
    let world: MPIWorld
    do { world = try MPIWorld.initialize() } catch { fail("\(error)") }
    do {
        switch mode {
        case "pingpong":
            let name = arguments.count > 3 ? arguments[3] : "default"
            try pingpong(world, count: max(1, Int(number(1, default: 2000))), bytes: Int(number(2, default: 8)),
                         idle: policy(named: name), policyName: name)
        case "idle":
            guard arguments.count > 1 else { fail("idle needs SECONDS", code: 2) }
            let name = arguments.count > 2 ? arguments[2] : "default"
            try idle(world, seconds: number(1, default: 2), idle: policy(named: name), policyName: name)
        case "sizes":
            try sizes(world)
        case "threads":
            try threads(world, threadsPerWorker: max(1, min(100, Int(number(1, default: 4)))),
                        count: max(1, min(256, Int(number(2, default: 200)))))
        default:
            try info(world)
            return 0
        }
    } catch {
        printError("rank \(world.rank): \(error)")
        world.abort(code: 1)
    }
    world.finalize()
    return 0
}

exit(main())
