import CHDF5

/// The element types HDF5Kit reads and writes as numeric datasets.
public protocol H5Element: Sendable {
    /// The HDF5 native (in-memory) type.
    static var h5MemoryType: hid_t { get }
    /// The type written to files (little-endian standard type, as numpy writes it).
    static var h5FileType: hid_t { get }
    static var h5ElementType: H5ElementType { get }
    static var h5Zero: Self { get }
}

extension Float: H5Element {
    public static var h5MemoryType: hid_t { tp_H5T_NATIVE_FLOAT() }
    public static var h5FileType: hid_t { tp_H5T_IEEE_F32LE() }
    public static var h5ElementType: H5ElementType { .float32 }
    public static var h5Zero: Float { 0 }
}
extension Double: H5Element {
    public static var h5MemoryType: hid_t { tp_H5T_NATIVE_DOUBLE() }
    public static var h5FileType: hid_t { tp_H5T_IEEE_F64LE() }
    public static var h5ElementType: H5ElementType { .float64 }
    public static var h5Zero: Double { 0 }
}
extension Int64: H5Element {
    public static var h5MemoryType: hid_t { tp_H5T_NATIVE_INT64() }
    public static var h5FileType: hid_t { tp_H5T_STD_I64LE() }
    public static var h5ElementType: H5ElementType { .int64 }
    public static var h5Zero: Int64 { 0 }
}
extension Int32: H5Element {
    public static var h5MemoryType: hid_t { tp_H5T_NATIVE_INT32() }
    public static var h5FileType: hid_t { tp_H5T_STD_I32LE() }
    public static var h5ElementType: H5ElementType { .int32 }
    public static var h5Zero: Int32 { 0 }
}
extension UInt8: H5Element {
    public static var h5MemoryType: hid_t { tp_H5T_NATIVE_UINT8() }
    public static var h5FileType: hid_t { tp_H5T_STD_U8LE() }
    public static var h5ElementType: H5ElementType { .uint8 }
    public static var h5Zero: UInt8 { 0 }
}

/// A dataset's element type as stored in the file (numpy's dtype names where there is one).
public enum H5ElementType: Sendable, Equatable, CustomStringConvertible {
    case float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64
    case bool, string, compound
    case other(String)

    public var description: String {
        switch self {
        case .float32: "float32"
        case .float64: "float64"
        case .int8: "int8"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .uint8: "uint8"
        case .uint16: "uint16"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .bool: "bool"
        case .string: "string"
        case .compound: "compound"
        case .other(let s): s
        }
    }
}

/// An N-dimensional array read from a dataset: row-major (C order, as numpy) `values` and `shape`.
/// A scalar dataset has shape `[]` and one value.
public struct H5Array<Element: H5Element>: Sendable {
    public var shape: [Int]
    public var values: [Element]

    public init(shape: [Int], values: [Element]) {
        self.shape = shape
        self.values = values
    }
}
extension H5Array: Equatable where Element: Equatable {}

/// How a dataset is laid out on disk.
public struct H5DatasetOptions: Sendable, Equatable {
    /// Chunk shape; required for compression, chosen automatically when `gzip` is set and this is nil.
    public var chunks: [Int]?
    /// Deflate level 0...9, or nil for no compression.
    public var gzip: Int?
    /// Byte-shuffle before compressing (often helps floats).
    public var shuffle: Bool

    public init(chunks: [Int]? = nil, gzip: Int? = nil, shuffle: Bool = false) {
        self.chunks = chunks
        self.gzip = gzip
        self.shuffle = shuffle
    }
}

/// A dataset (h5py's `Dataset`).
public final class H5Dataset: H5Object {

    /// The dataset's shape (`[]` for a scalar dataset).
    public func shape() throws -> [Int] {
        try checkOpen("H5Dget_space")
        let space = try h5("H5Dget_space", file: filePath, object: name) { H5Dget_space(id) }
        defer { h5Quiet { H5Sclose(space) } }
        if try isNullSpace(space, file: filePath, object: name) { return [0] }
        return try shapeOf(space: space, file: filePath, object: name)
    }

    /// The element type stored in the file.
    public func elementType() throws -> H5ElementType {
        try checkOpen("H5Dget_type")
        let type = try h5("H5Dget_type", file: filePath, object: name) { H5Dget_type(id) }
        defer { h5Quiet { H5Tclose(type) } }
        return try describe(type: type)
    }

    func describe(type: hid_t) throws -> H5ElementType {
        let cls = H5Lib.locked { H5Tget_class(type) }
        let size = H5Lib.locked { H5Tget_size(type) }
        switch cls {
        case H5T_FLOAT:
            return size == 4 ? .float32 : size == 8 ? .float64 : .other("float\(size * 8)")
        case H5T_INTEGER:
            let sign = H5Lib.locked { H5Tget_sign(type) }
            let signed = sign == H5T_SGN_2
            switch size {
            case 1: return signed ? .int8 : .uint8
            case 2: return signed ? .int16 : .uint16
            case 4: return signed ? .int32 : .uint32
            case 8: return signed ? .int64 : .uint64
            default: return .other("int\(size * 8)")
            }
        case H5T_STRING: return .string
        case H5T_COMPOUND: return .compound
        case H5T_ENUM: return try isBoolEnum(type, object: name) ? .bool : .other("enum")
        default: return .other("class \(cls.rawValue)")
        }
    }

    /// Reads the whole dataset as `T`. HDF5 converts numeric types (a float32 dataset reads as
    /// `Double`); a conversion HDF5 cannot do (a string dataset as numbers) throws.
    public func read<T: H5Element>(as: T.Type = T.self) throws -> H5Array<T> {
        let shape = try self.shape()
        let count = shape.reduce(1, *)
        var values = [T](repeating: T.h5Zero, count: count)
        if count > 0 {
            _ = try values.withUnsafeMutableBytes { buffer in
                try h5("H5Dread", file: filePath, object: name) {
                    H5Dread(id, T.h5MemoryType, tp_H5S_ALL(), tp_H5S_ALL(), tp_H5P_DEFAULT(), buffer.baseAddress)
                }
            }
        }
        return H5Array(shape: shape, values: values)
    }

    /// Reads a scalar string dataset (variable- or fixed-length).
    public func readString() throws -> String {
        let strings = try readStrings()
        guard strings.count == 1 else {
            throw usageError("H5Dread", file: filePath, object: name, "not a single string: \(strings.count) elements")
        }
        return strings[0]
    }

    /// Reads a string dataset of any shape, flattened.
    public func readStrings() throws -> [String] {
        try checkOpen("H5Dread")
        let type = try h5("H5Dget_type", file: filePath, object: name) { H5Dget_type(id) }
        defer { h5Quiet { H5Tclose(type) } }
        guard H5Lib.locked({ H5Tget_class(type) }) == H5T_STRING else {
            throw usageError("H5Dread", file: filePath, object: name, "not a string dataset")
        }
        let count = try shape().reduce(1, *)
        return try readStrings(type: type, count: count, object: name) { memType, buffer in
            if count == 0 { return }
            try h5("H5Dread", file: filePath, object: name) {
                H5Dread(id, memType, tp_H5S_ALL(), tp_H5S_ALL(), tp_H5P_DEFAULT(), buffer)
            }
        }
    }
}

extension H5Group {

    /// Writes a new dataset of `values` (row-major) with `shape` (default: 1-D of `values.count`;
    /// `[]` makes a scalar dataset). Throws if the shape's product is not `values.count` or the name
    /// is taken.
    @discardableResult
    public func createDataset<T: H5Element>(_ name: String, values: [T], shape: [Int]? = nil,
                                            options: H5DatasetOptions = H5DatasetOptions()) throws -> H5Dataset {
        let full = path(of: name)
        let call = "H5Dcreate2"
        try checkOpen(call)
        try checkName(name, call: call, file: filePath, object: full)
        let shape = shape ?? [values.count]
        if shape.contains(where: { $0 < 0 }) || shape.reduce(1, *) != values.count {
            throw usageError(call, file: filePath, object: full,
                             "shape \(shape) does not hold \(values.count) values")
        }
        let dataset = try createDataset(name, shape: shape, fileType: T.h5FileType,
                                        elementSize: MemoryLayout<T>.stride, options: options)
        if !values.isEmpty {
            _ = try values.withUnsafeBytes { buffer in
                try h5("H5Dwrite", file: filePath, object: full) {
                    H5Dwrite(dataset.id, T.h5MemoryType, tp_H5S_ALL(), tp_H5S_ALL(), tp_H5P_DEFAULT(),
                             buffer.baseAddress)
                }
            }
        }
        return dataset
    }

    /// Writes a new scalar dataset holding one variable-length UTF-8 string (h5py reads it as bytes
    /// with `ds[()]`, as `str` with `ds.asstr()[()]`).
    @discardableResult
    public func createStringDataset(_ name: String, value: String) throws -> H5Dataset {
        let full = path(of: name)
        if value.utf8.contains(0) {
            throw usageError("H5Dcreate2", file: filePath, object: full, "strings with NUL bytes cannot be stored")
        }
        return try withType({ try makeVariableUTF8(file: filePath, object: full) }) { type in
            let dataset = try createDataset(name, shape: nil, fileType: type, elementSize: 8, options: H5DatasetOptions())
            try value.withCString { p in
                var pointer: UnsafePointer<CChar>? = p
                try h5("H5Dwrite", file: filePath, object: full) {
                    H5Dwrite(dataset.id, type, tp_H5S_ALL(), tp_H5S_ALL(), tp_H5P_DEFAULT(), &pointer)
                }
            }
            return dataset
        }
    }

    /// Opens an existing dataset.
    public func openDataset(_ name: String) throws -> H5Dataset {
        try checkOpen("H5Dopen2")
        let full = path(of: name)
        try checkName(name, call: "H5Dopen2", file: filePath, object: full)
        let did = try h5("H5Dopen2", file: filePath, object: full) { H5Dopen2(id, name, tp_H5P_DEFAULT()) }
        return H5Dataset(handle: H5Handle(did, .dataset), filePath: filePath, name: full, owner: fileObject)
    }

    /// Reads the dataset `name` as `T` (see `H5Dataset.read`).
    public func readDataset<T: H5Element>(_ name: String, as type: T.Type = T.self) throws -> H5Array<T> {
        try openDataset(name).read(as: type)
    }

    /// Creates an empty dataset (shape nil = scalar) with the layout `options` asks for.
    func createDataset(_ name: String, shape: [Int]?, fileType: hid_t, elementSize: Int,
                       options: H5DatasetOptions) throws -> H5Dataset {
        let full = path(of: name)
        let call = "H5Dcreate2"
        try checkOpen(call)
        try checkName(name, call: call, file: filePath, object: full)
        let lcpl = try intermediateGroupsLinkList(file: filePath, object: full)
        let did: hid_t = try withDataspace(shape, file: filePath, object: full) { space in
            // The default layout (contiguous) needs no creation property list of its own.
            guard options.chunks != nil || options.gzip != nil else {
                return try h5(call, file: filePath, object: full) {
                    H5Dcreate2(id, name, fileType, space, lcpl, tp_H5P_DEFAULT(), tp_H5P_DEFAULT())
                }
            }
            return try withPropertyList(tp_H5P_DATASET_CREATE(), file: filePath, object: full) { dcpl in
                try configureLayout(dcpl, shape: shape, elementSize: elementSize, options: options, object: full)
                return try h5(call, file: filePath, object: full) {
                    H5Dcreate2(id, name, fileType, space, lcpl, dcpl, tp_H5P_DEFAULT())
                }
            }
        }
        return H5Dataset(handle: H5Handle(did, .dataset), filePath: filePath, name: full, owner: fileObject)
    }

    private func configureLayout(_ dcpl: hid_t, shape: [Int]?, elementSize: Int,
                                 options: H5DatasetOptions, object: String) throws {
        guard options.chunks != nil || options.gzip != nil else { return }
        guard let shape, !shape.isEmpty else {
            throw usageError("H5Pset_chunk", file: filePath, object: object, "a scalar dataset cannot be chunked or compressed")
        }
        if shape.contains(0) {
            // Chunk dims must not exceed fixed dims; an empty dataset has nothing to compress anyway.
            if options.chunks != nil {
                throw usageError("H5Pset_chunk", file: filePath, object: object, "an empty dataset cannot be chunked")
            }
            return
        }
        var chunks = options.chunks ?? automaticChunks(shape: shape, elementSize: elementSize)
        guard chunks.count == shape.count, zip(chunks, shape).allSatisfy({ $0 > 0 && $0 <= $1 }) else {
            throw usageError("H5Pset_chunk", file: filePath, object: object,
                             "chunks \(chunks) do not fit shape \(shape)")
        }
        var dims = chunks.map { hsize_t($0) }
        chunks = []
        try h5("H5Pset_chunk", file: filePath, object: object) { H5Pset_chunk(dcpl, Int32(dims.count), &dims) }
        if options.shuffle {
            try h5("H5Pset_shuffle", file: filePath, object: object) { H5Pset_shuffle(dcpl) }
        }
        if let level = options.gzip {
            guard (0...9).contains(level) else {
                throw usageError("H5Pset_deflate", file: filePath, object: object, "gzip level \(level) is not in 0...9")
            }
            try h5("H5Pset_deflate", file: filePath, object: object) { H5Pset_deflate(dcpl, UInt32(level)) }
        }
    }
}

/// Chunks of at most ~1 MiB: the full shape, halving the largest dimension until it fits.
func automaticChunks(shape: [Int], elementSize: Int) -> [Int] {
    var chunks = shape
    while chunks.reduce(elementSize, *) > 1 << 20, let i = chunks.indices.max(by: { chunks[$0] < chunks[$1] }),
          chunks[i] > 1 {
        chunks[i] = (chunks[i] + 1) / 2
    }
    return chunks
}
