import CHDF5

/// Owns one HDF5 identifier and closes it exactly once (explicitly, or when the last Swift
/// reference goes away).
final class H5Handle {
    enum Kind { case file, group, dataset }
    private(set) var id: hid_t
    let kind: Kind

    init(_ id: hid_t, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    var isOpen: Bool { id >= 0 }

    /// Closes the identifier; a second call does nothing.
    func close(file: String, object: String) throws {
        guard id >= 0 else { return }
        let old = id
        id = -1
        switch kind {
        case .file: try h5("H5Fclose", file: file) { H5Fclose(old) }
        case .group: try h5("H5Gclose", file: file, object: object) { H5Gclose(old) }
        case .dataset: try h5("H5Dclose", file: file, object: object) { H5Dclose(old) }
        }
    }

    deinit {
        guard id >= 0 else { return }
        let old = id
        switch kind {
        case .file: h5Quiet { H5Fclose(old) }
        case .group: h5Quiet { H5Gclose(old) }
        case .dataset: h5Quiet { H5Dclose(old) }
        }
    }
}

/// What a link in a group leads to.
public enum H5ObjectKind: Sendable, Equatable {
    case group, dataset, namedType, other
}

/// A file, group or dataset: something with a path and attributes (h5py's `HLObject`).
///
/// An object keeps its file open: the file closes when the `H5File` and every object opened
/// through it are gone, or at once with `H5File.close()` (which makes the others unusable: their
/// calls then throw).
public class H5Object {
    let handle: H5Handle
    /// The file's path, as it was given to `H5File.create`/`open`.
    public let filePath: String
    /// The object's absolute path inside the file (`/`, `/metrics/train_loss`).
    public let name: String
    /// Keeps the file open while this object lives (nil for the file itself).
    let owner: H5File?

    init(handle: H5Handle, filePath: String, name: String, owner: H5File?) {
        self.handle = handle
        self.filePath = filePath
        self.name = name
        self.owner = owner
    }

    var id: hid_t { handle.id }

    /// The file that owns this object (itself for a file).
    var fileObject: H5File { owner ?? (self as! H5File) }

    /// The absolute path of `child` relative to this object.
    func path(of child: String) -> String {
        if child.hasPrefix("/") { return child }
        return name == "/" ? "/" + child : name + "/" + child
    }

    /// Throws unless the object is still open.
    func checkOpen(_ call: String) throws {
        guard handle.isOpen, owner?.handle.isOpen ?? true else {
            throw usageError(call, file: filePath, object: name, "the file or object is closed")
        }
    }
}

/// Throws for names HDF5Kit refuses: empty, `.`, or with a NUL byte. `/` separates path components.
func checkName(_ name: String, call: String, file: String, object: String) throws {
    if name.isEmpty || name == "." || name.utf8.contains(0) {
        throw usageError(call, file: file, object: object, "invalid name \(String(reflecting: name))")
    }
}

/// A property list made for one call and closed after it.
func withPropertyList<T>(_ cls: hid_t, file: String, object: String,
                         _ body: (hid_t) throws -> T) throws -> T {
    let plist = try h5("H5Pcreate", file: file, object: object) { H5Pcreate(cls) }
    defer { h5Quiet { H5Pclose(plist) } }
    return try body(plist)
}

/// The link creation property list that makes missing intermediate groups (h5py's behaviour),
/// made once per process and shared: creating, setting and closing one for every dataset and group
/// was a tenth of the cost of writing a small file.
func intermediateGroupsLinkList(file: String, object: String) throws -> hid_t {
    try H5Lib.locked {
        if let plist = SharedLinkList.intermediateGroups { return plist }
        let plist = try h5("H5Pcreate", file: file, object: object) { H5Pcreate(tp_H5P_LINK_CREATE()) }
        try h5("H5Pset_create_intermediate_group", file: file, object: object) {
            H5Pset_create_intermediate_group(plist, 1)
        }
        SharedLinkList.intermediateGroups = plist
        return plist
    }
}

/// Guarded by `H5Lib`'s lock.
private enum SharedLinkList {
    nonisolated(unsafe) static var intermediateGroups: hid_t?
}

/// A dataspace made for one call and closed after it: scalar for `nil`, simple for a shape.
func withDataspace<T>(_ shape: [Int]?, maxShape: [Int?]? = nil, file: String, object: String,
                      _ body: (hid_t) throws -> T) throws -> T {
    let space: hid_t
    if let shape {
        var dims = shape.map { hsize_t($0) }
        if let maxShape {
            var maxDims = maxShape.map { $0.map { hsize_t($0) } ?? tp_H5S_UNLIMITED() }
            space = try h5("H5Screate_simple", file: file, object: object) {
                H5Screate_simple(Int32(dims.count), &dims, &maxDims)
            }
        } else {
            space = try h5("H5Screate_simple", file: file, object: object) {
                H5Screate_simple(Int32(dims.count), &dims, nil)
            }
        }
    } else {
        space = try h5("H5Screate", file: file, object: object) { H5Screate(H5S_SCALAR) }
    }
    defer { h5Quiet { H5Sclose(space) } }
    return try body(space)
}

/// A datatype made for one call (a copy, a compound, a string type) and closed after it.
func withType<T>(_ make: () throws -> hid_t, _ body: (hid_t) throws -> T) throws -> T {
    let type = try make()
    defer { h5Quiet { H5Tclose(type) } }
    return try body(type)
}

/// The variable-length UTF-8 string type (what h5py writes for `str`).
func makeVariableUTF8(file: String, object: String) throws -> hid_t {
    let t = try h5("H5Tcopy", file: file, object: object) { H5Tcopy(tp_H5T_C_S1()) }
    do {
        try h5("H5Tset_size", file: file, object: object) { H5Tset_size(t, tp_H5T_VARIABLE()) }
        try h5("H5Tset_cset", file: file, object: object) { H5Tset_cset(t, H5T_CSET_UTF8) }
    } catch {
        h5Quiet { H5Tclose(t) }
        throw error
    }
    return t
}

/// The boolean type h5py reads as numpy `bool`: an 8-bit enum with FALSE = 0 and TRUE = 1.
func makeBoolType(file: String, object: String) throws -> hid_t {
    let t = try h5("H5Tenum_create", file: file, object: object) { H5Tenum_create(tp_H5T_NATIVE_INT8()) }
    do {
        var f: Int8 = 0, tr: Int8 = 1
        try h5("H5Tenum_insert", file: file, object: object) { H5Tenum_insert(t, "FALSE", &f) }
        try h5("H5Tenum_insert", file: file, object: object) { H5Tenum_insert(t, "TRUE", &tr) }
    } catch {
        h5Quiet { H5Tclose(t) }
        throw error
    }
    return t
}

/// The shape of a dataspace (`[]` for a scalar one).
func shapeOf(space: hid_t, file: String, object: String) throws -> [Int] {
    let rank = try h5("H5Sget_simple_extent_ndims", file: file, object: object) {
        H5Sget_simple_extent_ndims(space)
    }
    if rank == 0 { return [] }
    var dims = [hsize_t](repeating: 0, count: Int(rank))
    try h5("H5Sget_simple_extent_dims", file: file, object: object) {
        H5Sget_simple_extent_dims(space, &dims, nil)
    }
    return dims.map { Int($0) }
}

/// Whether the dataspace is H5S_NULL (no elements, not even a scalar one).
func isNullSpace(_ space: hid_t, file: String, object: String) throws -> Bool {
    try H5Lib.locked {
        let cls = H5Sget_simple_extent_type(space)
        if cls == H5S_NO_CLASS {
            throw HDF5Error(call: "H5Sget_simple_extent_type", file: file, object: object,
                            stack: currentErrorStack())
        }
        return cls == H5S_NULL
    }
}
