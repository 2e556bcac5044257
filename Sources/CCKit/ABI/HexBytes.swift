/// Hex parsing for the per-log path: straight into caller-owned buffers, no allocation.
enum HexBytes {
    /// Value of each ASCII byte as a hex digit, 0xFF when it is not one.
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "0123456789".utf8.enumerated() { t[Int(c)] = UInt8(i) }
        for (i, c) in "abcdef".utf8.enumerated() { t[Int(c)] = UInt8(10 + i) }
        for (i, c) in "ABCDEF".utf8.enumerated() { t[Int(c)] = UInt8(10 + i) }
        return t
    }()

    /// Decodes "0x" + exactly 2*count hex digits into `out`.
    @inline(__always)
    static func decode(_ s: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, count: Int) -> Bool {
        guard s.count == 2 + 2 * count, s[0] == 0x30, s[1] | 0x20 == 0x78 else { return false }
        return table.withUnsafeBufferPointer { t in
            var bad: UInt8 = 0
            var j = 2
            for i in 0..<count {
                let h = t[Int(s[j])]
                let l = t[Int(s[j + 1])]
                bad |= h | l
                out[i] = h << 4 | (l & 0x0F)
                j += 2
            }
            return bad & 0xF0 == 0
        }
    }

    /// Decodes "0x" + any even number of hex digits, replacing `out`'s contents.
    static func decodeVariable(_ s: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        guard s.count >= 2, s.count % 2 == 0, s[0] == 0x30, s[1] | 0x20 == 0x78 else { return false }
        let n = (s.count - 2) / 2
        out.removeAll(keepingCapacity: true)
        if n == 0 { return true }
        out.append(contentsOf: repeatElement(0, count: n))
        return out.withUnsafeMutableBufferPointer { decode(s, into: $0.baseAddress!, count: n) }
    }

    static func isHash(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.count == 66, s[0] == 0x30, s[1] | 0x20 == 0x78 else { return false }
        return table.withUnsafeBufferPointer { t in s[2...].allSatisfy { t[Int($0)] != 0xFF } }
    }

    /// Appends `"0x…"` (quoted, lowercase) for a 32-byte hash string; false when it is not one.
    @inline(__always)
    static func appendLowercasedHash(_ s: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) -> Bool {
        guard isHash(s) else { return false }
        out.append(0x22)
        out.append(0x30)
        out.append(0x78)
        for i in 2..<66 {
            let c = s[i]
            out.append(c >= 0x41 && c <= 0x46 ? c | 0x20 : c)
        }
        out.append(0x22)
        return true
    }
}
