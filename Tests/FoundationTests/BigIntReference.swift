import CCKit

/// A deliberately simple arbitrary-precision reference (base 2^32
/// schoolbook, bit-by-bit division) for property tests of UInt256/Int256.
/// Slow and obviously correct is the point.
struct RefUInt: Comparable {
    var limbs: [UInt32]  // little-endian, no trailing zero limbs

    init(limbs: [UInt32]) {
        self.limbs = limbs
        while let last = self.limbs.last, last == 0 { self.limbs.removeLast() }
    }
    init(small v: UInt64) { self.init(limbs: [UInt32(truncatingIfNeeded: v), UInt32(truncatingIfNeeded: v >> 32)]) }
    init(_ u: UInt256) {
        var l: [UInt32] = []
        for w in [u.w0, u.w1, u.w2, u.w3] {
            l.append(UInt32(truncatingIfNeeded: w))
            l.append(UInt32(truncatingIfNeeded: w >> 32))
        }
        self.init(limbs: l)
    }

    static let twoTo256 = RefUInt(limbs: [UInt32](repeating: 0, count: 8) + [1])
    var isZero: Bool { limbs.isEmpty }

    /// Low 256 bits, and whether the value fit.
    var uint256: (value: UInt256, fits: Bool) {
        var w = [UInt64](repeating: 0, count: 4)
        for (i, l) in limbs.enumerated() where i < 8 { w[i / 2] |= UInt64(l) << (32 * UInt64(i % 2)) }
        return (UInt256(w0: w[0], w1: w[1], w2: w[2], w3: w[3]), limbs.count <= 8)
    }

    static func < (a: RefUInt, b: RefUInt) -> Bool {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
        for i in stride(from: a.limbs.count - 1, through: 0, by: -1) where a.limbs[i] != b.limbs[i] {
            return a.limbs[i] < b.limbs[i]
        }
        return false
    }

    static func + (a: RefUInt, b: RefUInt) -> RefUInt {
        var r: [UInt32] = []
        var carry: UInt64 = 0
        for i in 0..<max(a.limbs.count, b.limbs.count) {
            let s = UInt64(i < a.limbs.count ? a.limbs[i] : 0) + UInt64(i < b.limbs.count ? b.limbs[i] : 0) + carry
            r.append(UInt32(truncatingIfNeeded: s))
            carry = s >> 32
        }
        r.append(UInt32(carry))
        return RefUInt(limbs: r)
    }

    /// a - b for a >= b.
    static func - (a: RefUInt, b: RefUInt) -> RefUInt {
        var r: [UInt32] = []
        var borrow: Int64 = 0
        for i in 0..<a.limbs.count {
            var d = Int64(a.limbs[i]) - Int64(i < b.limbs.count ? b.limbs[i] : 0) - borrow
            borrow = 0
            if d < 0 {
                d += 1 << 32
                borrow = 1
            }
            r.append(UInt32(d))
        }
        precondition(borrow == 0, "reference subtraction underflow")
        return RefUInt(limbs: r)
    }

    static func * (a: RefUInt, b: RefUInt) -> RefUInt {
        if a.isZero || b.isZero { return RefUInt(limbs: []) }
        var r = [UInt64](repeating: 0, count: a.limbs.count + b.limbs.count + 1)
        for i in 0..<a.limbs.count {
            var carry: UInt64 = 0
            for j in 0..<b.limbs.count {
                let t = UInt64(a.limbs[i]) * UInt64(b.limbs[j]) + r[i + j] + carry
                r[i + j] = t & 0xFFFF_FFFF
                carry = t >> 32
            }
            r[i + b.limbs.count] += carry
        }
        return RefUInt(limbs: r.map { UInt32(truncatingIfNeeded: $0) })
    }

    var bitLength: Int { limbs.isEmpty ? 0 : 32 * limbs.count - limbs[limbs.count - 1].leadingZeroBitCount }
    func bit(_ i: Int) -> Bool { i / 32 < limbs.count && (limbs[i / 32] >> UInt32(i % 32)) & 1 == 1 }

    func shiftedLeft(_ n: Int) -> RefUInt {
        var r = [UInt32](repeating: 0, count: limbs.count + n / 32 + 1)
        for i in 0..<bitLength where bit(i) { r[(i + n) / 32] |= 1 << UInt32((i + n) % 32) }
        return RefUInt(limbs: r)
    }
    func shiftedRight(_ n: Int) -> RefUInt {
        var r = [UInt32](repeating: 0, count: limbs.count)
        if n < bitLength { for i in n..<bitLength where bit(i) { r[(i - n) / 32] |= 1 << UInt32((i - n) % 32) } }
        return RefUInt(limbs: r)
    }

    /// Binary long division (d != 0).
    func divMod(_ d: RefUInt) -> (RefUInt, RefUInt) {
        var q = [UInt32](repeating: 0, count: limbs.count + 1)
        var r = RefUInt(limbs: [])
        for i in stride(from: bitLength - 1, through: 0, by: -1) {
            r = r.shiftedLeft(1)
            if bit(i) { r = r + RefUInt(small: 1) }
            if !(r < d) {
                r = r - d
                q[i / 32] |= 1 << UInt32(i % 32)
            }
        }
        return (RefUInt(limbs: q), r)
    }

    var decimal: String {
        if isZero { return "0" }
        var parts: [UInt32] = []
        var cur = limbs
        while !cur.isEmpty {
            var rem: UInt64 = 0
            for i in stride(from: cur.count - 1, through: 0, by: -1) {
                let t = rem << 32 | UInt64(cur[i])
                cur[i] = UInt32(t / 1_000_000_000)
                rem = t % 1_000_000_000
            }
            while let l = cur.last, l == 0 { cur.removeLast() }
            parts.append(UInt32(rem))
        }
        var s = String(parts.last!)
        for p in parts.dropLast().reversed() {
            let d = String(p)
            s += String(repeating: "0", count: 9 - d.count) + d
        }
        return s
    }
}

typealias SeededRandom = CCKit.SplitMix64

extension SplitMix64 {
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// Values biased towards the edges where carries and borrows live:
    /// zero/max limbs, single bits, small numbers, and uniform words.
    mutating func uint256() -> UInt256 {
        func limb(_ r: inout SeededRandom) -> UInt64 {
            switch r.below(6) {
            case 0: return 0
            case 1: return .max
            case 2: return 1 << UInt64(r.below(64))
            case 3: return UInt64(r.below(1000))
            default: return r.next()
            }
        }
        var v = UInt256(w0: limb(&self), w1: limb(&self), w2: limb(&self), w3: limb(&self))
        switch below(5) {
        case 0: v = v >> below(256)  // random bit length
        case 1: v = UInt256(UInt64(below(20)))
        default: break
        }
        return v
    }
}
