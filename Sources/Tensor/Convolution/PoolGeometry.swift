/// A square max-pooling window: `window`×`window`, the same `stride` and `padding` on both axes,
/// channels pooled separately. [M20]'s CIFAR CNN pools 3/2/1, [E22]'s networks 2/2/0.
public struct PoolGeometry: Equatable, Hashable, Sendable {
    public let input: ImageShape
    public let output: ImageShape
    public let window: Int
    public let stride: Int
    public let padding: Int

    /// Padding is at most half the window, as PyTorch requires: every window then holds at least
    /// one real pixel, so every output has an argmax.
    public init(input: ImageShape, window: Int, stride: Int? = nil, padding: Int = 0) throws {
        let stride = stride ?? window
        try checkWindow(input: input, window: window, stride: stride, padding: padding, what: "max-pooling")
        guard 2 * padding <= window else {
            throw GeometryError("max-pooling: padding \(padding) must be at most half the window \(window)")
        }
        self.input = input
        self.window = window
        self.stride = stride
        self.padding = padding
        output = slidingOutput(input, window: window, stride: stride, padding: padding, channels: input.channels)
    }
}
