import CCJSON

/// Renders 32-byte ABI words as text on the per-log path: decimal for
/// integers, lowercase hex for bytes. Every ERC-20 Transfer carries a
/// uint256, so these avoid any allocation and any 256-bit division when the
/// value fits in 64 or 128 bits, which is nearly always.
enum WordFormatting {
    static let hexDigits:
        (
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
            UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
        ) =
            (48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102)

    /// Appends `bytes` as lowercase hex (no prefix).
    @inline(__always)
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        let n = bytes.count
        if n == 0 { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: n * 2))
        out.withUnsafeMutableBufferPointer { o in
            var j = start
            withUnsafeBytes(of: hexDigits) { digits in
                for i in 0..<n {
                    let b = bytes[i]
                    o[j] = digits[Int(b >> 4)]
                    o[j + 1] = digits[Int(b & 15)]
                    j += 2
                }
            }
        }
    }

    /// Appends the decimal form of a 64-bit value.
    @inline(__always)
    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            let n = writeDecimal(value, into: buf.baseAddress!, end: 20, minDigits: 1)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[(20 - n)...]))
        }
    }

    /// Writes `value` right-aligned ending at `end`, at least `minDigits` digits
    /// (zero-padded); returns the number of digits written.
    @inline(__always)
    static func writeDecimal(_ value: UInt64, into p: UnsafeMutablePointer<UInt8>, end: Int, minDigits: Int) -> Int {
        var v = value
        var i = end
        let t = DigitPairs.text.utf8Start  // "00" … "99": two digits per step
        while v >= 100 {
            let r = Int(v % 100)
            v /= 100
            i -= 2
            p[i] = t[2 &* r]
            p[i + 1] = t[2 &* r &+ 1]
        }
        if v >= 10 {
            let r = Int(v)
            i -= 2
            p[i] = t[2 &* r]
            p[i + 1] = t[2 &* r &+ 1]
        } else {
            i -= 1
            p[i] = UInt8(48 + v)
        }
        while end - i < minDigits {
            i -= 1
            p[i] = 48
        }
        return end - i
    }

    /// Appends the decimal form of the 256-bit value with limbs `l0` (least
    /// significant) … `l3`.
    static func appendDecimal(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, to out: inout [UInt8]) {
        if l1 | l2 | l3 == 0 {
            appendDecimal(l0, to: &out)
            return
        }
        // Peel off 19 decimal digits at a time (10^19 is the largest power of ten in a UInt64).
        let chunk: UInt64 = 10_000_000_000_000_000_000
        var limbs = (l3, l2, l1, l0)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { buf in
            let p = buf.baseAddress!
            var end = 96
            while true {
                var r: UInt64 = 0
                var q3: UInt64 = 0, q2: UInt64 = 0, q1: UInt64 = 0, q0: UInt64 = 0
                (q3, r) = chunk.dividingFullWidth((r, limbs.0))
                (q2, r) = chunk.dividingFullWidth((r, limbs.1))
                (q1, r) = chunk.dividingFullWidth((r, limbs.2))
                (q0, r) = chunk.dividingFullWidth((r, limbs.3))
                limbs = (q3, q2, q1, q0)
                let last = q3 | q2 | q1 | q0 == 0
                end -= writeDecimal(r, into: p, end: end, minDigits: last ? 1 : 19)
                if last { break }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[end...]))
        }
    }
}
