/// A store-level problem that is not an HDF5 failure (those arrive as `HDF5Error`, naming the file).
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file or directory concerned.
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "store error: \(path): \(reason)" }
}

/// Names that become HDF5 link names (trial ids, metric and tensor names) must be one path component.
func checkLinkName(_ name: String, what: String, path: String) throws {
    if name.isEmpty || name.contains("/") || name.hasPrefix(".") || name.utf8.contains(0) {
        throw StoreError(path: path, reason: "invalid \(what) \(String(reflecting: name)): it must be non-empty, "
                         + "contain no '/' or NUL, and not start with '.'")
    }
}

/// Names that become attribute names (parameter and summary keys).
func checkAttributeName(_ name: String, what: String, path: String) throws {
    if name.isEmpty || name.utf8.contains(0) {
        throw StoreError(path: path, reason: "invalid \(what) \(String(reflecting: name))")
    }
}
