/// An unsigned 256-bit integer: the EVM word. Four 64-bit limbs, least
/// significant first. Arithmetic that can overflow comes in reporting
/// (`addingReportingOverflow`), checked (`adding(_:) -> UInt256?`) and wrapping
/// (`&+`) forms only: there are no trapping operators, because values come
/// from untrusted logs and nothing on that path may crash.
package struct UInt256: Hashable, Comparable, Sendable {
    package var w0: UInt64
    package var w1: UInt64
    package var w2: UInt64
    package var w3: UInt64

    @inlinable
    package init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0
        self.w1 = w1
        self.w2 = w2
        self.w3 = w3
    }

    @inlinable
    package init(_ v: UInt64) { self.init(w0: v, w1: 0, w2: 0, w3: 0) }

    package static let zero = UInt256(0)
    package static let one = UInt256(1)
    package static let max = UInt256(w0: .max, w1: .max, w2: .max, w3: .max)
    package static let bitWidth = 256

    /// Limb `i` (0 = least significant); 0 for i outside 0..<4.
    @inlinable
    package subscript(limb i: Int) -> UInt64 {
        get {
            switch i {
            case 0: return w0
            case 1: return w1
            case 2: return w2
            case 3: return w3
            default: return 0
            }
        }
        set {
            switch i {
            case 0: w0 = newValue
            case 1: w1 = newValue
            case 2: w2 = newValue
            case 3: w3 = newValue
            default: break
            }
        }
    }

    @inlinable package var isZero: Bool { (w0 | w1 | w2 | w3) == 0 }

    /// The value when it fits in 64 bits.
    @inlinable package var uint64: UInt64? { (w1 | w2 | w3) == 0 ? w0 : nil }

    // MARK: Bytes

    /// Big-endian bytes, up to 32 (shorter input is left-padded with zeros).
    /// Longer input keeps its last 32 bytes, which callers avoid by checking length.
    package init(bigEndian bytes: UnsafeBufferPointer<UInt8>) {
        self.init(0)
        let n = Swift.min(bytes.count, 32)
        let base = bytes.count - n
        var i = 0
        while i < n {
            let byte = UInt64(bytes[base + i])
            let bitIndex = (n - 1 - i) * 8
            self[limb: bitIndex >> 6] |= byte << UInt64(bitIndex & 63)
            i += 1
        }
    }

    package init(bigEndian bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { UInt256(bigEndian: $0) }
    }

    /// Reads exactly 32 big-endian bytes at `p` (an ABI word).
    @inlinable
    package init(word p: UnsafeRawPointer) {
        self.init(
            w0: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
            w1: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            w2: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            w3: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
    }

    /// A `uintN` ABI word (32 bytes): the low `bits` bits. With `strict`, nil
    /// when any higher bit is set (the word is not a valid uintN encoding);
    /// otherwise those bits are ignored. Nil for a word that is not 32 bytes
    /// or for `bits` outside 8...256 or not a multiple of 8.
    package init?(word: UnsafeBufferPointer<UInt8>, bits: Int, strict: Bool) {
        guard word.count == 32, bits >= 8, bits <= 256, bits & 7 == 0, let base = word.baseAddress else {
            return nil
        }
        let full = UInt256(word: UnsafeRawPointer(base))
        let mask = UInt256.lowMask(bits: bits)
        let value = full & mask
        if strict && value != full { return nil }
        self = value
    }

    /// 2^bits - 1 for bits in 0...256.
    @inlinable
    package static func lowMask(bits: Int) -> UInt256 {
        if bits >= 256 { return .max }
        if bits <= 0 { return .zero }
        return ~(UInt256.max << bits)
    }

    /// Writes 32 big-endian bytes at `p`.
    @inlinable
    package func writeBigEndian(to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: w3.bigEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: w2.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: w1.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: w0.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    /// 32 big-endian bytes.
    package var bigEndianBytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buf, n in
            writeBigEndian(to: UnsafeMutableRawPointer(buf.baseAddress!))
            n = 32
        }
    }

    // MARK: Comparison

    @inlinable
    package static func < (a: UInt256, b: UInt256) -> Bool {
        if a.w3 != b.w3 { return a.w3 < b.w3 }
        if a.w2 != b.w2 { return a.w2 < b.w2 }
        if a.w1 != b.w1 { return a.w1 < b.w1 }
        return a.w0 < b.w0
    }

    // MARK: Bits

    @inlinable
    package var leadingZeroBitCount: Int {
        if w3 != 0 { return w3.leadingZeroBitCount }
        if w2 != 0 { return 64 + w2.leadingZeroBitCount }
        if w1 != 0 { return 128 + w1.leadingZeroBitCount }
        return 192 + w0.leadingZeroBitCount
    }

    @inlinable
    package var trailingZeroBitCount: Int {
        if w0 != 0 { return w0.trailingZeroBitCount }
        if w1 != 0 { return 64 + w1.trailingZeroBitCount }
        if w2 != 0 { return 128 + w2.trailingZeroBitCount }
        return 192 + w3.trailingZeroBitCount
    }

    @inlinable
    package var nonzeroBitCount: Int {
        w0.nonzeroBitCount + w1.nonzeroBitCount + w2.nonzeroBitCount + w3.nonzeroBitCount
    }

    /// Number of significant bits (0 for zero).
    @inlinable package var bitLength: Int { 256 - leadingZeroBitCount }

    @inlinable
    package static prefix func ~ (a: UInt256) -> UInt256 {
        UInt256(w0: ~a.w0, w1: ~a.w1, w2: ~a.w2, w3: ~a.w3)
    }
    @inlinable
    package static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 & b.w0, w1: a.w1 & b.w1, w2: a.w2 & b.w2, w3: a.w3 & b.w3)
    }
    @inlinable
    package static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 | b.w0, w1: a.w1 | b.w1, w2: a.w2 | b.w2, w3: a.w3 | b.w3)
    }
    @inlinable
    package static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(w0: a.w0 ^ b.w0, w1: a.w1 ^ b.w1, w2: a.w2 ^ b.w2, w3: a.w3 ^ b.w3)
    }

    /// Logical shift left; amounts >= 256 give zero, negative amounts shift right.
    @inlinable
    package static func << (a: UInt256, n: Int) -> UInt256 {
        if n < 0 { return a >> (n == Int.min ? 256 : -n) }
        if n >= 256 { return .zero }
        let limbs = n >> 6
        let bits = UInt64(n & 63)
        var r = UInt256.zero
        var i = 3
        while i >= limbs {
            let src = i - limbs
            var v = a[limb: src] << bits
            if bits != 0 && src > 0 { v |= a[limb: src - 1] >> (64 - bits) }
            r[limb: i] = v
            i -= 1
        }
        return r
    }

    /// Logical shift right; amounts >= 256 give zero, negative amounts shift left.
    @inlinable
    package static func >> (a: UInt256, n: Int) -> UInt256 {
        if n < 0 { return a << (n == Int.min ? 256 : -n) }
        if n >= 256 { return .zero }
        let limbs = n >> 6
        let bits = UInt64(n & 63)
        var r = UInt256.zero
        var i = 0
        while i + limbs < 4 {
            let src = i + limbs
            var v = a[limb: src] >> bits
            if bits != 0 && src < 3 { v |= a[limb: src + 1] << (64 - bits) }
            r[limb: i] = v
            i += 1
        }
        return r
    }

    /// Bit `i` (0 = least significant); false outside 0..<256.
    @inlinable
    package func bit(_ i: Int) -> Bool {
        guard i >= 0 && i < 256 else { return false }
        return (self[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    package init(integerLiteral value: UInt64) { self.init(value) }
}

extension UInt256: CustomStringConvertible {
    package var description: String { decimalString }
}
