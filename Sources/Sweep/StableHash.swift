/// FNV-1a (64 bits) over UTF-8 text. Trial ids and spec identities must come out the same in every
/// process and on every machine, which rules out Swift's `Hasher` (seeded per process). Not a
/// defence against crafted collisions, which a sweep does not need.
struct StableHash {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ text: String) {
        for byte in text.utf8 {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
    }

    /// The hash as 16 lowercase hex digits, zero-padded so every id has the same width.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    static func hex(of text: String) -> String {
        var hash = StableHash()
        hash.combine(text)
        return hash.hex
    }
}
