/// A signed 256-bit integer in two's complement over `UInt256`: the ABI's
/// int256 and the EVM's signed view of a word. Like `UInt256`, overflow is
/// reported, checked or wrapping, never a trap.
package struct Int256: Hashable, Comparable, Sendable {
    package var bitPattern: UInt256

    @inlinable
    package init(bitPattern: UInt256) { self.bitPattern = bitPattern }

    @inlinable
    package init(_ v: Int64) {
        let fill: UInt64 = v < 0 ? .max : 0
        bitPattern = UInt256(w0: UInt64(bitPattern: v), w1: fill, w2: fill, w3: fill)
    }

    package static let zero = Int256(bitPattern: .zero)
    package static let one = Int256(1)
    package static let minusOne = Int256(bitPattern: .max)
    /// 2^255 - 1
    package static let max = Int256(bitPattern: UInt256(w0: .max, w1: .max, w2: .max, w3: UInt64(Int64.max)))
    /// -2^255
    package static let min = Int256(bitPattern: UInt256(w0: 0, w1: 0, w2: 0, w3: 1 << 63))

    @inlinable package var isNegative: Bool { bitPattern.w3 >> 63 == 1 }
    @inlinable package var isZero: Bool { bitPattern.isZero }
    @inlinable package var signum: Int { isNegative ? -1 : (isZero ? 0 : 1) }

    /// |self| (2^255 for `min`, which is why this is unsigned).
    @inlinable
    package var magnitude: UInt256 {
        isNegative ? (~bitPattern) &+ UInt256.one : bitPattern
    }

    /// The value when it fits in an Int64.
    package var int64: Int64? {
        let b = bitPattern
        let fill: UInt64 = (b.w0 >> 63 == 1) ? .max : 0
        guard b.w1 == fill, b.w2 == fill, b.w3 == fill else { return nil }
        return Int64(bitPattern: b.w0)
    }

    /// A signed value of magnitude `m`; nil when it does not fit.
    @inlinable
    package init?(negative: Bool, magnitude m: UInt256) {
        if negative {
            guard m <= Int256.min.bitPattern else { return nil }
            bitPattern = (~m) &+ UInt256.one
        } else {
            guard m.w3 >> 63 == 0 else { return nil }
            bitPattern = m
        }
    }

    /// Sign-extends an intN stored in a 32-byte ABI word. With `strict`, nil
    /// when the bytes above the low `bits` are not copies of its sign bit
    /// (a malformed encoding); without it those bytes are ignored. Nil for a
    /// word that is not 32 bytes or `bits` outside 8...256 or not a multiple of 8.
    package init?(word: UnsafeBufferPointer<UInt8>, bits: Int, strict: Bool) {
        guard word.count == 32, bits >= 8, bits <= 256, bits & 7 == 0, let base = word.baseAddress else {
            return nil
        }
        let full = UInt256(word: UnsafeRawPointer(base))
        let value = Int256.signExtend(full, bits: bits)
        if strict && value.bitPattern != full { return nil }
        self = value
    }

    /// Interprets the low `bits` bits (1...256) of `w` as two's complement.
    @inlinable
    package static func signExtend(_ w: UInt256, bits: Int) -> Int256 {
        if bits >= 256 { return Int256(bitPattern: w) }
        if bits <= 0 { return .zero }
        let low = w & UInt256.lowMask(bits: bits)
        if w.bit(bits - 1) { return Int256(bitPattern: low | ~UInt256.lowMask(bits: bits)) }
        return Int256(bitPattern: low)
    }

    // MARK: Comparison

    @inlinable
    package static func < (a: Int256, b: Int256) -> Bool {
        let an = a.isNegative
        if an != b.isNegative { return an }
        return a.bitPattern < b.bitPattern
    }

    // MARK: Arithmetic

    @inlinable
    package func addingReportingOverflow(_ b: Int256) -> (partialValue: Int256, overflow: Bool) {
        let r = Int256(bitPattern: bitPattern &+ b.bitPattern)
        // Overflow only when both operands have the same sign and the result does not.
        let o = isNegative == b.isNegative && r.isNegative != isNegative
        return (r, o)
    }

    @inlinable
    package func subtractingReportingOverflow(_ b: Int256) -> (partialValue: Int256, overflow: Bool) {
        let r = Int256(bitPattern: bitPattern &- b.bitPattern)
        let o = isNegative != b.isNegative && r.isNegative != isNegative
        return (r, o)
    }

    package func multipliedReportingOverflow(by b: Int256) -> (partialValue: Int256, overflow: Bool) {
        let wrapped = Int256(bitPattern: bitPattern &* b.bitPattern)
        let (m, o) = magnitude.multipliedReportingOverflow(by: b.magnitude)
        if o { return (wrapped, true) }
        let fits = Int256(negative: isNegative != b.isNegative, magnitude: m) != nil
        return (wrapped, !fits)
    }

    /// -self; overflows only for `min`.
    @inlinable
    package func negatedReportingOverflow() -> (partialValue: Int256, overflow: Bool) {
        let r = Int256(bitPattern: (~bitPattern) &+ UInt256.one)
        return (r, self == .min)
    }

    /// Quotient truncated toward zero. `overflow` for division by zero
    /// (partial value 0, the EVM's SDIV result) and for min / -1 (partial
    /// value min, which is what the wrapped result is).
    package func dividedReportingOverflow(by b: Int256) -> (partialValue: Int256, overflow: Bool) {
        if b.isZero { return (.zero, true) }
        if self == .min && b == .minusOne { return (.min, true) }
        let q = magnitude.quotientAndRemainder(dividingBy: b.magnitude).quotient
        return (Int256(negative: isNegative != b.isNegative, magnitude: q) ?? .min, false)
    }

    /// Remainder with the sign of the dividend (Swift's `%`, the EVM's SMOD).
    /// `overflow` for division by zero (partial value 0); min % -1 is 0 and
    /// reports overflow like Swift does.
    package func remainderReportingOverflow(dividingBy b: Int256) -> (partialValue: Int256, overflow: Bool) {
        if b.isZero { return (.zero, true) }
        if self == .min && b == .minusOne { return (.zero, true) }
        let r = magnitude.quotientAndRemainder(dividingBy: b.magnitude).remainder
        return (Int256(negative: isNegative, magnitude: r) ?? .zero, false)
    }

    /// Both at once; (0, 0) on division by zero and (min, 0) for min / -1, never a trap.
    package func quotientAndRemainder(dividingBy b: Int256) -> (quotient: Int256, remainder: Int256) {
        if b.isZero { return (.zero, .zero) }
        if self == .min && b == .minusOne { return (.min, .zero) }
        let (q, r) = magnitude.quotientAndRemainder(dividingBy: b.magnitude)
        return (
            Int256(negative: isNegative != b.isNegative, magnitude: q) ?? .min,
            Int256(negative: isNegative, magnitude: r) ?? .zero
        )
    }

    @inlinable package static func &+ (a: Int256, b: Int256) -> Int256 {
        Int256(bitPattern: a.bitPattern &+ b.bitPattern)
    }

    // MARK: Bits

    /// Shift left; amounts >= 256 give zero, negative amounts shift right.
    @inlinable
    package static func << (a: Int256, n: Int) -> Int256 {
        if n < 0 { return a >> (n == Int.min ? 256 : -n) }
        return Int256(bitPattern: a.bitPattern << n)
    }

    /// Arithmetic shift right (floor division by 2^n); amounts >= 256 give 0
    /// or -1 by sign, negative amounts shift left.
    @inlinable
    package static func >> (a: Int256, n: Int) -> Int256 {
        if n < 0 { return a << (n == Int.min ? 256 : -n) }
        if !a.isNegative { return Int256(bitPattern: a.bitPattern >> n) }
        if n >= 256 { return .minusOne }
        return Int256(bitPattern: ~((~a.bitPattern) >> n))
    }

    // MARK: Text

    /// Optional `-` then decimal digits (leading zeros allowed; "-0" is 0).
    /// Nil for empty input, a `+` sign, any other byte, or a value outside
    /// -2^255 ... 2^255-1.
    package init?(decimal b: UnsafeBufferPointer<UInt8>) {
        let negative = b.count > 0 && b[0] == 0x2D
        let digits = negative ? UnsafeBufferPointer(rebasing: b[1...]) : b
        guard let m = UInt256(decimal: digits), let v = Int256(negative: negative, magnitude: m) else { return nil }
        self = v
    }

    package init?(decimal s: String) {
        var s = s
        guard let v = s.withUTF8({ Int256(decimal: $0) }) else { return nil }
        self = v
    }

    /// Appends the decimal form, `-` first when negative.
    package func appendDecimal(to out: inout [UInt8]) {
        if isNegative { out.append(0x2D) }
        magnitude.appendDecimal(to: &out)
    }

    package var decimalString: String {
        var out: [UInt8] = []
        out.reserveCapacity(79)
        appendDecimal(to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension Int256: ExpressibleByIntegerLiteral {
    package init(integerLiteral value: Int64) { self.init(value) }
}

extension Int256: CustomStringConvertible {
    package var description: String { decimalString }
}
