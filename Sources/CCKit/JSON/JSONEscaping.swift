/// The byte loops behind `JSONWriter`: runs of bytes that need nothing are
/// found eight at a time and copied with one append.
enum JSONEscaping {
    private static let hexDigits: StaticString = "0123456789abcdef"
    private static let replacement: (UInt8, UInt8, UInt8) = (0xEF, 0xBF, 0xBD)

    /// Mask with the high bit set in each byte that is '"', '\\', < 0x20 or >= 0x7F;
    /// the lowest set bit always marks a real such byte (borrows only run upwards).
    @inline(__always)
    static func specialMask(_ w: UInt64) -> UInt64 {
        let q = w ^ 0x2222_2222_2222_2222
        let s = w ^ 0x5C5C_5C5C_5C5C_5C5C
        let d = w ^ 0x7F7F_7F7F_7F7F_7F7F
        let ones: UInt64 = 0x0101_0101_0101_0101
        let m =
            ((q &- ones) & ~q) | ((s &- ones) & ~s) | ((d &- ones) & ~d)
            | ((w &- 0x2020_2020_2020_2020) & ~w) | w
        return m & 0x8080_8080_8080_8080
    }

    /// No byte >= 0x80 and no space, tab, CR or LF: a scanned value with such
    /// bytes is in compact form and valid UTF-8 as it stands. (A space inside
    /// a string sends a value down the slow path too, which is merely slower.)
    static func isCompactASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = b.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let n = b.count
        var i = 0
        let hi = SIMD16<UInt8>(repeating: 0x80)
        while i &+ 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            // Lanes below 0x21 (space and every control character) or with the high bit set.
            let m = ((v &- SIMD16(repeating: 0x21)) & ~v | v) & hi
            let w = unsafeBitCast(m, to: SIMD2<UInt64>.self)
            if w[0] | w[1] != 0 { return false }
            i &+= 16
        }
        while i < n {
            let c = base[i]
            if c <= 0x20 || c >= 0x80 { return false }
            i &+= 1
        }
        return true
    }

    /// Lane-wise `specialMask`, exact per lane.
    @inline(__always)
    static func specialMask16(_ v: SIMD16<UInt8>) -> SIMD2<UInt64> {
        let one = SIMD16<UInt8>(repeating: 1)
        let q = v ^ SIMD16(repeating: 0x22)
        let s = v ^ SIMD16(repeating: 0x5C)
        let d = v ^ SIMD16(repeating: 0x7F)
        let m =
            (((q &- one) & ~q) | ((s &- one) & ~s) | ((d &- one) & ~d) | ((v &- SIMD16(repeating: 0x20)) & ~v) | v)
            & SIMD16(repeating: 0x80)
        return unsafeBitCast(m, to: SIMD2<UInt64>.self)
    }

    static func appendEscaped(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let base = b.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        let n = b.count
        var i = 0
        var runStart = 0
        while true {
            while i &+ 16 <= n {
                let m = specialMask16(raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self))
                let lo = UInt64(littleEndian: m[0])
                let hi = UInt64(littleEndian: m[1])
                if lo | hi == 0 {
                    i &+= 16
                    continue
                }
                i &+= lo != 0 ? lo.trailingZeroBitCount >> 3 : 8 &+ hi.trailingZeroBitCount >> 3
                break
            }
            while i &+ 8 <= n {
                let mask = specialMask(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                if mask == 0 {
                    i &+= 8
                } else {
                    i &+= mask.trailingZeroBitCount >> 3
                    break
                }
            }
            guard i < n else { break }
            let c = base[i]
            if c >= 0x80 {
                let len = utf8SequenceLength(base, i, n)
                if len > 0 {
                    i += len
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
                appendReplacement(to: &out)
                i -= len
                runStart = i
                continue
            }
            if c >= 0x20 && c != 0x22 && c != 0x5C && c != 0x7F {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
            appendEscape(c, to: &out)
            i += 1
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: n - runStart))
    }

    static func appendEscape(_ c: UInt8, to out: inout [UInt8]) {
        switch c {
        case 0x22: out.append(0x5C); out.append(0x22)
        case 0x5C: out.append(0x5C); out.append(0x5C)
        case 0x08: out.append(0x5C); out.append(0x62)
        case 0x0C: out.append(0x5C); out.append(0x66)
        case 0x0A: out.append(0x5C); out.append(0x6E)
        case 0x0D: out.append(0x5C); out.append(0x72)
        case 0x09: out.append(0x5C); out.append(0x74)
        default:
            let h = hexDigits.utf8Start
            out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, h[Int(c >> 4)], h[Int(c & 15)]])
        }
    }

    @inline(__always)
    static func appendReplacement(to out: inout [UInt8]) {
        out.append(0xEF)
        out.append(0xBF)
        out.append(0xBD)
    }

    /// Copies already escaped string contents, replacing invalid UTF-8 only.
    static func appendRepairingUTF8(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let base = b.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        let n = b.count
        var i = 0
        var runStart = 0
        while true {
            while i &+ 16 <= n {
                let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD2<UInt64>.self)
                if (v[0] | v[1]) & 0x8080_8080_8080_8080 != 0 { break }
                i &+= 16
            }
            while i &+ 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    i &+= 8
                } else {
                    break
                }
            }
            guard i < n else { break }
            if base[i] < 0x80 {
                i += 1
                continue
            }
            let len = utf8SequenceLength(base, i, n)
            if len > 0 {
                i += len
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart))
            appendReplacement(to: &out)
            i -= len
            runStart = i
        }
        out.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: n - runStart))
    }

    /// For a byte >= 0x80 at `i`: the length of the well-formed UTF-8
    /// sequence starting there (> 0), or minus the length of its maximal
    /// subpart (the bytes one U+FFFD replaces, at least 1).
    @inline(__always)
    static func utf8SequenceLength(_ b: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        let c = b[i]
        var need: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return -1
        }
        var k = 1
        while need > 0 {
            guard i + k < n else { return -k }
            let d = b[i + k]
            guard d >= lo && d <= hi else { return -k }
            lo = 0x80
            hi = 0xBF
            k += 1
            need -= 1
        }
        return k
    }
}
