import CCCore
import CCJSON

/// Decimal and hex text for UInt256, byte level: the decoder prints one per
/// uint argument and the filter parses them back, so both avoid String math.
extension UInt256 {
    @usableFromInline static let tenTo19: UInt64 = 10_000_000_000_000_000_000

    /// Powers of ten 10^0 ... 10^19.
    @usableFromInline
    static let powersOfTen: [UInt64] = {
        var p: [UInt64] = [1]
        for _ in 1...19 { p.append(p[p.count - 1] &* 10) }
        return p
    }()

    // MARK: Decimal

    /// Parses ASCII decimal digits: no sign, no spaces, no separators; leading
    /// zeros are allowed. Nil when empty, on any other byte, or above 2^256-1.
    package init?(decimal b: UnsafeBufferPointer<UInt8>) {
        guard b.count > 0 else { return nil }
        var value = UInt256.zero
        var i = 0
        // Skip leading zeros so that long zero-padded input stays cheap.
        while i < b.count - 1 && b[i] == 0x30 { i += 1 }
        while i < b.count {
            // Up to 19 digits fit in a UInt64 chunk.
            let end = Swift.min(b.count, i + 19)
            var chunk: UInt64 = 0
            var k = i
            while k < end {
                let d = b[k] &- 0x30
                guard d < 10 else { return nil }
                chunk = chunk &* 10 &+ UInt64(d)
                k += 1
            }
            if value.isZero {
                value = UInt256(chunk)
            } else {
                guard let v = value.multipliedAdding(UInt256.powersOfTen[end - i], chunk) else { return nil }
                value = v
            }
            i = end
        }
        self = value
    }

    package init?(decimal s: String) {
        var s = s
        guard let v = s.withUTF8({ UInt256(decimal: $0) }) else { return nil }
        self = v
    }

    /// self * m + a, nil on overflow.
    @inlinable
    func multipliedAdding(_ m: UInt64, _ a: UInt64) -> UInt256? {
        var r = UInt256.zero
        var carry = a
        var i = 0
        while i < 4 {
            let (hi, lo) = self[limb: i].multipliedFullWidth(by: m)
            let (s, o) = lo.addingReportingOverflow(carry)
            r[limb: i] = s
            carry = hi &+ (o ? 1 : 0)
            i += 1
        }
        return carry == 0 ? r : nil
    }

    /// Appends the decimal digits (no sign, no leading zeros; "0" for zero).
    package func appendDecimal(to out: inout [UInt8]) {
        // Peel off base-10^19 chunks, least significant first, writing each
        // right to left into one stack buffer (2^256 < 10^78), then append once.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 80) { buf in
            let base = buf.baseAddress!
            var v = self
            var p = 80
            while (v.w1 | v.w2 | v.w3) != 0 || v.w0 >= UInt256.tenTo19 {
                p = UInt256.writeDecimal(v.divideByTenTo19(), endingAt: base + p, minDigits: 19) - base
            }
            p = UInt256.writeDecimal(v.w0, endingAt: base + p, minDigits: 1) - base
            out.append(contentsOf: UnsafeBufferPointer(start: base + p, count: 80 - p))
        }
    }

    /// Writes `value` in decimal so that its last digit is just before `end`,
    /// zero-padded to `minDigits` (at most 20); returns where it starts.
    @inlinable @inline(__always)
    static func writeDecimal(
        _ value: UInt64, endingAt end: UnsafeMutablePointer<UInt8>, minDigits: Int
    ) -> UnsafeMutablePointer<UInt8> {
        var v = value
        var p = end
        let pairs = DigitPairs.text.utf8Start
        while v >= 100 {
            let r = Int(v % 100)
            v /= 100
            p -= 2
            p[0] = pairs[2 &* r]
            p[1] = pairs[2 &* r &+ 1]
        }
        if v >= 10 {
            p -= 2
            p[0] = pairs[2 &* Int(v)]
            p[1] = pairs[2 &* Int(v) &+ 1]
        } else {
            p -= 1
            p[0] = 0x30 &+ UInt8(truncatingIfNeeded: v)
        }
        let start = end - Swift.min(minDigits, 20)
        while p > start {
            p -= 1
            p[0] = 0x30
        }
        return p
    }

    /// self /= 10^19, returning the remainder. Leading zero limbs are
    /// skipped, so a typical 128-bit token amount costs few hardware divisions.
    @inline(__always)
    mutating func divideByTenTo19() -> UInt64 {
        let d = UInt256.tenTo19
        var r: UInt64 = 0
        // Each step's high half is the previous remainder, < d, so no overflow.
        if w3 != 0 { (w3, r) = d.dividingFullWidth((0, w3)) }
        if (r | w2) != 0 { (w2, r) = d.dividingFullWidth((r, w2)) }
        if (r | w1) != 0 { (w1, r) = d.dividingFullWidth((r, w1)) }
        (w0, r) = d.dividingFullWidth((r, w0))
        return r
    }

    /// Appends a UInt64 in decimal, left-padded with zeros to `padTo` digits (at most 20).
    @inlinable
    package static func appendDecimal(_ value: UInt64, padTo: Int = 1, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            let end = buf.baseAddress! + 20
            let start = writeDecimal(value, endingAt: end, minDigits: padTo)
            out.append(contentsOf: UnsafeBufferPointer(start: start, count: end - start))
        }
    }

    package var decimalString: String {
        var out: [UInt8] = []
        out.reserveCapacity(78)
        appendDecimal(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Hex

    /// Parses hex digits with or without `0x`/`0X`, either case, leading
    /// zeros allowed. Nil when there are no digits, on a non-hex byte, or
    /// when the value needs more than 256 bits.
    package init?(hex b: UnsafeBufferPointer<UInt8>) {
        let d = Hex.strippingPrefix(b)
        guard d.count > 0 else { return nil }
        var start = 0
        while start < d.count - 1 && d[start] == 0x30 { start += 1 }
        guard d.count - start <= 64 else { return nil }
        var value = UInt256.zero
        let ok: Bool = Hex.nibble.withUnsafeBufferPointer { t in
            var bad: UInt8 = 0
            var i = d.count - 1
            var shift = 0
            while i >= start {
                let n = t[Int(d[i])]
                bad |= n
                value[limb: shift >> 6] |= UInt64(n & 0x0F) << UInt64(shift & 63)
                shift += 4
                i -= 1
            }
            return bad & 0xF0 == 0
        }
        guard ok else { return nil }
        self = value
    }

    package init?(hex s: String) {
        var s = s
        guard let v = s.withUTF8({ UInt256(hex: $0) }) else { return nil }
        self = v
    }

    /// Appends `0x` + minimal lowercase hex digits ("0x0" for zero): the
    /// JSON-RPC quantity form.
    package func appendHex(to out: inout [UInt8], prefix: Bool = true) {
        if prefix { out.append(contentsOf: [0x30, 0x78]) }
        let digits = Swift.max(1, (bitLength + 3) / 4)
        var i = digits - 1
        Hex.lowerDigits.withUTF8Buffer { table in
            while i >= 0 {
                let nib = (self[limb: (i * 4) >> 6] >> UInt64((i * 4) & 63)) & 0x0F
                out.append(table[Int(nib)])
                i -= 1
            }
        }
    }

    /// `0x` + minimal lowercase hex ("0x0" for zero).
    package var hexString: String {
        var out: [UInt8] = []
        out.reserveCapacity(66)
        appendHex(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
