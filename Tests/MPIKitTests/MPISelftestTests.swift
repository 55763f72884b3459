import Foundation
import XCTest

/// MPIKit under real `mpirun`, through the `mpi-selftest` executable built beside this test runner.
///
/// MPI is never initialised inside the test process: XCTest runs every test in one process and
/// Open MPI cannot initialise again after finalising. Every MPI check runs in child processes,
/// including the singleton check (the executable started without `mpirun`).
final class MPISelftestTests: XCTestCase {
    /// The build products directory: it holds the xctest runner and `mpi-selftest`.
    var selftest: URL { Bundle.main.bundleURL.appendingPathComponent("mpi-selftest") }

    func testSizesUpTo8MiBVerifiedByteForByteOnThreeRanks() throws {
        let r = try mpirun(ranks: 3, ["sizes"])
        XCTAssertEqual(r.status, 0, r.log)
        let v = r.values
        XCTAssertEqual(v["status"], "ok", r.log)
        XCTAssertEqual(v["ranks"], "3")
        let sizes = (v["payload_sizes"] ?? "").split(separator: ",").compactMap { Int($0) }
        XCTAssertTrue(sizes.contains(0), "empty payload not exercised")
        XCTAssertEqual(sizes.max(), 8 << 20)
        XCTAssertEqual(v["max_payload_bytes"], String(8 << 20))
        // Two workers, each payload checked at rank 0 on arrival and at the worker on its echo.
        XCTAssertEqual(int(v["payloads_expected"]), 2 * sizes.count)
        XCTAssertEqual(int(v["payloads_verified"]), 2 * sizes.count, r.log)
        XCTAssertEqual(int(v["arrivals_verified"]), 2 * sizes.count)
        XCTAssertEqual(int(v["echoes_verified"]), 2 * sizes.count)
        XCTAssertEqual(int(v["bytes_received"]), 2 * sizes.reduce(0, +))
    }

    func testWaitingCoordinatorUsesLittleCPU() throws {
        let r = try mpirun(ranks: 2, ["idle", "2"])
        XCTAssertEqual(r.status, 0, r.log)
        let v = r.values
        XCTAssertEqual(v["status"], "ok", r.log)
        XCTAssertEqual(v["messages"], "1")
        let wait = try XCTUnwrap(double(v["wait_s"]), r.log)
        XCTAssertGreaterThanOrEqual(wait, 1.9, "rank 0 should have waited for the sleeping worker")
        let cpu = try XCTUnwrap(double(v["cpu_percent"]), r.log)
        print("mpi-selftest idle 2: coordinator CPU \(cpu) % of one core over \(wait) s")
        // The goal is ≤ 5 % (measured ~2 % here); the bound is looser because the machine is shared.
        XCTAssertLessThan(cpu, 10, "a waiting coordinator must not burn a core")
        XCTAssertGreaterThanOrEqual(cpu, 0)
    }

    func testPingpongReportsLatencyAndThroughput() throws {
        let r = try mpirun(ranks: 2, ["pingpong", "2000", "8"])
        XCTAssertEqual(r.status, 0, r.log)
        let v = r.values
        XCTAssertEqual(v["status"], "ok", r.log)
        XCTAssertEqual(int(v["timed_roundtrips"]), 2000)
        XCTAssertEqual(int(v["roundtrips"]), 2100, "2000 timed round trips after 100 of warm-up")
        let median = try XCTUnwrap(double(v["latency_us_median"]), r.log)
        let p90 = try XCTUnwrap(double(v["latency_us_p90"]), r.log)
        let rate = try XCTUnwrap(double(v["messages_per_s"]), r.log)
        print("mpi-selftest pingpong: median \(median) µs, p90 \(p90) µs, \(rate) messages/s")
        XCTAssertGreaterThan(median, 0)
        XCTAssertLessThanOrEqual(median, p90)
        // Shared memory answers in microseconds; even a loaded machine stays far below 10 ms.
        XCTAssertLessThan(median, 10_000)
        XCTAssertGreaterThan(rate, 100)
    }

    func testThreadsShareTheWorld() throws {
        let r = try mpirun(ranks: 3, ["threads", "4", "100"])
        XCTAssertEqual(r.status, 0, r.log)
        let v = r.values
        XCTAssertEqual(v["status"], "ok", r.log)
        XCTAssertEqual(int(v["messages_expected"]), 2 * 4 * 100)
        XCTAssertEqual(int(v["messages_received"]), 2 * 4 * 100)
        XCTAssertEqual(v["duplicates"], "0")
        XCTAssertEqual(v["invalid"], "0")
    }

    func testSingletonWithoutMpirun() throws {
        let r = try run(selftest, ["info"])
        XCTAssertEqual(r.status, 0, r.log)
        let v = r.values
        XCTAssertEqual(v["status"], "ok", r.log)
        XCTAssertEqual(v["size"], "1")
        XCTAssertEqual(v["rank"], "0")
        XCTAssertEqual(v["same_world"], "true", "a second initialize() returns the same world")
        XCTAssertFalse((v["processor_name"] ?? "").isEmpty)
        XCTAssertEqual(v["thread_level"], "serialized")
        // MPI_ERRORS_RETURN: an invalid rank comes back as MPIError(MPI_ERR_RANK = 6).
        XCTAssertEqual(v["bad_rank_error_code"], "6", r.log)
        XCTAssertEqual(v["bad_rank_error_call"], "MPI_Isend")
        XCTAssertTrue((v["bad_rank_error_message"] ?? "").contains("rank"), r.log)
        XCTAssertEqual(v["self_message"], "self")
        XCTAssertEqual(v["timeout_result"], "nil")
        let waited = try XCTUnwrap(double(v["timeout_waited_s"]))
        XCTAssertGreaterThanOrEqual(waited, 0.05)
        XCTAssertLessThan(waited, 1)
        XCTAssertEqual(v["after_finalize"], "throws")
        XCTAssertEqual(v["initialize_after_finalize"], "throws")
    }

    func testWorldFactsUnderMpirun() throws {
        let r = try mpirun(ranks: 3, ["info"])
        XCTAssertEqual(r.status, 0, r.log)
        let v = r.values
        XCTAssertEqual(v["status"], "ok", r.log)
        XCTAssertEqual(v["size"], "3")
        XCTAssertEqual(v["rank"], "0")
        XCTAssertEqual(v["ranks_reporting"], "3")
        XCTAssertEqual(v["bad_rank_error_code"], "6")
    }

    func testNeedsWorkersAndValidArguments() throws {
        let alone = try run(selftest, ["sizes"])
        XCTAssertEqual(alone.status, 2, alone.log)
        XCTAssertEqual(alone.values["status"], "error")
        let bad = try run(selftest, ["warp"])
        XCTAssertEqual(bad.status, 2, bad.log)
        XCTAssertTrue(bad.err.contains("usage"), bad.log)
    }

    // MARK: Running processes

    struct Result {
        let status: Int32
        let out: String
        let err: String
        var log: String { "exit \(status)\n--- stdout\n\(out)--- stderr\n\(err)" }
        /// The `key=value` lines of standard output.
        var values: [String: String] {
            var result: [String: String] = [:]
            for line in out.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                result[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
            return result
        }
    }

    func int(_ s: String?) -> Int? { s.flatMap { Int($0) } }
    func double(_ s: String?) -> Double? { s.flatMap { Double($0) }.flatMap { $0.isFinite ? $0 : nil } }

    func mpirun(ranks: Int, _ arguments: [String]) throws -> Result {
        let launcher = try XCTUnwrap(findInPath("mpirun"), "mpirun not found: install openmpi-bin (scripts/setup.sh)")
        return try run(launcher, ["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), selftest.path] + arguments)
    }

    func findInPath(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `executable` with output in temporary files (no pipe can fill up), killing it after
    /// `timeout` seconds so a hung MPI job fails the test instead of hanging it.
    func run(_ executable: URL, _ arguments: [String], timeout: Double = 120) throws -> Result {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: executable.path), "missing \(executable.path)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mpikit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("out"), errURL = dir.appendingPathComponent("err")
        XCTAssertTrue(FileManager.default.createFile(atPath: outURL.path, contents: nil))
        XCTAssertTrue(FileManager.default.createFile(atPath: errURL.path, contents: nil))
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PMIX_") && !$0.key.hasPrefix("OMPI_COMM_WORLD")
        }
        environment["OMPI_MCA_pml"] = "ob1"
        environment["SWIFT_BACKTRACE"] = "enable=no"

        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        try process.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if done.wait(timeout: .now() + 10) == .timedOut { kill(process.processIdentifier, SIGKILL); done.wait() }
            XCTFail("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) timed out after \(timeout) s")
        }
        return Result(status: process.terminationStatus,
                      out: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      err: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
