/// Hex parsing and writing for the per-log path: straight into caller-owned
/// buffers, no allocation. A raw ERC-20 Transfer line holds about 360 hex
/// digits (hashes, topics, data, address), more than any other kind of byte
/// cc-decode touches, so they are checked and converted eight at a time
/// (SWAR over a UInt64) rather than one by one.
package enum HexBytes {
    @usableFromInline static let ones: UInt64 = 0x0101_0101_0101_0101
    @usableFromInline static let high: UInt64 = 0x8080_8080_8080_8080
    @usableFromInline static let lowNibbles: UInt64 = 0x0F0F_0F0F_0F0F_0F0F

    /// Nibble values of eight ASCII hex digits (little-endian load), or nil when any is not one.
    @inlinable @inline(__always)
    static func nibbles8(_ x: UInt64) -> UInt64? {
        guard notHexDigits(x) == 0 else { return nil }
        // A digit's value is its low nibble; a letter (0x41-0x46, 0x61-0x66)
        // has bit 6 set and is its low nibble + 9.
        return (x & lowNibbles) &+ 9 &* ((x >> 6) & ones)
    }

    /// Decodes "0x" + exactly 2*count hex digits into `out`.
    @inlinable @inline(__always)
    package static func decode(_ s: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, count: Int)
        -> Bool
    {
        guard s.count == 2 + 2 * count, s[0] == 0x30, s[1] | 0x20 == 0x78 else { return false }
        guard count > 0 else { return true }
        let p = UnsafeRawPointer(s.baseAddress! + 2)
        var i = 0
        while i + 4 <= count {
            guard let v = nibbles8(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt64.self))) else {
                return false
            }
            // Pairs of nibbles (high first in the text) into bytes.
            let b = ((v & 0x00FF_00FF_00FF_00FF) << 4) | ((v >> 8) & 0x00FF_00FF_00FF_00FF)
            out[i] = UInt8(truncatingIfNeeded: b)
            out[i + 1] = UInt8(truncatingIfNeeded: b >> 16)
            out[i + 2] = UInt8(truncatingIfNeeded: b >> 32)
            out[i + 3] = UInt8(truncatingIfNeeded: b >> 48)
            i += 4
        }
        let q = p.assumingMemoryBound(to: UInt8.self)
        var bad: UInt8 = 0
        while i < count {
            let h = Hex.digit(q[2 * i])
            let l = Hex.digit(q[2 * i + 1])
            bad |= h | l
            out[i] = h << 4 | (l & 0x0F)
            i += 1
        }
        return bad & 0xF0 == 0
    }

    /// "0x" + 64 hex digits. Only validates (the text is copied as is):
    /// eight digits per step with byte-wise range checks in one word.
    @inlinable @inline(__always)
    package static func isHash(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.count == 66, s[0] == 0x30, s[1] | 0x20 == 0x78 else { return false }
        let p = UnsafeRawPointer(s.baseAddress! + 2)
        var bad: UInt64 = 0
        for k in 0..<8 {
            bad |= notHexDigits(p.loadUnaligned(fromByteOffset: 8 &* k, as: UInt64.self))
        }
        return bad == 0
    }

    /// Non-zero unless all eight bytes of `x` are ASCII hex digits. For an
    /// ASCII byte b, `(b | 0x80) - lo` keeps bit 7 exactly when b >= lo and
    /// `(hi | 0x80) - b` exactly when b <= hi, with no borrow between bytes.
    @inlinable @inline(__always)
    static func notHexDigits(_ x: UInt64) -> UInt64 {
        let folded = x | (0x20 &* ones)
        let digit = ((x | high) &- 0x30 &* ones) & (((0x39 | 0x80) &* ones) &- x) & high
        let letter = ((folded | high) &- 0x61 &* ones) & (((0x66 | 0x80) &* ones) &- folded) & high
        return ((digit | letter) ^ high) | (x & high)
    }

    /// Appends `"0x…"` (quoted, lowercase) for a string `isHash` accepted.
    @inlinable @inline(__always)
    package static func appendLowercasedHash(_ s: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 68) { buf in
            let o = UnsafeMutableRawPointer(buf.baseAddress!)
            o.storeBytes(of: 0x22, as: UInt8.self)
            o.storeBytes(of: 0x30, toByteOffset: 1, as: UInt8.self)
            o.storeBytes(of: 0x78, toByteOffset: 2, as: UInt8.self)
            let p = UnsafeRawPointer(s.baseAddress! + 2)
            for k in 0..<8 {
                // Digits keep their value under | 0x20; A-F become a-f.
                let w = p.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self) | (0x20 &* ones)
                o.storeBytes(of: w, toByteOffset: 3 + 8 * k, as: UInt64.self)
            }
            o.storeBytes(of: 0x22, toByteOffset: 67, as: UInt8.self)
            out.append(contentsOf: UnsafeBufferPointer(buf))
        }
    }
}
