import Testing

@testable import CCCore

@Suite struct HexBytesTests {
    /// The eight-at-a-time path agrees with a per-byte reference on every byte value in every position.
    @Test func swarMatchesPerByteReference() {
        func reference(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        for pos in 0..<8 {
            for c in 0...255 {
                var bytes = Array("0aF93bc7".utf8)
                bytes[pos] = UInt8(c)
                var x: UInt64 = 0
                for (i, b) in bytes.enumerated() { x |= UInt64(b) << (8 * UInt64(i)) }
                let got = HexBytes.nibbles8(x)
                let refs = bytes.map(reference)
                if refs.contains(where: { $0 == nil }) {
                    #expect(got == nil, "byte \(c) at \(pos)")
                } else {
                    var want: UInt64 = 0
                    for (i, r) in refs.enumerated() { want |= UInt64(r!) << (8 * UInt64(i)) }
                    #expect(got == want, "byte \(c) at \(pos)")
                }
            }
        }
    }

    /// `isHash` (a validating check only) accepts exactly what the per-byte
    /// reference calls hex, for every byte value in every position.
    @Test func isHashMatchesPerByteReference() {
        let valid = Array("0123456789abcdefABCDEF".utf8)
        for pos in 0..<64 {
            for c in 0...255 {
                var text = Array("0x" + String(repeating: "0aF93bc7", count: 8))
                    .map { UInt8($0.asciiValue!) }
                text[2 + pos] = UInt8(c)
                let got = text.withUnsafeBufferPointer { HexBytes.isHash($0) }
                #expect(got == valid.contains(UInt8(c)), "byte \(c) at \(pos)")
            }
        }
        #expect(
            Array("0X" + String(repeating: "ab", count: 32)).map { UInt8($0.asciiValue!) }
                .withUnsafeBufferPointer { HexBytes.isHash($0) })
        #expect(
            !Array("0x" + String(repeating: "ab", count: 31)).map { UInt8($0.asciiValue!) }
                .withUnsafeBufferPointer { HexBytes.isHash($0) })
    }

    @Test func decodeAllLengths() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Array(ABITestEncoder.hex(bytes).uppercased().replacingOccurrences(of: "0X", with: "0x").utf8)
            var out = [UInt8](repeating: 0, count: n + 1)
            let ok = text.withUnsafeBufferPointer { t in
                out.withUnsafeMutableBufferPointer { HexBytes.decode(t, into: $0.baseAddress!, count: n) }
            }
            #expect(ok)
            #expect(Array(out[0..<n]) == bytes)
            if n > 0 {
                var bad = text
                bad[bad.count - 1] = UInt8(ascii: "g")
                let rejected = bad.withUnsafeBufferPointer { t in
                    out.withUnsafeMutableBufferPointer { HexBytes.decode(t, into: $0.baseAddress!, count: n) }
                }
                #expect(!rejected)
            }
        }
    }
}
