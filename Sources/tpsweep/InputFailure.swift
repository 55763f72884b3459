import ArgumentParser
import Coordinator
import Foundation
import HDF5Kit
import Store
import Sweep
import TPEngine

/// Bad input (a config, a spec, a data file, a sweep folder) ends the command with its message and
/// exit code 2, never a trap; anything else keeps ArgumentParser's handling.
func reportingInputErrors<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ConfigError {
        fail("\(error)")
    } catch let error as DataError {
        fail("\(error)")
    } catch let error as SweepError {
        fail("\(error)")
    } catch let error as SweepRunError {
        fail("\(error)")
    } catch let error as StoreError {
        fail("\(error)")
    } catch let error as HDF5Error {
        fail("\(error)")
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("tpsweep: error: \(message)\n".utf8))
    exit(2)
}
