/// Eight-lane loads and stores on raw element storage. Loops that write through several pointers
/// do not auto-vectorise (the compiler cannot rule out aliasing), so hot ones — optimizer steps —
/// spell out their vector body with these and finish the tail element by element.
extension UnsafeMutablePointer where Pointee: SIMDScalar {
    @inlinable @inline(__always)
    public func load8(_ i: Int) -> SIMD8<Pointee> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Pointee>.self)
    }

    @inlinable @inline(__always)
    public func store8(_ v: SIMD8<Pointee>, _ i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD8<Pointee>.self)
    }
}
