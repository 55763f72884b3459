import Foundation

/// Runs the built `tpsweep` binary as a user would, in a scratch folder of its own.
struct CLI {
    let dir: URL = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tpsweep-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }()

    func run(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        // The test runner sits beside the products of the same build.
        p.executableURL = Bundle.main.bundleURL.appendingPathComponent("tpsweep")
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func write(_ name: String, _ text: String) -> String {
        let url = dir.appendingPathComponent(name)
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
