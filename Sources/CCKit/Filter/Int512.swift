/// The filter language's one number type: an exact signed integer with a
/// 512-bit magnitude (so every uint256 and int256, and any product of two of
/// them, is representable). Sign and magnitude are kept apart because the
/// language's division truncates toward zero, which sign-magnitude gives for
/// free. Every operation that could exceed 512 bits reports it instead of
/// wrapping: a filter must never give a wrong answer.
package struct Int512: Hashable, Sendable {
    /// Little-endian 64-bit limbs of the magnitude; stored inline, no heap.
    @usableFromInline var mag: SIMD8<UInt64>
    /// Never true for zero, so equal numbers have equal bits.
    @usableFromInline var negative: Bool

    package static let zero = Int512(mag: .zero, negative: false)
    package static let one = Int512(1)

    @inlinable init(mag: SIMD8<UInt64>, negative: Bool) {
        self.mag = mag
        self.negative = negative && mag != .zero
    }

    @inlinable package init(_ v: Int) {
        var m = SIMD8<UInt64>.zero
        m[0] = v.magnitude.toUInt64
        self.init(mag: m, negative: v < 0)
    }

    @inlinable package init(_ v: UInt64) {
        var m = SIMD8<UInt64>.zero
        m[0] = v
        self.init(mag: m, negative: false)
    }

    package var isZero: Bool { mag == .zero }
    package var isNegative: Bool { negative }

    /// The value as an Int when it fits.
    package var int: Int? {
        for i in 1..<8 where mag[i] != 0 { return nil }
        let m = mag[0]
        if negative {
            if m <= UInt64(Int.max) { return -Int(m) }
            if m == UInt64(Int.max) + 1 { return Int.min }
            return nil
        }
        return m <= UInt64(Int.max) ? Int(m) : nil
    }

    /// Number of significant limbs of the magnitude (0 for zero).
    @inlinable var limbCount: Int {
        var n = 8
        while n > 0 && mag[n - 1] == 0 { n -= 1 }
        return n
    }

    package var negated: Int512 { Int512(mag: mag, negative: !negative) }
    package var magnitude: Int512 { Int512(mag: mag, negative: false) }

    /// Bits needed for the magnitude.
    package var bitWidth: Int {
        let n = limbCount
        if n == 0 { return 0 }
        return (n - 1) * 64 + (64 - mag[n - 1].leadingZeroBitCount)
    }
}

extension UInt {
    @inlinable var toUInt64: UInt64 { UInt64(self) }
}

// MARK: - Magnitude arithmetic (unsigned, 512-bit)

@inlinable func i512Compare(_ a: SIMD8<UInt64>, _ b: SIMD8<UInt64>) -> Int {
    var i = 7
    while i >= 0 {
        if a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        i -= 1
    }
    return 0
}

@inlinable func i512Add(_ a: SIMD8<UInt64>, _ b: SIMD8<UInt64>) -> (SIMD8<UInt64>, Bool) {
    var r = SIMD8<UInt64>.zero
    var carry: UInt64 = 0
    for i in 0..<8 {
        let (s1, o1) = a[i].addingReportingOverflow(b[i])
        let (s2, o2) = s1.addingReportingOverflow(carry)
        r[i] = s2
        carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
    }
    return (r, carry != 0)
}

/// a - b, requires a >= b.
@inlinable func i512Sub(_ a: SIMD8<UInt64>, _ b: SIMD8<UInt64>) -> SIMD8<UInt64> {
    var r = SIMD8<UInt64>.zero
    var borrow: UInt64 = 0
    for i in 0..<8 {
        let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
        let (d2, o2) = d1.subtractingReportingOverflow(borrow)
        r[i] = d2
        borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
    }
    return r
}

@inlinable func i512Mul(_ a: SIMD8<UInt64>, _ b: SIMD8<UInt64>) -> (SIMD8<UInt64>, Bool) {
    var na = 8
    while na > 0 && a[na - 1] == 0 { na -= 1 }
    var nb = 8
    while nb > 0 && b[nb - 1] == 0 { nb -= 1 }
    if na == 0 || nb == 0 { return (.zero, false) }
    if na + nb > 9 { return (.zero, true) }  // product has at least na+nb-1 limbs
    var r = SIMD8<UInt64>.zero
    var overflow = false
    for i in 0..<na {
        var carry: UInt64 = 0
        for j in 0..<nb {
            let k = i + j
            let (hi, lo) = a[i].multipliedFullWidth(by: b[j])
            if k >= 8 {
                if lo != 0 || hi != 0 || carry != 0 { overflow = true }
                carry = 0
                continue
            }
            let (s1, o1) = r[k].addingReportingOverflow(lo)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            r[k] = s2
            carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
        }
        let k = i + nb
        if carry != 0 {
            if k >= 8 { overflow = true } else { r[k] = carry }
        }
    }
    return (r, overflow)
}

/// Short division by one limb: (quotient, remainder).
@inlinable func i512DivSmall(_ a: SIMD8<UInt64>, _ d: UInt64) -> (SIMD8<UInt64>, UInt64) {
    var q = SIMD8<UInt64>.zero
    var rem: UInt64 = 0
    var i = 7
    while i >= 0 {
        let (qi, ri) = d.dividingFullWidth((high: rem, low: a[i]))
        q[i] = qi
        rem = ri
        i -= 1
    }
    return (q, rem)
}

@inlinable func i512ShiftLeft1(_ a: SIMD8<UInt64>) -> SIMD8<UInt64> {
    var r = SIMD8<UInt64>.zero
    var carry: UInt64 = 0
    for i in 0..<8 {
        r[i] = (a[i] << 1) | carry
        carry = a[i] >> 63
    }
    return r
}

/// Binary long division; only for divisors wider than one limb (rare: the
/// common `x / 10**18` takes the short path).
func i512DivMod(_ a: SIMD8<UInt64>, _ b: SIMD8<UInt64>) -> (SIMD8<UInt64>, SIMD8<UInt64>) {
    var nb = 8
    while nb > 0 && b[nb - 1] == 0 { nb -= 1 }
    if nb <= 1 {
        let (q, r) = i512DivSmall(a, b[0])
        var rm = SIMD8<UInt64>.zero
        rm[0] = r
        return (q, rm)
    }
    if i512Compare(a, b) < 0 { return (.zero, a) }
    var q = SIMD8<UInt64>.zero
    var r = SIMD8<UInt64>.zero
    var top = 511
    while top >= 0 && (a[top / 64] >> UInt64(top % 64)) & 1 == 0 { top -= 1 }
    var bit = top
    while bit >= 0 {
        // r < b < 2^511 here, so the shift cannot lose a bit.
        r = i512ShiftLeft1(r)
        r[0] |= (a[bit / 64] >> UInt64(bit % 64)) & 1
        if i512Compare(r, b) >= 0 {
            r = i512Sub(r, b)
            q[bit / 64] |= 1 << UInt64(bit % 64)
        }
        bit -= 1
    }
    return (q, r)
}

// MARK: - Signed operations

/// What went wrong in an arithmetic operation; the VM turns it into an error
/// for the current event.
package enum ArithmeticFault: Error, Equatable, Sendable {
    case overflow
    case divisionByZero
    case negativeExponent
}

extension Int512: Comparable {
    @inlinable package static func < (a: Int512, b: Int512) -> Bool {
        if a.negative != b.negative { return a.negative }
        let c = i512Compare(a.mag, b.mag)
        return a.negative ? c > 0 : c < 0
    }
}

extension Int512 {
    package func adding(_ b: Int512) throws(ArithmeticFault) -> Int512 {
        if negative == b.negative {
            let (m, o) = i512Add(mag, b.mag)
            if o { throw .overflow }
            return Int512(mag: m, negative: negative)
        }
        let c = i512Compare(mag, b.mag)
        if c == 0 { return .zero }
        if c > 0 { return Int512(mag: i512Sub(mag, b.mag), negative: negative) }
        return Int512(mag: i512Sub(b.mag, mag), negative: b.negative)
    }

    package func subtracting(_ b: Int512) throws(ArithmeticFault) -> Int512 {
        try adding(b.negated)
    }

    package func multiplied(by b: Int512) throws(ArithmeticFault) -> Int512 {
        let (m, o) = i512Mul(mag, b.mag)
        if o { throw .overflow }
        return Int512(mag: m, negative: negative != b.negative)
    }

    /// Truncates toward zero, like Solidity, C and Swift.
    package func divided(by b: Int512) throws(ArithmeticFault) -> Int512 {
        if b.isZero { throw .divisionByZero }
        let (q, _) = i512DivMod(mag, b.mag)
        return Int512(mag: q, negative: negative != b.negative)
    }

    /// The remainder has the sign of the dividend (`-7 % 2 == -1`).
    package func remainder(dividingBy b: Int512) throws(ArithmeticFault) -> Int512 {
        if b.isZero { throw .divisionByZero }
        let (_, r) = i512DivMod(mag, b.mag)
        return Int512(mag: r, negative: negative)
    }

    package func power(_ e: Int512) throws(ArithmeticFault) -> Int512 {
        if e.negative { throw .negativeExponent }
        if e.isZero { return .one }
        if isZero { return .zero }
        if mag == Int512.one.mag {
            // ±1 ** e never overflows, however large e is.
            let odd = e.mag[0] & 1 == 1
            return Int512(mag: mag, negative: negative && odd)
        }
        // |base| >= 2, so any exponent >= 512 overflows.
        guard let n = e.int, n < 512 else { throw .overflow }
        var result = Int512.one
        var base = self
        var k = n
        while true {
            if k & 1 == 1 { result = try result.multiplied(by: base) }
            k >>= 1
            if k == 0 { break }
            base = try base.multiplied(by: base)
        }
        return result
    }

    package var absolute: Int512 { magnitude }
}
