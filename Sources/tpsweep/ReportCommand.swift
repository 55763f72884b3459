import ArgumentParser
import Coordinator
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a leaderboard of a sweep's stored trials.")

    @Argument(help: "The sweep's output folder (run --out).")
    var directory: String

    @Option(name: .long, help: "Summary key to rank by (default: best_validation_accuracy, or best_validation_loss for regression).")
    var metric: String?

    @Option(name: .long, help: "Rows to show.")
    var top = 20

    func run() throws {
        let board = try reportingInputErrors { try Leaderboard(directory: directory, metric: metric) }
        print(board.text(top: top))
    }
}
