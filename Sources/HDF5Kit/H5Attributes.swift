import CHDF5
import Foundation

/// An attribute's value, in the types HDF5Kit writes and reads.
///
/// | case | HDF5 type written | h5py reads |
/// |---|---|---|
/// | `int64` | 64-bit signed integer, scalar | `numpy.int64` |
/// | `double` | IEEE 64-bit float, scalar | `numpy.float64` |
/// | `bool` | 8-bit enum {FALSE = 0, TRUE = 1}, scalar (h5py's own bool type) | `numpy.bool_` |
/// | `string` | variable-length UTF-8 string, scalar | `str` |
/// | `int64Array` / `doubleArray` | 1-D array of the above | `numpy.ndarray` |
/// | `stringArray` | 1-D array of variable-length UTF-8 strings | `ndarray` of `str` (object) |
///
/// Reading is more lenient: any integer type reads as `int64`, any float as `double`, fixed-length
/// strings as `string` (trailing NULs and spaces dropped), and 1-D or larger arrays as the flattened
/// array case.
public enum H5AttributeValue: Sendable, Equatable {
    case int64(Int64)
    case double(Double)
    case bool(Bool)
    case string(String)
    case int64Array([Int64])
    case doubleArray([Double])
    case stringArray([String])

    /// The type's name in messages.
    public var typeName: String {
        switch self {
        case .int64: "int64"
        case .double: "double"
        case .bool: "bool"
        case .string: "string"
        case .int64Array: "int64 array"
        case .doubleArray: "double array"
        case .stringArray: "string array"
        }
    }
}

extension H5Object {

    /// Sets attribute `name` to `value`, replacing any attribute of that name (as h5py's
    /// `attrs[name] = value` does).
    public func setAttribute(_ name: String, _ value: H5AttributeValue) throws {
        let call = "H5Acreate2"
        try checkOpen(call)
        let where_ = "\(self.name)@\(name)"
        if name.isEmpty || name.utf8.contains(0) {
            throw usageError(call, file: filePath, object: where_, "invalid attribute name \(String(reflecting: name))")
        }
        if try hasAttribute(name) {
            try h5("H5Adelete", file: filePath, object: where_) { H5Adelete(id, name) }
        }
        switch value {
        case .int64(var v):
            try writeAttribute(name, shape: nil, fileType: tp_H5T_STD_I64LE(), memType: tp_H5T_NATIVE_INT64()) { try $0(&v) }
        case .double(var v):
            try writeAttribute(name, shape: nil, fileType: tp_H5T_IEEE_F64LE(), memType: tp_H5T_NATIVE_DOUBLE()) { try $0(&v) }
        case .bool(let b):
            var v: Int8 = b ? 1 : 0
            try withType({ try makeBoolType(file: filePath, object: where_) }) { t in
                try writeAttribute(name, shape: nil, fileType: t, memType: t) { try $0(&v) }
            }
        case .string(let s):
            try checkString(s, call: call, object: where_)
            try withType({ try makeVariableUTF8(file: filePath, object: where_) }) { t in
                try s.withCString { p in
                    var pointer: UnsafePointer<CChar>? = p
                    try writeAttribute(name, shape: nil, fileType: t, memType: t) { try $0(&pointer) }
                }
            }
        case .int64Array(var v):
            try writeAttribute(name, shape: [v.count], fileType: tp_H5T_STD_I64LE(), memType: tp_H5T_NATIVE_INT64()) { w in
                try v.withUnsafeMutableBytes { try w($0.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!) }
            }
        case .doubleArray(var v):
            try writeAttribute(name, shape: [v.count], fileType: tp_H5T_IEEE_F64LE(), memType: tp_H5T_NATIVE_DOUBLE()) { w in
                try v.withUnsafeMutableBytes { try w($0.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!) }
            }
        case .stringArray(let strings):
            for s in strings { try checkString(s, call: call, object: where_) }
            let copies = strings.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
            try withType({ try makeVariableUTF8(file: filePath, object: where_) }) { t in
                try writeAttribute(name, shape: [strings.count], fileType: t, memType: t) { w in
                    try pointers.withUnsafeMutableBytes { try w($0.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!) }
                }
            }
        }
    }

    /// Creates the attribute and hands the caller a writer that takes the buffer.
    private func writeAttribute(_ name: String, shape: [Int]?, fileType: hid_t, memType: hid_t,
                                _ write: ((UnsafeMutableRawPointer) throws -> Void) throws -> Void) throws {
        let where_ = "\(self.name)@\(name)"
        try withDataspace(shape, file: filePath, object: where_) { space in
            let aid = try h5("H5Acreate2", file: filePath, object: where_) {
                H5Acreate2(id, name, fileType, space, tp_H5P_DEFAULT(), tp_H5P_DEFAULT())
            }
            defer { h5Quiet { H5Aclose(aid) } }
            try write { buffer in
                if shape?.first == 0 { return }
                try h5("H5Awrite", file: filePath, object: where_) { H5Awrite(aid, memType, buffer) }
            }
        }
    }

    private func checkString(_ s: String, call: String, object: String) throws {
        if s.utf8.contains(0) {
            throw usageError(call, file: filePath, object: object, "strings with NUL bytes cannot be stored")
        }
    }

    /// Whether the object has an attribute `name`.
    public func hasAttribute(_ name: String) throws -> Bool {
        try checkOpen("H5Aexists")
        return try h5("H5Aexists", file: filePath, object: "\(self.name)@\(name)") { H5Aexists(id, name) } > 0
    }

    /// Deletes attribute `name`.
    public func deleteAttribute(_ name: String) throws {
        try checkOpen("H5Adelete")
        try h5("H5Adelete", file: filePath, object: "\(self.name)@\(name)") { H5Adelete(id, name) }
    }

    /// The attribute names: in creation order if the object tracks it (see `createGroup(trackOrder:)`),
    /// else by name.
    public func attributeNames() throws -> [String] {
        try checkOpen("H5Aiterate2")
        final class Names { var list: [String] = [] }
        let names = Names()
        let index = try tracksAttributeOrder() ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME
        var n: hsize_t = 0
        try h5("H5Aiterate2", file: filePath, object: name) {
            H5Aiterate2(id, index, H5_ITER_INC, &n, { _, attrName, _, data in
                guard let attrName, let data else { return -1 }
                Unmanaged<Names>.fromOpaque(data).takeUnretainedValue().list.append(String(cString: attrName))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        return names.list
    }

    private func tracksAttributeOrder() throws -> Bool {
        if let file = self as? H5File {
            return try file.withRootGroupCreatePlist { plist in
                var flags: UInt32 = 0
                try h5("H5Pget_attr_creation_order", file: filePath, object: name) { H5Pget_attr_creation_order(plist, &flags) }
                return flags & UInt32(H5P_CRT_ORDER_INDEXED) != 0
            }
        }
        let plist: hid_t
        switch handle.kind {
        case .file: plist = try h5("H5Fget_create_plist", file: filePath) { H5Fget_create_plist(id) }
        case .group: plist = try h5("H5Gget_create_plist", file: filePath, object: name) { H5Gget_create_plist(id) }
        case .dataset: plist = try h5("H5Dget_create_plist", file: filePath, object: name) { H5Dget_create_plist(id) }
        }
        defer { h5Quiet { H5Pclose(plist) } }
        var flags: UInt32 = 0
        try h5("H5Pget_attr_creation_order", file: filePath, object: name) { H5Pget_attr_creation_order(plist, &flags) }
        return flags & UInt32(H5P_CRT_ORDER_INDEXED) != 0
    }

    /// Every attribute, in `attributeNames()` order.
    public func attributes() throws -> [(name: String, value: H5AttributeValue)] {
        try attributeNames().map { ($0, try attribute($0)) }
    }

    /// Reads attribute `name`.
    public func attribute(_ name: String) throws -> H5AttributeValue {
        let where_ = "\(self.name)@\(name)"
        try checkOpen("H5Aopen")
        let aid = try h5("H5Aopen", file: filePath, object: where_) { H5Aopen(id, name, tp_H5P_DEFAULT()) }
        defer { h5Quiet { H5Aclose(aid) } }
        let type = try h5("H5Aget_type", file: filePath, object: where_) { H5Aget_type(aid) }
        defer { h5Quiet { H5Tclose(type) } }
        let space = try h5("H5Aget_space", file: filePath, object: where_) { H5Aget_space(aid) }
        defer { h5Quiet { H5Sclose(space) } }
        let isNull = try isNullSpace(space, file: filePath, object: where_)
        let shape = isNull ? [0] : try shapeOf(space: space, file: filePath, object: where_)
        let scalar = shape.isEmpty
        let count = shape.reduce(1, *)
        let cls = H5Lib.locked { H5Tget_class(type) }

        func read(_ memType: hid_t, into buffer: UnsafeMutableRawPointer) throws {
            if count == 0 { return }
            try h5("H5Aread", file: filePath, object: where_) { H5Aread(aid, memType, buffer) }
        }

        switch cls {
        case H5T_INTEGER:
            var values = [Int64](repeating: 0, count: count)
            try values.withUnsafeMutableBytes { try read(tp_H5T_NATIVE_INT64(), into: $0.baseAddress!) }
            return scalar ? .int64(values[0]) : .int64Array(values)
        case H5T_FLOAT:
            var values = [Double](repeating: 0, count: count)
            try values.withUnsafeMutableBytes { try read(tp_H5T_NATIVE_DOUBLE(), into: $0.baseAddress!) }
            return scalar ? .double(values[0]) : .doubleArray(values)
        case H5T_ENUM:
            guard try isBoolEnum(type, object: where_), scalar else {
                throw usageError("H5Aread", file: filePath, object: where_,
                                 "unsupported attribute type: enum other than h5py's bool, or an array of bools")
            }
            var v: Int8 = 0
            try read(type, into: &v)
            return .bool(v != 0)
        case H5T_STRING:
            let strings = try readStrings(type: type, count: count, object: where_) { memType, buffer in
                try read(memType, into: buffer)
            }
            return scalar ? .string(strings[0]) : .stringArray(strings)
        default:
            throw usageError("H5Aread", file: filePath, object: where_, "unsupported attribute type class \(cls.rawValue)")
        }
    }

    func isBoolEnum(_ type: hid_t, object: String) throws -> Bool {
        let members = try h5("H5Tget_nmembers", file: filePath, object: object) { H5Tget_nmembers(type) }
        let size = H5Lib.locked { H5Tget_size(type) }
        guard members == 2, size == 1 else { return false }
        var names: [String] = []
        for i in 0..<UInt32(members) {
            guard let p = H5Lib.locked({ H5Tget_member_name(type, i) }) else { return false }
            names.append(String(cString: p))
            h5Quiet { H5free_memory(p) }
        }
        return names.sorted() == ["FALSE", "TRUE"]
    }

    /// Reads `count` strings of a fixed-length or variable-length string type through `read`.
    func readStrings(type: hid_t, count: Int, object: String,
                     read: (hid_t, UnsafeMutableRawPointer) throws -> Void) throws -> [String] {
        let variable = try h5("H5Tis_variable_str", file: filePath, object: object) { H5Tis_variable_str(type) } > 0
        if variable {
            return try withType({ try makeVariableUTF8(file: filePath, object: object) }) { memType in
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                try pointers.withUnsafeMutableBytes { try read(memType, $0.baseAddress!) }
                defer { for p in pointers where p != nil { h5Quiet { H5free_memory(p) } } }
                return pointers.map { $0.map { String(cString: $0) } ?? "" }
            }
        }
        let size = H5Lib.locked { H5Tget_size(type) }
        var bytes = [UInt8](repeating: 0, count: max(size * count, 1))
        try bytes.withUnsafeMutableBytes { try read(type, $0.baseAddress!) }
        return (0..<count).map { i in
            var slice = bytes[(i * size)..<((i + 1) * size)]
            while let last = slice.last, last == 0 || last == 0x20 { slice = slice.dropLast() }
            if let nul = slice.firstIndex(of: 0) { slice = slice[..<nul] }
            return String(decoding: slice, as: UTF8.self)
        }
    }

    // MARK: Typed reads

    /// Attribute `name` as an integer; throws if it is not an integer attribute.
    public func int64Attribute(_ name: String) throws -> Int64 {
        let value = try attribute(name)
        guard case .int64(let v) = value else { throw mismatch(name, value, "int64") }
        return v
    }

    /// Attribute `name` as a double; an integer attribute is converted.
    public func doubleAttribute(_ name: String) throws -> Double {
        let value = try attribute(name)
        switch value {
        case .double(let v): return v
        case .int64(let v): return Double(v)
        default: throw mismatch(name, value, "double")
        }
    }

    /// Attribute `name` as a string; throws if it is not a string attribute.
    public func stringAttribute(_ name: String) throws -> String {
        let value = try attribute(name)
        guard case .string(let v) = value else { throw mismatch(name, value, "string") }
        return v
    }

    /// Attribute `name` as a bool; throws if it is not h5py's bool type.
    public func boolAttribute(_ name: String) throws -> Bool {
        let value = try attribute(name)
        guard case .bool(let v) = value else { throw mismatch(name, value, "bool") }
        return v
    }

    private func mismatch(_ name: String, _ value: H5AttributeValue, _ wanted: String) -> HDF5Error {
        usageError("H5Aread", file: filePath, object: "\(self.name)@\(name)",
                   "attribute is \(value.typeName), not \(wanted)")
    }
}
