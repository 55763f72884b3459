import CHDF5
import Foundation

/// One column of a table: 64-bit integers, doubles or UTF-8 strings.
public enum H5ColumnValues: Sendable, Equatable {
    case int64([Int64])
    case double([Double])
    case string([String])

    public var count: Int {
        switch self {
        case .int64(let v): v.count
        case .double(let v): v.count
        case .string(let v): v.count
        }
    }
}

/// A named table column.
public struct H5Column: Sendable, Equatable {
    public var name: String
    public var values: H5ColumnValues

    public init(_ name: String, _ values: H5ColumnValues) {
        self.name = name
        self.values = values
    }
}

extension H5Group {

    /// Writes the columns as one 1-D dataset of a compound type, one row per element and one field
    /// per column, in column order: int64 fields as little-endian 64-bit integers, doubles as IEEE
    /// 64-bit floats, strings as variable-length UTF-8. numpy sees a structured array, so
    /// `pandas.DataFrame(f[name][()])` loads it (h5py 3 returns string fields as `bytes`).
    ///
    /// Throws if there are no columns, names repeat or are empty, or the columns differ in length.
    @discardableResult
    public func createTable(_ name: String, columns: [H5Column],
                            options: H5DatasetOptions = H5DatasetOptions()) throws -> H5Dataset {
        let full = path(of: name)
        let call = "createTable"
        guard !columns.isEmpty else { throw usageError(call, file: filePath, object: full, "a table needs at least one column") }
        let rows = columns[0].values.count
        var seen = Set<String>()
        for column in columns {
            if column.name.isEmpty || column.name.utf8.contains(0) || !seen.insert(column.name).inserted {
                throw usageError(call, file: filePath, object: full, "empty or repeated column name \(String(reflecting: column.name))")
            }
            if column.values.count != rows {
                throw usageError(call, file: filePath, object: full,
                                 "column \(column.name) has \(column.values.count) rows, the first column \(rows)")
            }
            if case .string(let strings) = column.values, strings.contains(where: { $0.utf8.contains(0) }) {
                throw usageError(call, file: filePath, object: full, "column \(column.name): strings with NUL bytes cannot be stored")
            }
        }

        let rowSize = 8 * columns.count
        return try withType({ try makeVariableUTF8(file: filePath, object: full) }) { stringType in
            try withType({ try h5("H5Tcreate", file: filePath, object: full) { H5Tcreate(H5T_COMPOUND, rowSize) } }) { rowType in
                for (i, column) in columns.enumerated() {
                    let member: hid_t
                    switch column.values {
                    case .int64: member = tp_H5T_NATIVE_INT64()
                    case .double: member = tp_H5T_NATIVE_DOUBLE()
                    case .string: member = stringType
                    }
                    try h5("H5Tinsert", file: filePath, object: full) { H5Tinsert(rowType, column.name, 8 * i, member) }
                }
                let dataset = try createDataset(name, shape: [rows], fileType: rowType, elementSize: rowSize, options: options)
                guard rows > 0 else { return dataset }

                let buffer = UnsafeMutableRawPointer.allocate(byteCount: rows * rowSize, alignment: 8)
                var copies: [UnsafeMutablePointer<CChar>?] = []
                defer {
                    copies.forEach { free($0) }
                    buffer.deallocate()
                }
                for (i, column) in columns.enumerated() {
                    switch column.values {
                    case .int64(let v):
                        for r in 0..<rows { buffer.storeBytes(of: v[r], toByteOffset: r * rowSize + 8 * i, as: Int64.self) }
                    case .double(let v):
                        for r in 0..<rows { buffer.storeBytes(of: v[r], toByteOffset: r * rowSize + 8 * i, as: Double.self) }
                    case .string(let v):
                        for r in 0..<rows {
                            let copy = strdup(v[r])
                            copies.append(copy)
                            buffer.storeBytes(of: UnsafeRawPointer(copy), toByteOffset: r * rowSize + 8 * i,
                                              as: UnsafeRawPointer?.self)
                        }
                    }
                }
                try h5("H5Dwrite", file: filePath, object: full) {
                    H5Dwrite(dataset.id, rowType, tp_H5S_ALL(), tp_H5S_ALL(), tp_H5P_DEFAULT(), buffer)
                }
                return dataset
            }
        }
    }

    /// Reads a table written by `createTable` (or any 1-D compound dataset whose fields are integers,
    /// floats or strings): integer fields as `.int64`, float fields as `.double`, strings as `.string`.
    public func readTable(_ name: String) throws -> [H5Column] {
        try openDataset(name).readTable()
    }
}

extension H5Dataset {

    /// Reads this 1-D compound dataset column by column (see `H5Group.readTable`).
    public func readTable() throws -> [H5Column] {
        try checkOpen("H5Dread")
        let shape = try self.shape()
        guard shape.count == 1 else {
            throw usageError("readTable", file: filePath, object: name, "a table is 1-D; this dataset has shape \(shape)")
        }
        let rows = shape[0]
        let fileType = try h5("H5Dget_type", file: filePath, object: name) { H5Dget_type(id) }
        defer { h5Quiet { H5Tclose(fileType) } }
        guard H5Lib.locked({ H5Tget_class(fileType) }) == H5T_COMPOUND else {
            throw usageError("readTable", file: filePath, object: name, "not a compound (table) dataset")
        }
        let members = try h5("H5Tget_nmembers", file: filePath, object: name) { H5Tget_nmembers(fileType) }
        var columns: [H5Column] = []
        for m in 0..<UInt32(members) {
            guard let cName = H5Lib.locked({ H5Tget_member_name(fileType, m) }) else {
                throw HDF5Error(call: "H5Tget_member_name", file: filePath, object: name, stack: currentErrorStack())
            }
            let columnName = String(cString: cName)
            h5Quiet { H5free_memory(cName) }
            let memberType = try h5("H5Tget_member_type", file: filePath, object: name) { H5Tget_member_type(fileType, m) }
            defer { h5Quiet { H5Tclose(memberType) } }
            let cls = H5Lib.locked { H5Tget_class(memberType) }
            let object = "\(name)[\(columnName)]"

            /// Reads just this field, through a one-member compound memory type of `fieldType`.
            func readField(_ fieldType: hid_t, size: Int, into buffer: UnsafeMutableRawPointer) throws {
                try withType({ try h5("H5Tcreate", file: filePath, object: object) { H5Tcreate(H5T_COMPOUND, size) } }) { memType in
                    try h5("H5Tinsert", file: filePath, object: object) { H5Tinsert(memType, columnName, 0, fieldType) }
                    if rows == 0 { return }
                    try h5("H5Dread", file: filePath, object: object) {
                        H5Dread(id, memType, tp_H5S_ALL(), tp_H5S_ALL(), tp_H5P_DEFAULT(), buffer)
                    }
                }
            }

            switch cls {
            case H5T_INTEGER:
                var values = [Int64](repeating: 0, count: rows)
                try values.withUnsafeMutableBytes { try readField(tp_H5T_NATIVE_INT64(), size: 8, into: $0.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!) }
                columns.append(H5Column(columnName, .int64(values)))
            case H5T_FLOAT:
                var values = [Double](repeating: 0, count: rows)
                try values.withUnsafeMutableBytes { try readField(tp_H5T_NATIVE_DOUBLE(), size: 8, into: $0.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!) }
                columns.append(H5Column(columnName, .double(values)))
            case H5T_STRING:
                let variable = try h5("H5Tis_variable_str", file: filePath, object: object) { H5Tis_variable_str(memberType) } > 0
                if variable {
                    let strings: [String] = try withType({ try makeVariableUTF8(file: filePath, object: object) }) { strType in
                        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: rows)
                        try pointers.withUnsafeMutableBytes {
                            try readField(strType, size: 8, into: $0.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 8)!)
                        }
                        defer { for p in pointers where p != nil { h5Quiet { H5free_memory(p) } } }
                        return pointers.map { $0.map { String(cString: $0) } ?? "" }
                    }
                    columns.append(H5Column(columnName, .string(strings)))
                } else {
                    let size = H5Lib.locked { H5Tget_size(memberType) }
                    var bytes = [UInt8](repeating: 0, count: max(rows * size, 1))
                    try bytes.withUnsafeMutableBytes { try readField(memberType, size: size, into: $0.baseAddress!) }
                    let strings = (0..<rows).map { r -> String in
                        var slice = bytes[(r * size)..<((r + 1) * size)]
                        if let nul = slice.firstIndex(of: 0) { slice = slice[..<nul] }
                        while let last = slice.last, last == 0x20 { slice = slice.dropLast() }
                        return String(decoding: slice, as: UTF8.self)
                    }
                    columns.append(H5Column(columnName, .string(strings)))
                }
            default:
                throw usageError("readTable", file: filePath, object: object, "unsupported column type class \(cls.rawValue)")
            }
        }
        return columns
    }
}
