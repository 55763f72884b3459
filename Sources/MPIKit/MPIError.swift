import CMPI

/// A failed MPI call. The communicator's error handler is `MPI_ERRORS_RETURN`, so errors that MPI
/// can report come back here instead of aborting the job; `message` is MPI's own text
/// (`MPI_Error_string`) or, for checks MPIKit makes itself, a sentence naming the problem.
public struct MPIError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The MPI function that failed, e.g. `"MPI_Send"`.
    public let call: String
    /// The MPI error code (`MPI_ERR_*`).
    public let code: Int32
    /// What went wrong, in words.
    public let message: String

    public init(call: String, code: Int32, message: String) {
        self.call = call
        self.code = code
        self.message = message
    }

    /// The error for return code `code` of `call`, described by `MPI_Error_string`.
    init(call: String, code: Int32) {
        self.init(call: call, code: code, message: MPIError.string(for: code))
    }

    public var description: String { "\(call) failed (MPI error \(code)): \(message)" }

    /// `MPI_Error_string`. Open MPI 4 fills its table in `MPI_Init` and empties it in
    /// `MPI_Finalize`, so this is only called while MPI is initialised.
    static func string(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        guard MPI_Error_string(code, &buffer, &length) == cmpi_success() else { return "unknown MPI error" }
        let bytes = buffer.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Throws an `MPIError` unless `code` is `MPI_SUCCESS`.
@inline(__always)
func check(_ code: Int32, _ call: @autoclosure () -> String) throws {
    if code != cmpi_success() { throw MPIError(call: call(), code: code) }
}
