// Shared by every fuzz target (Fuzz/build.sh links it in).

/// A property that must hold; unlike `precondition`, the message survives -O,
/// so a crash report says which property broke.
@inline(__always)
func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) {
    if !condition { fatalError("fuzz check failed: " + message(), file: file, line: line) }
}

/// Deterministic choices drawn from the fuzz input's bytes (0 when they run out).
struct ByteSource {
    var bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var isEmpty: Bool { offset >= bytes.count }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func int(_ below: Int) -> Int { below <= 1 ? 0 : Int(byte()) % below }

    mutating func take(_ n: Int) -> [UInt8] {
        let k = min(n, bytes.count - offset)
        defer { offset += k }
        return Array(bytes[offset..<offset + k])
    }

    /// Everything not consumed yet.
    mutating func rest() -> UnsafeBufferPointer<UInt8> {
        let r = UnsafeBufferPointer(rebasing: bytes[min(offset, bytes.count)...])
        offset = bytes.count
        return r
    }
}
