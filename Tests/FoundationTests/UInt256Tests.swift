import Testing

@testable import CCCore
@testable import CCEthereum

@Suite struct UInt256Tests {
    static let maxDecimal = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    @Test func decimalEdges() {
        #expect(UInt256.zero.decimalString == "0")
        #expect(UInt256.one.decimalString == "1")
        #expect(UInt256.max.decimalString == Self.maxDecimal)
        #expect(UInt256(decimal: Self.maxDecimal) == .max)
        #expect(UInt256(UInt64.max).decimalString == "18446744073709551615")
        #expect(UInt256(w0: 0, w1: 1, w2: 0, w3: 0).decimalString == "18446744073709551616")
        #expect(UInt256(10_000_000_000_000_000_000).decimalString == "10000000000000000000")
        #expect(
            UInt256(decimal: "100000000000000000000000000000000000000")!.decimalString
                == "100000000000000000000000000000000000000")
    }

    @Test func decimalParsingRejects() {
        #expect(
            UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil)
        #expect(
            UInt256(decimal: "1157920892373161954235709850086879078532699846656405640394575840079131296399350") == nil)
        #expect(UInt256(decimal: "") == nil)
        #expect(UInt256(decimal: "+") == nil)
        #expect(UInt256(decimal: "+1") == nil)
        #expect(UInt256(decimal: "-0") == nil)
        #expect(UInt256(decimal: "-1") == nil)
        #expect(UInt256(decimal: "1 ") == nil)
        #expect(UInt256(decimal: " 1") == nil)
        #expect(UInt256(decimal: "1_000") == nil)
        #expect(UInt256(decimal: "0x10") == nil)
        #expect(UInt256(decimal: "1e3") == nil)
        #expect(UInt256(decimal: "1.0") == nil)
        #expect(UInt256(decimal: "/") == nil)
        #expect(UInt256(decimal: ":") == nil)
    }

    @Test func decimalLeadingZerosAccepted() {
        #expect(UInt256(decimal: "0") == .zero)
        #expect(UInt256(decimal: "000") == .zero)
        #expect(UInt256(decimal: "007") == UInt256(7))
        let padded = String(repeating: "0", count: 200) + Self.maxDecimal
        #expect(UInt256(decimal: padded) == .max)
    }

    @Test func hexParseAndPrint() {
        #expect(UInt256.zero.hexString == "0x0")
        #expect(UInt256(255).hexString == "0xff")
        #expect(UInt256.max.hexString == "0x" + String(repeating: "f", count: 64))
        #expect(UInt256(hex: "0x0") == .zero)
        #expect(UInt256(hex: "0xFF") == UInt256(255))
        #expect(UInt256(hex: "ff") == UInt256(255))
        #expect(UInt256(hex: "0X1_0") == nil)
        #expect(UInt256(hex: "0x") == nil)
        #expect(UInt256(hex: "") == nil)
        #expect(UInt256(hex: "0xg") == nil)
        #expect(UInt256(hex: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hex: "0x1" + String(repeating: "0", count: 64)) == nil)
        #expect(UInt256(hex: "0x0000" + String(repeating: "f", count: 64)) == .max)
        #expect(UInt256(hex: "0x10000000000000000")! == UInt256(w0: 0, w1: 1, w2: 0, w3: 0))
    }

    @Test func bigEndianBytes() {
        #expect(UInt256(bigEndian: [UInt8]()) == .zero)
        #expect(UInt256(bigEndian: [0x01, 0x00]) == UInt256(256))
        let bytes = (1...32).map { UInt8($0) }
        let v = UInt256(bigEndian: bytes)
        #expect(v.bigEndianBytes == bytes)
        #expect(v.hexString == "0x" + Hex.encode(bytes, prefix: false).drop { $0 == "0" })
        #expect(
            UInt256(bigEndian: Array(bytes[20...]))
                == UInt256(bigEndian: [UInt8](repeating: 0, count: 20) + bytes[20...]))
    }

    @Test func uintNWords() {
        var word = [UInt8](repeating: 0, count: 32)
        word[31] = 0xFF
        #expect(word.withUnsafeBufferPointer { UInt256(word: $0, bits: 8, strict: true) } == UInt256(255))
        word[30] = 0x01
        #expect(word.withUnsafeBufferPointer { UInt256(word: $0, bits: 8, strict: true) } == nil)
        #expect(word.withUnsafeBufferPointer { UInt256(word: $0, bits: 8, strict: false) } == UInt256(255))
        #expect(word.withUnsafeBufferPointer { UInt256(word: $0, bits: 16, strict: true) } == UInt256(0x1FF))
        #expect(word.withUnsafeBufferPointer { UInt256(word: $0, bits: 7, strict: false) } == nil)
        #expect(word.withUnsafeBufferPointer { UInt256(word: $0, bits: 264, strict: false) } == nil)
        #expect(Array(word[1...]).withUnsafeBufferPointer { UInt256(word: $0, bits: 8, strict: false) } == nil)
        let ones = [UInt8](repeating: 0xFF, count: 32)
        #expect(ones.withUnsafeBufferPointer { UInt256(word: $0, bits: 256, strict: true) } == .max)
        #expect(ones.withUnsafeBufferPointer { UInt256(word: $0, bits: 160, strict: true) } == nil)
        #expect(
            ones.withUnsafeBufferPointer { UInt256(word: $0, bits: 160, strict: false) }
                == UInt256.lowMask(bits: 160))
    }

    @Test func carriesAcrossEveryLimb() {
        for limb in 0..<4 {
            var a = UInt256.zero
            for i in 0...limb { a[limb: i] = .max }
            let (s, o) = a.addingReportingOverflow(.one)
            #expect(!o || limb == 3)
            #expect(s == (limb == 3 ? .zero : UInt256.one << (64 * (limb + 1))))
            let (d, b) = s.subtractingReportingOverflow(.one)
            #expect(d == a)
            #expect(b == (limb == 3))
        }
        #expect(UInt256.max.addingReportingOverflow(.one) == (.zero, true))
        #expect(UInt256.zero.subtractingReportingOverflow(.one) == (.max, true))
        #expect(UInt256.max.multipliedReportingOverflow(by: .max) == (.one, true))
        #expect(UInt256.max.multipliedReportingOverflow(by: .one) == (.max, false))
        let two128 = UInt256.one << 128
        #expect(two128.multipliedReportingOverflow(by: two128) == (.zero, true))
        #expect((two128 >> 1).multipliedReportingOverflow(by: two128) == (UInt256.one << 255, false))
        #expect(UInt256.max.adding(.one) == nil)
        #expect(UInt256(3).subtracting(UInt256(4)) == nil)
        #expect(UInt256(3).multiplied(by: UInt256(4)) == UInt256(12))
    }

    @Test func divisionNeverTraps() {
        #expect(UInt256(7).quotientAndRemainder(dividingBy: .zero) == (.zero, .zero))
        #expect(UInt256(7).dividedReportingOverflow(by: .zero) == (.zero, true))
        #expect(UInt256(7).remainderReportingOverflow(dividingBy: .zero) == (.zero, true))
        #expect(UInt256.max.quotientAndRemainder(dividingBy: .max) == (.one, .zero))
        #expect(UInt256.max.quotientAndRemainder(dividingBy: .one) == (.max, .zero))
        #expect(UInt256(5).quotientAndRemainder(dividingBy: .max) == (.zero, UInt256(5)))
        let (q, r) = UInt256.max.quotientAndRemainder(dividingBy: UInt256(10))
        #expect(q.decimalString == String(Self.maxDecimal.dropLast()))
        #expect(r == UInt256(5))
        #expect(UInt256(7).quotientAndRemainder(dividingBy: 0 as UInt64) == (.zero, 0))
    }

    @Test func shiftsAndBits() {
        #expect((UInt256.one << 255) >> 255 == .one)
        #expect(UInt256.one << 256 == .zero)
        #expect(UInt256.max >> 256 == .zero)
        #expect(UInt256.max >> 1000 == .zero)
        #expect(UInt256.one << -1 == .zero)
        #expect(UInt256(2) >> -1 == UInt256(4))
        #expect(UInt256.max << Int.min == .zero)
        #expect(UInt256.max >> Int.min == .zero)
        #expect(UInt256.zero.leadingZeroBitCount == 256)
        #expect(UInt256.zero.trailingZeroBitCount == 256)
        #expect(UInt256.max.leadingZeroBitCount == 0)
        #expect(UInt256.max.nonzeroBitCount == 256)
        #expect((UInt256.one << 200).leadingZeroBitCount == 55)
        #expect((UInt256.one << 200).trailingZeroBitCount == 200)
        #expect(~UInt256.zero == .max)
        #expect((UInt256(0b1100) & UInt256(0b1010)) == UInt256(0b1000))
        #expect((UInt256(0b1100) | UInt256(0b1010)) == UInt256(0b1110))
        #expect((UInt256(0b1100) ^ UInt256(0b1010)) == UInt256(0b0110))
    }

    @Test func powers() {
        #expect(UInt256(2).power(UInt256(255)) == (UInt256.one << 255, false))
        #expect(UInt256(2).power(UInt256(256)) == (.zero, true))
        #expect(UInt256(10).power(UInt256(77)).overflow == false)
        #expect(UInt256(10).power(UInt256(78)).overflow == true)
        #expect(UInt256(0).power(UInt256(0)) == (.one, false))
        #expect(UInt256(1).power(.max) == (.one, false))
        #expect(UInt256(0).power(.max) == (.zero, false))
        #expect(UInt256(3).power(UInt256(4)) == (UInt256(81), false))
    }

    @Test func comparisonAndHashing() {
        #expect(UInt256.zero < .one)
        #expect(UInt256(w0: .max, w1: 0, w2: 0, w3: 0) < UInt256(w0: 0, w1: 1, w2: 0, w3: 0))
        #expect(UInt256(w0: 0, w1: 0, w2: 0, w3: 1) > UInt256(w0: .max, w1: .max, w2: .max, w3: 0))
        #expect(Set([UInt256(1), UInt256(1), UInt256(2)]).count == 2)
        #expect(UInt256(42).uint64 == 42)
        #expect(UInt256.max.uint64 == nil)
    }

    /// Thousands of seeded random cases against the schoolbook reference.
    @Test func matchesReferenceArithmetic() {
        var rng = SeededRandom(seed: 0xC0FFEE)
        for _ in 0..<3000 {
            let a = rng.uint256()
            let b = rng.uint256()
            let ra = RefUInt(a)
            let rb = RefUInt(b)
            #expect((a < b) == (ra < rb))
            #expect((a == b) == (ra == rb))

            let sum = ra + rb
            #expect(a.addingReportingOverflow(b) == (sum.uint256.value, !sum.uint256.fits), "\(a) + \(b)")

            let diff = ra < rb ? (RefUInt.twoTo256 + ra) - rb : ra - rb
            #expect(a.subtractingReportingOverflow(b) == (diff.uint256.value, ra < rb), "\(a) - \(b)")

            let prod = ra * rb
            #expect(a.multipliedReportingOverflow(by: b) == (prod.uint256.value, !prod.uint256.fits), "\(a) * \(b)")
            let full = a.multipliedFullWidth(by: b)
            #expect(full.high == prod.shiftedRight(256).uint256.value)

            if !b.isZero {
                let (q, r) = ra.divMod(rb)
                let got = a.quotientAndRemainder(dividingBy: b)
                #expect(got.quotient == q.uint256.value, "\(a) / \(b)")
                #expect(got.remainder == r.uint256.value, "\(a) % \(b)")
            }

            #expect(a.decimalString == ra.decimal)
            #expect(UInt256(decimal: a.decimalString) == a)
            #expect(UInt256(hex: a.hexString) == a)
            #expect(UInt256(bigEndian: a.bigEndianBytes) == a)

            let n = rng.below(300)
            #expect(a << n == ra.shiftedLeft(n).uint256.value, "\(a) << \(n)")
            #expect(a >> n == ra.shiftedRight(n).uint256.value, "\(a) >> \(n)")
        }
    }

    /// Division is the subtle one (Knuth D's correction steps): hammer it
    /// with divisors whose top limb is near the dividend's.
    @Test func divisionStress() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<3000 {
            var a = rng.uint256()
            var b = rng.uint256()
            if rng.below(2) == 0 { b = a >> rng.below(130) &- UInt256(UInt64(rng.below(3))) }
            if rng.below(3) == 0 { a = a | UInt256(w0: 0, w1: 0, w2: 0, w3: 1 << 63) }
            guard !b.isZero else { continue }
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            #expect(r < b)
            let (qb, o1) = q.multipliedReportingOverflow(by: b)
            let (back, o2) = qb.addingReportingOverflow(r)
            #expect(!o1 && !o2 && back == a, "\(a) / \(b)")
        }
    }

    /// Garbage for every parser: nothing crashes, and anything accepted
    /// prints back to its canonical form.
    @Test func garbageNeverCrashes() {
        var rng = SeededRandom(seed: 0xFEED)
        let alphabet = Array("0123456789abcdefABCDEFxX+- \u{0}".utf8)
        for _ in 0..<5000 {
            let n = rng.below(90)
            let bytes = (0..<n).map { _ in
                rng.below(10) == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[rng.below(alphabet.count)]
            }
            bytes.withUnsafeBufferPointer { b in
                if let v = UInt256(decimal: b) { #expect(UInt256(decimal: v.decimalString) == v) }
                if let v = UInt256(hex: b) { #expect(UInt256(hex: v.hexString) == v) }
                if let v = Int256(decimal: b) { #expect(Int256(decimal: v.decimalString) == v) }
                for bits in [0, 8, 13, 160, 256, 300] {
                    _ = UInt256(word: b, bits: bits, strict: true)
                    _ = Int256(word: b, bits: bits, strict: rng.below(2) == 0)
                }
                _ = UInt256(bigEndian: b)
            }
        }
    }

    /// Every power of ten and its predecessor: chunk boundaries of the
    /// base-10^19 printer and of the 19-digit parser.
    @Test func powersOfTenRoundTrip() {
        var p = UInt256.one
        for k in 0...77 {
            let text = "1" + String(repeating: "0", count: k)
            #expect(p.decimalString == text)
            #expect(UInt256(decimal: text) == p)
            let below = p &- .one
            let nines = k == 0 ? "0" : String(repeating: "9", count: k)
            #expect(below.decimalString == nines)
            #expect(UInt256(decimal: nines) == below)
            p = p &* UInt256(10)
        }
        var out: [UInt8] = []
        UInt256.appendDecimal(42, padTo: 5, to: &out)
        UInt256.appendDecimal(UInt64.max, padTo: 25, to: &out)
        UInt256.appendDecimal(0, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "00042" + "18446744073709551615" + "0")
    }
}
