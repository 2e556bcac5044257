import Testing

@testable import CCEthereum

/// Shift amounts outside 0..<256 (negative ones reverse the shift), masks
/// and sign extension at their edges, bit tests out of range, and the
/// decimal text that string interpolation gives.
struct WordEdgeTests {
    @Test(arguments: [
        (Int64(-8), -2, "<<", "-2"), (-8, -2, ">>", "-32"), (5, Int.min, "<<", "0"), (-5, Int.min, "<<", "-1"),
        (-5, Int.min, ">>", "0"), (1, -255, ">>", Int256Tests.minDecimal), (-1, 300, ">>", "-1"), (7, 300, ">>", "0"),
        (-8, 2, ">>", "-2"),
        (3, 254, "<<", "-28948022309329048855892746252171976963317496166410141009864396001978282409984"),
    ])
    func signedShifts(value: Int64, by n: Int, op: String, expected: String) {
        let v = Int256(value)
        #expect((op == "<<" ? v << n : v >> n).decimalString == expected)
    }

    @Test func signExtensionAndMasks() {
        #expect(Int256.signExtend(UInt256(0xFF), bits: 8) == Int256(-1))
        #expect(Int256.signExtend(UInt256(0x17F), bits: 8) == Int256(127))
        #expect(Int256.signExtend(UInt256(0x180), bits: 8) == Int256(-128))
        #expect(Int256.signExtend(UInt256(0xFF), bits: 0) == Int256(0))
        #expect(Int256.signExtend(UInt256.max, bits: -1) == Int256(0))
        #expect(Int256.signExtend(UInt256.max, bits: 256) == Int256(-1))
        #expect(UInt256.lowMask(bits: 0) == .zero)
        #expect(UInt256.lowMask(bits: -3) == .zero)
        #expect(UInt256.lowMask(bits: 8) == UInt256(255))
        #expect(UInt256.lowMask(bits: 300) == .max)
    }

    @Test(arguments: [0, 1, 63, 64, 70, 127, 128, 130, 191, 192, 200, 255])
    func trailingZerosAndBits(k: Int) {
        let v = UInt256.one << k
        #expect(v.trailingZeroBitCount == k)
        #expect(v.bit(k))
        #expect(!v.bit(k == 0 ? 1 : k - 1))
        #expect(!UInt256.max.bit(-1))
        #expect(!UInt256.max.bit(256))
    }

    @Test func zeroHas256TrailingZerosAndInterpolatesAsDecimal() {
        #expect(UInt256.zero.trailingZeroBitCount == 256)
        #expect("\(UInt256.max)" == "115792089237316195423570985008687907853269984665640564039457584007913129639935")
        #expect("\(Int256(-7))" == "-7")
        #expect("\(Int256.min)" == Int256Tests.minDecimal)
    }
}
