import ArgumentParser
import Foundation
import TPEngine

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one run from a config file, without MPI.",
        discussion: """
            The config is a YAML file of the run-config keys (docs/run-config.md); keys it leaves out \
            take the defaults of its method ([M20]'s Fashion-MNIST table). --set overrides any key, \
            dotted for nested ones: --set optimizer.lr=1e-3 --set model.hidden=[128,128].
            """)

    @Option(name: .long, help: "Run config (YAML). Without it, the method's defaults.")
    var config: String?

    @Option(name: .customLong("set"), parsing: .singleValue, help: "Override a key: KEY=VALUE (repeatable).")
    var overrides: [String] = []

    @Option(name: .long, help: "Write the result (config, per-epoch metrics, summary) as JSON to this file; - for stdout.")
    var json: String?

    @Flag(name: .long, help: "No per-epoch progress lines.")
    var quiet = false

    @Flag(name: .customLong("print-config"), help: "Print the resolved config as YAML and exit without training.")
    var printConfig = false

    @OptionGroup var compute: ComputeOptions

    func run() throws {
        try compute.apply()
        let runConfig = try reportingInputErrors {
            if let config { return try RunConfig.load(yamlFile: config, overrides: overrides) }
            return try RunConfig.resolve(yaml: "{}", source: "(defaults)", overrides: overrides)
        }
        if printConfig {
            print(runConfig.yamlString(), terminator: "")
            return
        }
        let printer = ProgressPrinter(config: runConfig, quiet: quiet)
        printer.header()
        let result = try reportingInputErrors { try train(runConfig, observer: printer) }
        printer.summary(result)
        if let json { try writeJSON(TrainOutput(config: runConfig, result: result), to: json) }
    }
}

/// What `train --json` writes.
struct TrainOutput: Encodable {
    var config: RunConfig
    var result: RunResult
}

func writeJSON<V: Encodable>(_ value: V, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    let data = try encoder.encode(value)
    if path == "-" {
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    } else {
        do { try data.write(to: URL(fileURLWithPath: path)) } catch {
            fail("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
