/// Hex encoding and decoding for the per-line hot path: table driven, no
/// Foundation, no intermediate Strings.
///
/// Output is always lowercase (the stream contract's form for bytes); input
/// accepts either case and an optional `0x`/`0X` prefix.
package enum Hex {
    /// Nibble value of an ASCII byte, 0xFF for anything that is not a hex digit.
    @usableFromInline
    package static let nibble: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for i in 0..<10 { t[0x30 + i] = UInt8(i) }
        for i in 0..<6 {
            t[0x41 + i] = UInt8(10 + i)
            t[0x61 + i] = UInt8(10 + i)
        }
        return t
    }()

    /// The value of a hex digit (either case), or 0xFF when `c` is not one: the
    /// one scalar digit decoder (the tables and word-at-a-time loops build on it).
    @inlinable @inline(__always)
    package static func digit(_ c: UInt8) -> UInt8 {
        let d = c &- 0x30
        if d < 10 { return d }
        let l = (c | 0x20) &- 0x61
        return l < 6 ? l + 10 : 0xFF
    }

    /// Two ASCII lowercase digits per byte, packed as `hi | lo << 8` so one
    /// 16-bit little-endian store writes both.
    @usableFromInline
    static let pairs: [UInt16] = {
        let digits = Array("0123456789abcdef".utf8)
        var t = [UInt16](repeating: 0, count: 256)
        for i in 0..<256 {
            t[i] = UInt16(digits[i >> 4]) | UInt16(digits[i & 15]) << 8
        }
        return t
    }()

    @usableFromInline
    package static let lowerDigits: StaticString = "0123456789abcdef"

    /// The bytes after an optional `0x`/`0X` prefix.
    @inlinable
    package static func strippingPrefix(_ b: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        if b.count >= 2, b[0] == 0x30, b[1] | 0x20 == 0x78 {
            return UnsafeBufferPointer(rebasing: b[2...])
        }
        return b
    }

    /// Decodes hex digits (optional `0x`, even number of digits) into
    /// `out`, which must have room for `digits / 2` bytes. Returns the byte
    /// count, nil on an odd length or a non-hex character.
    @inlinable
    package static func decode(
        _ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
    ) -> Int? {
        decodeDigits(strippingPrefix(b), into: out)
    }

    /// `decode(_:into:)` without prefix handling.
    @inlinable
    package static func decodeDigits(
        _ d: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>
    ) -> Int? {
        guard d.count & 1 == 0, d.count / 2 <= out.count else { return nil }
        let n = d.count / 2
        return nibble.withUnsafeBufferPointer { t -> Int? in
            var bad: UInt8 = 0
            var i = 0
            while i < n {
                let hi = t[Int(d[2 &* i])]
                let lo = t[Int(d[2 &* i &+ 1])]
                bad |= hi | lo
                out[i] = hi &<< 4 | (lo & 0x0F)
                i &+= 1
            }
            // Valid nibbles are < 16; 0xFF marks a bad character.
            return bad & 0xF0 == 0 ? n : nil
        }
    }

    /// Decodes hex (optional `0x`, even length). Nil on bad characters or odd length.
    package static func decode(_ b: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let d = strippingPrefix(b)
        guard d.count & 1 == 0 else { return nil }
        let n = d.count / 2
        var ok = true
        let bytes = [UInt8](unsafeUninitializedCapacity: n) { buf, count in
            ok = decodeDigits(d, into: buf) != nil
            count = ok ? n : 0
        }
        return ok ? bytes : nil
    }

    package static func decode(_ s: String) -> [UInt8]? {
        var s = s
        return s.withUTF8 { decode($0) }
    }

    /// Appends lowercase hex of `bytes`, with `0x` unless `prefix` is false.
    @inlinable
    package static func append(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], prefix: Bool = true) {
        let start = out.count
        let total = (prefix ? 2 : 0) + 2 * bytes.count
        guard total > 0 else { return }
        out.append(contentsOf: repeatElement(0, count: total))
        out.withUnsafeMutableBufferPointer { o in
            var p = start
            if prefix {
                o[p] = 0x30
                o[p + 1] = 0x78
                p += 2
            }
            writeDigits(bytes, to: UnsafeMutableRawPointer(o.baseAddress! + p))
        }
    }

    package static func append(_ bytes: [UInt8], to out: inout [UInt8], prefix: Bool = true) {
        bytes.withUnsafeBufferPointer { append($0, to: &out, prefix: prefix) }
    }

    /// Writes `2 * bytes.count` lowercase digits at `dst`.
    @inlinable
    package static func writeDigits(_ bytes: UnsafeBufferPointer<UInt8>, to dst: UnsafeMutableRawPointer) {
        pairs.withUnsafeBufferPointer { t in
            var i = 0
            while i < bytes.count {
                dst.storeBytes(of: t[Int(bytes[i])].littleEndian, toByteOffset: 2 &* i, as: UInt16.self)
                i &+= 1
            }
        }
    }

    package static func encode(_ bytes: [UInt8], prefix: Bool = true) -> String {
        bytes.withUnsafeBufferPointer { encode($0, prefix: prefix) }
    }

    package static func encode(_ bytes: UnsafeBufferPointer<UInt8>, prefix: Bool = true) -> String {
        let total = (prefix ? 2 : 0) + 2 * bytes.count
        return String(unsafeUninitializedCapacity: total) { o in
            var p = 0
            if prefix {
                o[0] = 0x30
                o[1] = 0x78
                p = 2
            }
            if bytes.count > 0 { writeDigits(bytes, to: UnsafeMutableRawPointer(o.baseAddress! + p)) }
            return total
        }
    }

    /// True when every byte (after an optional `0x`) is a hex digit.
    package static func isHex(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let d = strippingPrefix(b)
        return nibble.withUnsafeBufferPointer { t in
            var bad: UInt8 = 0
            for c in d { bad |= t[Int(c)] }
            return bad & 0xF0 == 0
        }
    }
}
