extension UInt256 {
    @inlinable
    package func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.addingReportingOverflow(b.w0)
        var (r1, c1) = w1.addingReportingOverflow(b.w1)
        var c: Bool
        (r1, c) = r1.addingReportingOverflow(c0 ? 1 : 0)
        c1 = c1 || c
        var (r2, c2) = w2.addingReportingOverflow(b.w2)
        (r2, c) = r2.addingReportingOverflow(c1 ? 1 : 0)
        c2 = c2 || c
        var (r3, c3) = w3.addingReportingOverflow(b.w3)
        (r3, c) = r3.addingReportingOverflow(c2 ? 1 : 0)
        c3 = c3 || c
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
    }

    @inlinable
    package func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (r0, c0) = w0.subtractingReportingOverflow(b.w0)
        var (r1, c1) = w1.subtractingReportingOverflow(b.w1)
        var c: Bool
        (r1, c) = r1.subtractingReportingOverflow(c0 ? 1 : 0)
        c1 = c1 || c
        var (r2, c2) = w2.subtractingReportingOverflow(b.w2)
        (r2, c) = r2.subtractingReportingOverflow(c1 ? 1 : 0)
        c2 = c2 || c
        var (r3, c3) = w3.subtractingReportingOverflow(b.w3)
        (r3, c) = r3.subtractingReportingOverflow(c2 ? 1 : 0)
        c3 = c3 || c
        return (UInt256(w0: r0, w1: r1, w2: r2, w3: r3), c3)
    }

    /// The low 256 bits of the product; `overflow` when the full product needs more.
    @inlinable
    package func multipliedReportingOverflow(by b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (high, low) = multipliedFullWidth(by: b)
        return (low, !high.isZero)
    }

    /// The full 512-bit product as (high, low) halves: schoolbook, written out
    /// limb by limb so every partial product stays in registers.
    @inlinable
    package func multipliedFullWidth(by b: UInt256) -> (high: UInt256, low: UInt256) {
        var r0: UInt64 = 0, r1: UInt64 = 0, r2: UInt64 = 0, r3: UInt64 = 0
        var r4: UInt64 = 0, r5: UInt64 = 0, r6: UInt64 = 0, r7: UInt64 = 0
        var carry: UInt64
        carry = 0
        UInt256.mac(w0, b.w0, &r0, &carry)
        UInt256.mac(w0, b.w1, &r1, &carry)
        UInt256.mac(w0, b.w2, &r2, &carry)
        UInt256.mac(w0, b.w3, &r3, &carry)
        r4 = carry
        carry = 0
        UInt256.mac(w1, b.w0, &r1, &carry)
        UInt256.mac(w1, b.w1, &r2, &carry)
        UInt256.mac(w1, b.w2, &r3, &carry)
        UInt256.mac(w1, b.w3, &r4, &carry)
        r5 = carry
        carry = 0
        UInt256.mac(w2, b.w0, &r2, &carry)
        UInt256.mac(w2, b.w1, &r3, &carry)
        UInt256.mac(w2, b.w2, &r4, &carry)
        UInt256.mac(w2, b.w3, &r5, &carry)
        r6 = carry
        carry = 0
        UInt256.mac(w3, b.w0, &r3, &carry)
        UInt256.mac(w3, b.w1, &r4, &carry)
        UInt256.mac(w3, b.w2, &r5, &carry)
        UInt256.mac(w3, b.w3, &r6, &carry)
        r7 = carry
        return (UInt256(w0: r4, w1: r5, w2: r6, w3: r7), UInt256(w0: r0, w1: r1, w2: r2, w3: r3))
    }

    /// acc += x * y + carry; carry = the high word of that sum.
    @inlinable @inline(__always)
    static func mac(_ x: UInt64, _ y: UInt64, _ acc: inout UInt64, _ carry: inout UInt64) {
        let (hi, lo) = x.multipliedFullWidth(by: y)
        let (s1, o1) = lo.addingReportingOverflow(acc)
        let (s2, o2) = s1.addingReportingOverflow(carry)
        acc = s2
        // hi <= 2^64-2, so adding the two carry bits cannot wrap.
        carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
    }

    /// Nil on overflow.
    @inlinable package func adding(_ b: UInt256) -> UInt256? {
        let (r, o) = addingReportingOverflow(b)
        return o ? nil : r
    }
    /// Nil when `b` is larger.
    @inlinable package func subtracting(_ b: UInt256) -> UInt256? {
        let (r, o) = subtractingReportingOverflow(b)
        return o ? nil : r
    }
    /// Nil on overflow.
    @inlinable package func multiplied(by b: UInt256) -> UInt256? {
        let (r, o) = multipliedReportingOverflow(by: b)
        return o ? nil : r
    }

    @inlinable package static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    @inlinable package static func &- (a: UInt256, b: UInt256) -> UInt256 {
        a.subtractingReportingOverflow(b).partialValue
    }
    @inlinable package static func &* (a: UInt256, b: UInt256) -> UInt256 {
        a.multipliedReportingOverflow(by: b).partialValue
    }

    /// Quotient and remainder. Division by zero does not trap: it gives
    /// (0, 0), the EVM's DIV/MOD result; use `dividedReportingOverflow` to detect it.
    package func quotientAndRemainder(dividingBy d: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        if d.isZero { return (.zero, .zero) }
        if self < d { return (.zero, self) }
        if (d.w1 | d.w2 | d.w3) == 0 {
            let (q, r) = quotientAndRemainder(dividingBy: d.w0)
            return (q, UInt256(r))
        }
        return UInt256.knuthDivide(self, d)
    }

    /// Fast path for a divisor that fits in 64 bits (must be nonzero).
    @inlinable
    package func quotientAndRemainder(dividingBy d: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        if d == 0 { return (.zero, 0) }
        var r: UInt64 = 0
        var q = UInt256.zero
        // Each step's high half is the previous remainder, always < d, so
        // dividingFullWidth cannot overflow.
        (q.w3, r) = d.dividingFullWidth((r, w3))
        (q.w2, r) = d.dividingFullWidth((r, w2))
        (q.w1, r) = d.dividingFullWidth((r, w1))
        (q.w0, r) = d.dividingFullWidth((r, w0))
        return (q, r)
    }

    /// Quotient; `overflow` (with a partial value of 0) on division by zero.
    package func dividedReportingOverflow(by d: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        if d.isZero { return (.zero, true) }
        return (quotientAndRemainder(dividingBy: d).quotient, false)
    }

    /// Remainder; `overflow` (with a partial value of 0) on division by zero.
    package func remainderReportingOverflow(dividingBy d: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        if d.isZero { return (.zero, true) }
        return (quotientAndRemainder(dividingBy: d).remainder, false)
    }

    /// Knuth's algorithm D (TAOCP 4.3.1) on 64-bit digits, for a divisor of
    /// two or more limbs and u >= v.
    @usableFromInline
    static func knuthDivide(_ u: UInt256, _ v: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        let n = 4 - v.leadingZeroBitCount / 64  // divisor limbs, 2...4
        let m = 4 - u.leadingZeroBitCount / 64  // dividend limbs, >= n
        let s = v.leadingZeroBitCount & 63
        let vn = v << s
        // The dividend shifted by s needs a fifth limb.
        let un4: UInt64 = s == 0 ? 0 : u.w3 >> UInt64(64 - s)
        let ul = u << s
        var un = (ul.w0, ul.w1, ul.w2, ul.w3, un4)
        var q = UInt256.zero
        withUnsafeMutableBytes(of: &un) { raw in
            let un = raw.baseAddress!.assumingMemoryBound(to: UInt64.self)
            let vTop = vn[limb: n - 1]
            let vNext = vn[limb: n - 2]
            var j = m - n
            while j >= 0 {
                var qhat: UInt64
                var rhat: UInt64
                var rhatOverflow = false
                if un[j + n] >= vTop {
                    // The true digit is at most b-1 here; start there.
                    qhat = .max
                    (rhat, rhatOverflow) = un[j + n - 1].addingReportingOverflow(vTop)
                    // rhat = (un[j+n]*b + un[j+n-1]) - qhat*vTop, with un[j+n] == vTop.
                } else {
                    (qhat, rhat) = vTop.dividingFullWidth((un[j + n], un[j + n - 1]))
                }
                while !rhatOverflow {
                    let (ph, pl) = qhat.multipliedFullWidth(by: vNext)
                    if ph > rhat || (ph == rhat && pl > un[j + n - 2]) {
                        qhat &-= 1
                        (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
                    } else {
                        break
                    }
                }
                // un[j...j+n] -= qhat * vn
                var carry: UInt64 = 0
                var borrow: UInt64 = 0
                for i in 0..<n {
                    let (ph, pl) = qhat.multipliedFullWidth(by: vn[limb: i])
                    let (p, c1) = pl.addingReportingOverflow(carry)
                    carry = ph &+ (c1 ? 1 : 0)
                    let (d1, b1) = un[i + j].subtractingReportingOverflow(p)
                    let (d2, b2) = d1.subtractingReportingOverflow(borrow)
                    un[i + j] = d2
                    borrow = (b1 ? 1 : 0) &+ (b2 ? 1 : 0)
                }
                let (t1, b1) = un[j + n].subtractingReportingOverflow(carry)
                let (t2, b2) = t1.subtractingReportingOverflow(borrow)
                un[j + n] = t2
                if b1 || b2 {
                    // qhat was one too large: add the divisor back.
                    qhat &-= 1
                    var c: UInt64 = 0
                    for i in 0..<n {
                        let (s1, c1) = un[i + j].addingReportingOverflow(vn[limb: i])
                        let (s2, c2) = s1.addingReportingOverflow(c)
                        un[i + j] = s2
                        c = (c1 ? 1 : 0) &+ (c2 ? 1 : 0)
                    }
                    un[j + n] &+= c
                }
                q[limb: j] = qhat
                j -= 1
            }
        }
        let rem = UInt256(w0: un.0, w1: un.1, w2: un.2, w3: un.3) >> s
        // un.4 is zero after the last step (remainder < divisor < 2^256 after shift back).
        let remHigh = s == 0 ? UInt256.zero : UInt256(w0: 0, w1: 0, w2: 0, w3: un.4) << (64 - s)
        return (q, rem | remHigh)
    }

    /// self ** e modulo 2^256, with `overflow` when the true power needs more bits.
    package func power(_ e: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var result = UInt256.one
        var base = self
        var overflow = false
        var baseOverflow = false
        let bits = e.bitLength
        var i = 0
        while i < bits {
            if e.bit(i) {
                let (r, o) = result.multipliedReportingOverflow(by: base)
                result = r
                overflow = overflow || o || baseOverflow
            }
            i += 1
            if i < bits {
                let (b2, o) = base.multipliedReportingOverflow(by: base)
                base = b2
                baseOverflow = baseOverflow || o
            }
        }
        // A zero result from 0**e or a wrapped product: only report real overflow.
        if self.isZero || self == .one { overflow = false }
        return (result, overflow)
    }
}
