/// A row-major matrix that owns its storage.
///
/// Networks keep one `Matrix` per buffer for the largest batch they will see and change `rows`
/// when a batch is shorter, so a training step never allocates: samples are rows, and a shorter
/// batch is a prefix of the same storage.
public final class Matrix<T: Scalar>: @unchecked Sendable {
    public let cols: Int
    public let capacity: Int
    public let data: UnsafeMutablePointer<T>
    /// Rows in use (≤ `capacity`).
    public var rows: Int {
        didSet { precondition(rows >= 0 && rows <= capacity, "rows \(rows) outside 0...\(capacity)") }
    }

    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0)
        self.rows = rows
        self.cols = cols
        self.capacity = rows
        data = .allocate(capacity: max(rows * cols, 1))
        data.initialize(repeating: 0, count: max(rows * cols, 1))
    }

    public convenience init(rows: Int, cols: Int, values: [T]) {
        precondition(values.count == rows * cols, "\(values.count) values for a \(rows)×\(cols) matrix")
        self.init(rows: rows, cols: cols)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { data.deallocate() }

    public var count: Int { rows * cols }
    /// A non-owning handle on the rows in use; valid while this matrix lives.
    public var ref: MatRef<T> { MatRef(base: data, rows: rows, cols: cols) }

    /// The first `rows` rows of the storage, whatever `rows` is set to.
    public func prefix(_ rows: Int) -> MatRef<T> {
        precondition(rows <= capacity, "\(rows) rows requested of a \(capacity)-row matrix")
        return MatRef(base: data, rows: rows, cols: cols)
    }

    /// The storage seen as a rows×cols matrix: scratch space shared by buffers of varying shapes.
    public func view(rows: Int, cols: Int) -> MatRef<T> {
        precondition(rows * cols <= capacity * self.cols, "\(rows)×\(cols) view of \(capacity)×\(self.cols) storage")
        return MatRef(base: data, rows: rows, cols: cols)
    }

    public subscript(r: Int, c: Int) -> T {
        get { data[r * cols + c] }
        set { data[r * cols + c] = newValue }
    }

    public func toArray() -> [T] { Array(UnsafeBufferPointer(start: data, count: count)) }

    public func copy() -> Matrix<T> {
        let m = Matrix(rows: rows, cols: cols)
        m.data.update(from: data, count: count)
        return m
    }
}

/// A non-owning view of consecutive rows of a row-major matrix. A plain struct, so slicing
/// a batch into blocks inside the training loop allocates nothing.
public struct MatRef<T: Scalar> {
    public let base: UnsafeMutablePointer<T>
    public let rows: Int
    public let cols: Int

    @inlinable public init(base: UnsafeMutablePointer<T>, rows: Int, cols: Int) {
        self.base = base
        self.rows = rows
        self.cols = cols
    }

    @inlinable public var count: Int { rows * cols }

    /// Rows `start ..< start + count` of this view.
    @inlinable public func rows(_ start: Int, _ count: Int) -> MatRef<T> {
        precondition(start >= 0 && start + count <= rows)
        return MatRef(base: base + start * cols, rows: count, cols: cols)
    }

    @inlinable public subscript(r: Int, c: Int) -> T {
        get { base[r * cols + c] }
        nonmutating set { base[r * cols + c] = newValue }
    }
}
