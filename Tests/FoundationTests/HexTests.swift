import Testing

@testable import CCCore
@testable import CCEthereum

@Suite struct HexTests {
    @Test func encodesLowercaseWithAndWithoutPrefix() {
        #expect(Hex.encode([]) == "0x")
        #expect(Hex.encode([], prefix: false) == "")
        #expect(Hex.encode([0x00, 0x01, 0xAB, 0xFF]) == "0x0001abff")
        #expect(Hex.encode([0xDE, 0xAD, 0xBE, 0xEF], prefix: false) == "deadbeef")
        let all = (0...255).map { UInt8($0) }
        let text = Hex.encode(all, prefix: false)
        #expect(text.count == 512)
        #expect(Hex.decode(text) == all)
    }

    @Test func appendKeepsExistingBytes() {
        var out = Array("x=".utf8)
        Hex.append([0x12, 0x34], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x=0x1234")
        Hex.append([], to: &out, prefix: false)
        #expect(String(decoding: out, as: UTF8.self) == "x=0x1234")
        var empty: [UInt8] = []
        Hex.append([], to: &empty, prefix: false)
        #expect(empty.isEmpty)
        Hex.append([], to: &empty)
        #expect(empty == Array("0x".utf8))
    }

    @Test func decodesEitherCaseAndOptionalPrefix() {
        #expect(Hex.decode("0xDeadBEEF") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Hex.decode("0XdeadBEEF") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Hex.decode("deadbeef") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Hex.decode("0x") == [])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("0x00") == [0])
    }

    @Test func rejectsBadInput() {
        #expect(Hex.decode("0x1") == nil)
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("0xgg") == nil)
        #expect(Hex.decode("0x0g") == nil)
        #expect(Hex.decode("0x 1") == nil)
        #expect(Hex.decode("x0") == nil)
        #expect(Hex.decode("0x0x00") == nil)
        #expect(Hex.decode("/0") == nil)  // bytes just outside the digit ranges
        #expect(Hex.decode(":0") == nil)
        #expect(Hex.decode("@0") == nil)
        #expect(Hex.decode("G0") == nil)
        #expect(Hex.decode("`0") == nil)
        #expect(Hex.decode("g0") == nil)
        #expect(Hex.decode("é0") == nil)
    }

    @Test func everyByteValueIsClassifiedCorrectly() {
        let digits = Set("0123456789abcdefABCDEF".utf8)
        for c in 0...255 {
            let input: [UInt8] = [UInt8(c), 0x30]
            let decoded = input.withUnsafeBufferPointer { Hex.decode($0) }
            #expect((decoded != nil) == digits.contains(UInt8(c)), "byte \(c)")
        }
    }

    @Test func decodeIntoBufferReportsLength() {
        var out = [UInt8](repeating: 0, count: 4)
        let n = Array("0x0102".utf8).withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { Hex.decode(input, into: $0) }
        }
        #expect(n == 2)
        #expect(out == [1, 2, 0, 0])
        let tooLong = Array("0102030405".utf8).withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { Hex.decode(input, into: $0) }
        }
        #expect(tooLong == nil)
    }

    /// Random bytes drawn mostly from the hex/address alphabet: nothing may
    /// crash, and whatever decodes must re-encode to the same digits.
    @Test func garbageNeverCrashes() {
        var rng = SeededRandom(seed: 0xBAD)
        let alphabet = Array("0123456789abcdefABCDEFxX \u{0}g-".utf8)
        for _ in 0..<5000 {
            let n = rng.below(50)
            let bytes = (0..<n).map { _ in
                rng.below(8) == 0 ? UInt8(truncatingIfNeeded: rng.next()) : alphabet[rng.below(alphabet.count)]
            }
            bytes.withUnsafeBufferPointer { b in
                if let d = Hex.decode(b) {
                    #expect(Hex.isHex(b))
                    let digits = Hex.strippingPrefix(b)
                    #expect(Hex.encode(d, prefix: false) == String(decoding: digits, as: UTF8.self).lowercased())
                }
                if let a = ChecksumAddress.parse(b) { #expect(a.count == 20) }
            }
        }
    }
}
