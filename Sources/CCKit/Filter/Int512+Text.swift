/// Decimal and hex text for Int512. These run per event (a decoded uint256 is
/// a decimal string), so they work on raw bytes and take 19 digits at a time.
extension Int512 {
    /// `123`, `-5`, `+7`. Nil for anything else (empty, stray characters, or
    /// more than 512 bits).
    package init?(decimal p: UnsafeBufferPointer<UInt8>) {
        var i = 0
        var neg = false
        if p.count > 0 && (p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+")) {
            neg = p[0] == UInt8(ascii: "-")
            i = 1
        }
        if i >= p.count { return nil }
        var m = SIMD8<UInt64>.zero
        var limbs = 0  // limbs in use: a uint256 string touches at most 4
        var chunk: UInt64 = 0
        var chunkDigits = 0
        // The first chunk takes the odd digits, so every later one is a full 19.
        var chunkSize = (p.count - i) % 19
        if chunkSize == 0 { chunkSize = 19 }
        while i < p.count {
            let d = p[i] &- 48
            if d > 9 { return nil }
            chunk = chunk &* 10 &+ UInt64(d)
            chunkDigits += 1
            i += 1
            if chunkDigits == chunkSize {
                // m = m * 10^chunkSize + chunk, over the limbs in use only.
                let factor = int512Pow10Table[chunkSize]
                var carry = chunk
                var k = 0
                while k < limbs {
                    let (hi, lo) = m[k].multipliedFullWidth(by: factor)
                    let (s, o) = lo.addingReportingOverflow(carry)
                    m[k] = s
                    carry = hi &+ (o ? 1 : 0)
                    k += 1
                }
                if carry != 0 {
                    if limbs == 8 { return nil }
                    m[limbs] = carry
                    limbs += 1
                }
                chunk = 0
                chunkDigits = 0
                chunkSize = 19
            }
        }
        self.init(mag: m, negative: neg)
    }

    /// Hex digits with an optional `0x`/`0X` prefix and optional leading `-`.
    package init?(hex p: UnsafeBufferPointer<UInt8>) {
        var i = 0
        var neg = false
        if p.count > 0 && p[0] == UInt8(ascii: "-") {
            neg = true
            i = 1
        }
        if i + 1 < p.count && p[i] == UInt8(ascii: "0") && (p[i + 1] | 0x20) == UInt8(ascii: "x") { i += 2 }
        if i >= p.count { return nil }
        while i < p.count - 1 && p[i] == UInt8(ascii: "0") { i += 1 }
        let digits = p.count - i
        if digits > 128 { return nil }
        var m = SIMD8<UInt64>.zero
        var bit = 0
        var j = p.count - 1
        while j >= i {
            guard let v = filterHexDigit(p[j]) else { return nil }
            m[bit / 64] |= UInt64(v) << UInt64(bit % 64)
            bit += 4
            j -= 1
        }
        self.init(mag: m, negative: neg)
    }

    package init?(numeric s: String) {
        var s = s
        guard let v = s.withUTF8({ Int512(numeric: $0) }) else { return nil }
        self = v
    }

    package init?(decimal s: String) {
        var s = s
        guard let v = s.withUTF8({ Int512(decimal: $0) }) else { return nil }
        self = v
    }

    package init?(hex s: String) {
        var s = s
        guard let v = s.withUTF8({ Int512(hex: $0) }) else { return nil }
        self = v
    }

    /// Either form: `0x…` hex or decimal, as decoded integer ABI values are.
    package init?(numeric p: UnsafeBufferPointer<UInt8>) {
        var i = 0
        if p.count > 0 && p[0] == UInt8(ascii: "-") { i = 1 }
        if i + 1 < p.count && p[i] == UInt8(ascii: "0") && (p[i + 1] | 0x20) == UInt8(ascii: "x") {
            self.init(hex: p)
        } else {
            self.init(decimal: p)
        }
    }

    package func appendDecimal(to out: inout [UInt8]) {
        if negative { out.append(UInt8(ascii: "-")) }
        if limbCount <= 1 {
            appendUInt64(mag[0], to: &out, minDigits: 1)
            return
        }
        var chunks: [UInt64] = []
        var m = mag
        while m != .zero {
            let (q, r) = i512DivSmall(m, 10_000_000_000_000_000_000)
            chunks.append(r)
            m = q
        }
        var first = true
        for c in chunks.reversed() {
            appendUInt64(c, to: &out, minDigits: first ? 1 : 19)
            first = false
        }
    }

    package var decimalString: String {
        var out: [UInt8] = []
        appendDecimal(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase `0x…` without leading zeros (`0x0` for zero), `-0x…` when negative.
    package var hexString: String {
        var out: [UInt8] = []
        if negative { out.append(UInt8(ascii: "-")) }
        out.append(UInt8(ascii: "0"))
        out.append(UInt8(ascii: "x"))
        let n = limbCount
        if n == 0 {
            out.append(UInt8(ascii: "0"))
        } else {
            var started = false
            var i = n * 16 - 1
            while i >= 0 {
                let v = Int((mag[i / 16] >> UInt64((i % 16) * 4)) & 0xF)
                if v != 0 || started || i == 0 {
                    out.append(hexAlphabet[v])
                    started = true
                }
                i -= 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The low 256 bits of the magnitude as 32 big-endian bytes; nil when wider.
    package var bigEndian32: [UInt8]? {
        if negative || limbCount > 4 { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        for limb in 0..<4 {
            let v = mag[limb]
            for b in 0..<8 { out[31 - limb * 8 - b] = UInt8(truncatingIfNeeded: v >> UInt64(b * 8)) }
        }
        return out
    }

    package init(bigEndian bytes: [UInt8]) {
        var m = SIMD8<UInt64>.zero
        let n = min(bytes.count, 64)
        for k in 0..<n {
            let byte = bytes[bytes.count - 1 - k]
            m[k / 8] |= UInt64(byte) << UInt64((k % 8) * 8)
        }
        self.init(mag: m, negative: false)
    }

    /// 10**n for 0 <= n <= 154 (the largest power of ten below 2^512).
    package static func pow10(_ n: Int) -> Int512? {
        (try? Int512(10).power(Int512(n))) ?? nil
    }
}

extension Int512: CustomStringConvertible {
    package var description: String { decimalString }
}

@usableFromInline let int512Pow10Table: [UInt64] = {
    var t: [UInt64] = [1]
    for _ in 1...19 { t.append(t[t.count - 1] &* 10) }
    return t
}()

private let hexAlphabet: [UInt8] = Array("0123456789abcdef".utf8)

@inline(__always) func filterHexDigit(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: return c - 48
    case 97...102: return c - 87
    case 65...70: return c - 55
    default: return nil
    }
}

private func appendUInt64(_ v: UInt64, to out: inout [UInt8], minDigits: Int) {
    var buf: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, no allocation
    withUnsafeMutableBytes(of: &buf) { raw in
        var n = 0
        var x = v
        repeat {
            raw[23 - n] = UInt8(48 + x % 10)
            x /= 10
            n += 1
        } while x != 0
        while n < minDigits {
            raw[23 - n] = 48
            n += 1
        }
        out.append(contentsOf: raw[(24 - n)...])
    }
}
