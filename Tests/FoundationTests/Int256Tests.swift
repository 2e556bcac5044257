import Testing

@testable import CCCore
@testable import CCEthereum

/// Signed reference: sign and magnitude over RefUInt.
private struct RefInt {
    var negative: Bool
    var mag: RefUInt
    init(_ v: Int256) {
        negative = v.isNegative
        mag = RefUInt(v.magnitude)
    }
    init(negative: Bool, mag: RefUInt) {
        self.negative = negative && !mag.isZero
        self.mag = mag
    }
    static let two255 = RefUInt(UInt256.one << 255)
    /// The value if it fits in int256.
    var int256: Int256? {
        let (m, fits) = mag.uint256
        guard fits else { return nil }
        return Int256(negative: negative, magnitude: m)
    }
    static func + (a: RefInt, b: RefInt) -> RefInt {
        if a.negative == b.negative { return RefInt(negative: a.negative, mag: a.mag + b.mag) }
        if a.mag < b.mag { return RefInt(negative: b.negative, mag: b.mag - a.mag) }
        return RefInt(negative: a.negative, mag: a.mag - b.mag)
    }
    static prefix func - (a: RefInt) -> RefInt { RefInt(negative: !a.negative, mag: a.mag) }
    static func * (a: RefInt, b: RefInt) -> RefInt { RefInt(negative: a.negative != b.negative, mag: a.mag * b.mag) }
}

@Suite struct Int256Tests {
    static let minDecimal = "-57896044618658097711785492504343953926634992332820282019728792003956564819968"
    static let maxDecimal = "57896044618658097711785492504343953926634992332820282019728792003956564819967"

    @Test func decimalEdges() {
        #expect(Int256.min.decimalString == Self.minDecimal)
        #expect(Int256.max.decimalString == Self.maxDecimal)
        #expect(Int256(decimal: Self.minDecimal) == .min)
        #expect(Int256(decimal: Self.maxDecimal) == .max)
        #expect(Int256.minusOne.decimalString == "-1")
        #expect(Int256.zero.decimalString == "0")
        #expect(Int256(-5).decimalString == "-5")
        #expect(Int256(Int64.min).decimalString == "-9223372036854775808")
        #expect(Int256(decimal: "-0") == .zero)
        #expect(Int256(decimal: "-0")!.decimalString == "0")
        #expect(Int256(decimal: "-007") == Int256(-7))
    }

    @Test func decimalRejects() {
        #expect(Int256(decimal: "57896044618658097711785492504343953926634992332820282019728792003956564819968") == nil)
        #expect(
            Int256(decimal: "-57896044618658097711785492504343953926634992332820282019728792003956564819969") == nil)
        #expect(Int256(decimal: "") == nil)
        #expect(Int256(decimal: "-") == nil)
        #expect(Int256(decimal: "+") == nil)
        #expect(Int256(decimal: "+5") == nil)
        #expect(Int256(decimal: "--5") == nil)
        #expect(Int256(decimal: "5-") == nil)
        #expect(Int256(decimal: " -5") == nil)
    }

    @Test func intNWords() {
        func word(_ hex: String) -> [UInt8] { Hex.decode(hex)! }
        let minus1 = [UInt8](repeating: 0xFF, count: 32)
        for bits in stride(from: 8, through: 256, by: 8) {
            #expect(minus1.withUnsafeBufferPointer { Int256(word: $0, bits: bits, strict: true) } == .minusOne)
        }
        // int8 -128 properly sign-extended
        var w = [UInt8](repeating: 0xFF, count: 32)
        w[31] = 0x80
        #expect(w.withUnsafeBufferPointer { Int256(word: $0, bits: 8, strict: true) } == Int256(-128))
        // int8 0x80 without sign extension: malformed when strict, -128 when lenient
        var z = [UInt8](repeating: 0, count: 32)
        z[31] = 0x80
        #expect(z.withUnsafeBufferPointer { Int256(word: $0, bits: 8, strict: true) } == nil)
        #expect(z.withUnsafeBufferPointer { Int256(word: $0, bits: 8, strict: false) } == Int256(-128))
        #expect(z.withUnsafeBufferPointer { Int256(word: $0, bits: 16, strict: true) } == Int256(128))
        // int256 is always valid
        #expect(z.withUnsafeBufferPointer { Int256(word: $0, bits: 256, strict: true) } == Int256(128))
        let minWord = word("0x80" + String(repeating: "00", count: 31))
        #expect(minWord.withUnsafeBufferPointer { Int256(word: $0, bits: 256, strict: true) } == .min)
        #expect(minWord.withUnsafeBufferPointer { Int256(word: $0, bits: 248, strict: true) } == nil)
        #expect(minWord.withUnsafeBufferPointer { Int256(word: $0, bits: 248, strict: false) } == .zero)
        // bad arguments
        #expect(z.withUnsafeBufferPointer { Int256(word: $0, bits: 0, strict: false) } == nil)
        #expect(z.withUnsafeBufferPointer { Int256(word: $0, bits: 12, strict: false) } == nil)
        #expect(Array(z[..<31]).withUnsafeBufferPointer { Int256(word: $0, bits: 8, strict: false) } == nil)
    }

    @Test func overflowEdges() {
        #expect(Int256.max.addingReportingOverflow(.one) == (.min, true))
        #expect(Int256.min.subtractingReportingOverflow(.one) == (.max, true))
        #expect(Int256.min.addingReportingOverflow(.minusOne) == (.max, true))
        #expect(Int256.minusOne.addingReportingOverflow(.one) == (.zero, false))
        #expect(Int256.min.negatedReportingOverflow() == (.min, true))
        #expect(Int256.max.negatedReportingOverflow() == (Int256.min &+ .one, false))
        #expect(Int256.min.multipliedReportingOverflow(by: .minusOne) == (.min, true))
        #expect(Int256.min.multipliedReportingOverflow(by: .one) == (.min, false))
        #expect(Int256.minusOne.multipliedReportingOverflow(by: .minusOne) == (.one, false))
        #expect(Int256.min.dividedReportingOverflow(by: .minusOne) == (.min, true))
        #expect(Int256.min.remainderReportingOverflow(dividingBy: .minusOne) == (.zero, true))
        #expect(Int256(5).dividedReportingOverflow(by: .zero) == (.zero, true))
        #expect(Int256(5).remainderReportingOverflow(dividingBy: .zero) == (.zero, true))
        #expect(Int256(5).quotientAndRemainder(dividingBy: .zero) == (.zero, .zero))
        #expect(Int256.min.quotientAndRemainder(dividingBy: .minusOne) == (.min, .zero))
        #expect(Int256(-7).quotientAndRemainder(dividingBy: Int256(2)) == (Int256(-3), Int256(-1)))
        #expect(Int256(7).quotientAndRemainder(dividingBy: Int256(-2)) == (Int256(-3), Int256(1)))
        #expect(Int256(-7).quotientAndRemainder(dividingBy: Int256(-2)) == (Int256(3), Int256(-1)))
        #expect(Int256.min.magnitude == UInt256.one << 255)
    }

    @Test func shiftsAndComparison() {
        #expect(Int256(-8) >> 1 == Int256(-4))
        #expect(Int256(-1) >> 255 == .minusOne)
        #expect(Int256(-1) >> 1000 == .minusOne)
        #expect(Int256(-7) >> 1 == Int256(-4))  // floor
        #expect(Int256(7) >> 1000 == .zero)
        #expect(Int256.one << 255 == .min)
        #expect(Int256.min < .minusOne)
        #expect(Int256.minusOne < .zero)
        #expect(Int256.zero < .max)
        #expect(Int256(-3).signum == -1 && Int256.zero.signum == 0 && Int256(2).signum == 1)
        #expect(Int256(-3).int64 == -3)
        #expect(Int256.min.int64 == nil)
    }

    @Test func matchesReferenceArithmetic() {
        var rng = SeededRandom(seed: 0x5EED)
        for _ in 0..<3000 {
            var a = Int256(bitPattern: rng.uint256())
            var b = Int256(bitPattern: rng.uint256())
            if rng.below(3) == 0 { a = a >> rng.below(256) }  // small negative numbers too
            if rng.below(3) == 0 { b = b >> rng.below(256) }
            let ra = RefInt(a)
            let rb = RefInt(b)

            #expect(
                (a < b)
                    == (ra.negative != rb.negative ? ra.negative : (ra.negative ? rb.mag < ra.mag : ra.mag < rb.mag)))

            let sum = (ra + rb).int256
            let (s, so) = a.addingReportingOverflow(b)
            #expect(so == (sum == nil), "\(a) + \(b)")
            if let sum { #expect(s == sum) }
            #expect(s == a &+ b)

            let diff = (ra + -rb).int256
            let (d, dOver) = a.subtractingReportingOverflow(b)
            #expect(dOver == (diff == nil), "\(a) - \(b)")
            if let diff { #expect(d == diff) }

            let prod = (ra * rb).int256
            let (p, po) = a.multipliedReportingOverflow(by: b)
            #expect(po == (prod == nil), "\(a) * \(b)")
            if let prod { #expect(p == prod) }
            #expect(p == Int256(bitPattern: a.bitPattern &* b.bitPattern))

            if !b.isZero {
                let (q, r) = ra.mag.divMod(rb.mag)
                let expectedQ = RefInt(negative: ra.negative != rb.negative, mag: q).int256
                let expectedR = RefInt(negative: ra.negative, mag: r).int256
                let got = a.dividedReportingOverflow(by: b)
                if let expectedQ {
                    #expect(got == (expectedQ, false), "\(a) / \(b)")
                } else {
                    #expect(got.overflow && a == .min && b == .minusOne)
                }
                if expectedQ != nil {
                    #expect(a.remainderReportingOverflow(dividingBy: b) == (expectedR!, false), "\(a) % \(b)")
                }
            }

            let text = (ra.negative ? "-" : "") + ra.mag.decimal
            #expect(a.decimalString == text)
            #expect(Int256(decimal: text) == a)

            let n = rng.below(300)
            // Arithmetic shift right is floor division by 2^n.
            let floorShift: Int256 = {
                if !ra.negative { return RefInt(negative: false, mag: ra.mag.shiftedRight(n)).int256! }
                let m = ra.mag + RefUInt(small: 1).shiftedLeft(n) - RefUInt(small: 1)
                return RefInt(negative: true, mag: m.shiftedRight(n)).int256 ?? .min
            }()
            #expect(a >> n == floorShift, "\(a) >> \(n)")
        }
    }
}
