/// One received message: who sent it, with which tag, and its bytes.
public struct MPIMessage: Sendable, Equatable {
    /// Rank of the sender in the world communicator.
    public let source: Int
    /// The tag the sender used.
    public let tag: Int32
    /// The message body, exactly as sent.
    public let payload: [UInt8]

    public init(source: Int, tag: Int32, payload: [UInt8]) {
        self.source = source
        self.tag = tag
        self.payload = payload
    }
}
