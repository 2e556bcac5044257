import CCCore

/// Resolving escapes of already validated strings, and reading quantities.
package enum JSONUnescape {
    /// Appends the unescaped form of a validated string's contents.
    /// A \u escape of a lone surrogate becomes U+FFFD.
    static func append(_ s: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        let n = s.count
        var i = 0
        var runStart = 0
        while i < n {
            guard s[i] == 0x5C, i + 1 < n else {
                i += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<i]))
            let e = s[i + 1]
            i += 2
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard let u = hex4(s, i) else {
                    appendScalar(0xFFFD, to: &out)
                    runStart = i
                    continue
                }
                i += 4
                if u >= 0xD800 && u < 0xDC00 {
                    // A high surrogate counts only with a low one right after it.
                    if i + 6 <= n, s[i] == 0x5C, s[i + 1] == 0x75, let lo = hex4(s, i + 2), lo >= 0xDC00, lo < 0xE000 {
                        appendScalar(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), to: &out)
                        i += 6
                    } else {
                        appendScalar(0xFFFD, to: &out)
                    }
                } else if u >= 0xDC00 && u < 0xE000 {
                    appendScalar(0xFFFD, to: &out)
                } else {
                    appendScalar(u, to: &out)
                }
            default:
                out.append(e)  // " \ /
            }
            runStart = i
        }
        if runStart < n { out.append(contentsOf: UnsafeBufferPointer(rebasing: s[runStart..<n])) }
    }

    /// The UTF-16 unit of the four hex digits of a `\uXXXX` escape at `i`.
    package static func hex4(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> UInt32? {
        guard i + 4 <= s.count else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            guard let d = hexValue(s[k]) else { return nil }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> UInt8? {
        let d = Hex.digit(c)
        return d < 16 ? d : nil
    }

    static func appendScalar(_ u: UInt32, to out: inout [UInt8]) {
        switch u {
        case 0..<0x80:
            out.append(UInt8(u))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (u >> 6)))
            out.append(UInt8(0x80 | (u & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (u >> 12)))
            out.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (u & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (u >> 18)))
            out.append(UInt8(0x80 | ((u >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((u >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (u & 0x3F)))
        }
    }

    /// One or more decimal digits that fit in UInt64.
    @inline(__always)
    static func parseDecimal(_ s: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard !s.isEmpty else { return nil }
        var v: UInt64 = 0
        for c in s {
            let d = c &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }

    /// "0x" + 1-16 significant hex digits (leading zeros allowed), or decimal digits.
    @inline(__always)
    static func parseQuantity(_ s: UnsafeBufferPointer<UInt8>) -> UInt64? {
        let n = s.count
        guard n >= 2, s[0] == 0x30, s[1] | 0x20 == 0x78 else { return parseDecimal(s) }
        guard n > 2 else { return nil }
        var v: UInt64 = 0
        var i = 2
        while i < n && s[i] == 0x30 { i += 1 }
        guard n - i <= 16 else {
            // Still garbage rather than overflow when a non-hex digit is present; both are nil.
            return nil
        }
        while i < n {
            guard let d = hexValue(s[i]) else { return nil }
            v = v << 4 | UInt64(d)
            i += 1
        }
        return v
    }
}
