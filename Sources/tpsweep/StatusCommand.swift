import ArgumentParser
import Coordinator
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the progress of a sweep from another terminal, while it runs or after.")

    @Argument(help: "The sweep's output folder (run --out).")
    var directory: String

    func run() throws {
        let status = try reportingInputErrors { try SweepStatus.read(directory: directory) }
        print(status.text)
    }
}
