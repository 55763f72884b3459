import ArgumentParser
import Foundation
import TPEngine

/// Bad input (a config, a data file) ends the command with its message and exit code 2, never a
/// trap; anything else keeps ArgumentParser's handling.
func reportingInputErrors<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ConfigError {
        fail("\(error)")
    } catch let error as DataError {
        fail("\(error)")
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tpsweep: error: \(message)\n".utf8))
    exit(2)
}
