import Testing

@testable import CCFilter

@Suite struct Int512Tests {
    func n(_ s: String) -> Int512 { Int512(decimal: s)! }

    @Test func decimalRoundTrip() {
        for s in [
            "0", "1", "-1", "18446744073709551615", "18446744073709551616", "-340282366920938463463374607431768211456",
            "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        ] {
            #expect(n(s).decimalString == s)
        }
        #expect(n("-0").decimalString == "0")
        #expect(n("+7").decimalString == "7")
        #expect(n("007").decimalString == "7")
        #expect(Int512(decimal: "") == nil)
        #expect(Int512(decimal: "-") == nil)
        #expect(Int512(decimal: "12a") == nil)
        #expect(Int512(decimal: "1 ") == nil)
    }

    @Test func maxMagnitude() throws {
        let max = try Int512(2).power(Int512(511)).subtracting(.one).adding(try Int512(2).power(Int512(511)))
        #expect(max.bitWidth == 512)
        #expect(max.decimalString.count == 155)
        #expect(Int512(decimal: max.decimalString) == max)
        #expect(throws: ArithmeticFault.overflow) { try max.adding(.one) }
        #expect(throws: ArithmeticFault.overflow) { try max.negated.subtracting(.one) }
        #expect(try max.negated.adding(max) == .zero)
        // One digit more than the largest value does not parse.
        #expect(Int512(decimal: max.decimalString + "0") == nil)
        #expect(
            max.decimalString
                == "13407807929942597099574024998205846127479365820592393377723561443721764030073546976801874298166903427690031858186486050853753882811946569946433649006084095"
        )
        #expect(
            Int512(
                decimal:
                    "13407807929942597099574024998205846127479365820592393377723561443721764030073546976801874298166903427690031858186486050853753882811946569946433649006084096"
            ) == nil)
    }

    @Test func uint256TimesUint256Fits() throws {
        let u256max = n("115792089237316195423570985008687907853269984665640564039457584007913129639935")
        let sq = try u256max.multiplied(by: u256max)
        #expect(
            sq.decimalString
                == "13407807929942597099574024998205846127479365820592393377723561443721764030073315392623399665776056285720014482370779510884422601683867654778417822746804225"
        )
        #expect(try sq.divided(by: u256max) == u256max)
        #expect(throws: ArithmeticFault.overflow) { try sq.multiplied(by: Int512(4)) }
        let i256min = n("-57896044618658097711785492504343953926634992332820282019728792003956564819968")
        #expect(
            try i256min.multiplied(by: Int512(-1)).decimalString
                == "57896044618658097711785492504343953926634992332820282019728792003956564819968")
    }

    @Test func divisionTruncatesTowardZero() throws {
        #expect(try Int512(7).divided(by: Int512(2)) == Int512(3))
        #expect(try Int512(-7).divided(by: Int512(2)) == Int512(-3))
        #expect(try Int512(7).divided(by: Int512(-2)) == Int512(-3))
        #expect(try Int512(-7).remainder(dividingBy: Int512(2)) == Int512(-1))
        #expect(try Int512(7).remainder(dividingBy: Int512(-2)) == Int512(1))
        #expect(throws: ArithmeticFault.divisionByZero) { try Int512(1).divided(by: .zero) }
        #expect(throws: ArithmeticFault.divisionByZero) { try Int512(1).remainder(dividingBy: .zero) }
        // Wide divisor: the long-division path.
        let a = n("340282366920938463463374607431768211457")  // 2^128 + 1
        let b = n("18446744073709551617")  // 2^64 + 1
        #expect(try a.divided(by: b).decimalString == "18446744073709551615")
        #expect(try a.remainder(dividingBy: b).decimalString == "2")
    }

    @Test func power() throws {
        #expect(try Int512(10).power(Int512(18)).decimalString == "1000000000000000000")
        #expect(
            try Int512(2).power(Int512(256)).decimalString
                == "115792089237316195423570985008687907853269984665640564039457584007913129639936")
        #expect(try Int512(-2).power(Int512(3)) == Int512(-8))
        #expect(try Int512(-1).power(n("1000000000000000000001")) == Int512(-1))
        #expect(try Int512(0).power(Int512(0)) == Int512(1))
        #expect(throws: ArithmeticFault.overflow) { try Int512(2).power(Int512(512)) }
        #expect(try Int512(2).power(Int512(511)).bitWidth == 512)
        #expect(throws: ArithmeticFault.negativeExponent) { try Int512(2).power(Int512(-1)) }
    }

    @Test func hex() {
        #expect(Int512(hex: "0xff") == Int512(255))
        #expect(Int512(hex: "0XFF") == Int512(255))
        #expect(Int512(hex: "ff") == Int512(255))
        #expect(Int512(hex: "0x") == nil)
        #expect(Int512(hex: "0xg") == nil)
        #expect(Int512(hex: "0x" + String(repeating: "f", count: 128))?.bitWidth == 512)
        #expect(Int512(hex: "0x1" + String(repeating: "0", count: 128)) == nil)
        #expect(Int512(255).hexString == "0xff")
        #expect(Int512(0).hexString == "0x0")
        #expect(Int512(-16).hexString == "-0x10")
        #expect(Int512(numeric: "0x10") == Int512(16))
        #expect(Int512(numeric: "-12") == Int512(-12))
    }

    @Test func ordering() {
        #expect(Int512(-5) < Int512(-4))
        #expect(Int512(-5) < Int512(0))
        #expect(!(Int512(3) < Int512(3)))
        #expect(n("18446744073709551616") > n("18446744073709551615"))
        #expect(n("-18446744073709551616") < n("-18446744073709551615"))
    }
}
