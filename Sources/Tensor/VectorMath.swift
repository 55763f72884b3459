import RealModule

/// Vectorised elementary functions for Float32.
public enum VectorMath {
    public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] = Float.tanh(x[i]) }
    }
    public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] = Float.exp(x[i]) }
    }
}
