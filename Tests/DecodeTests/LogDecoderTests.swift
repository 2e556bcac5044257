import CCKit
import Testing

/// Decodes `data` (all parameters not indexed) and returns the `args` JSON, or nil.
func decodeArgs(_ declaration: String, data: [UInt8], topics extra: [[UInt8]] = [], strict: Bool = false) throws
    -> String?
{
    let event = try #require(try HumanReadableABI.parseDeclaration(declaration))
    let plan = EventPlan(event, topic0: Keccak256.hash(event.signature))
    let topics = (event.anonymous ? [] : plan.topic0) + extra.flatMap { $0 }
    var w = JSONWriter()
    let decoder = strict ? strictDecoder : lenientDecoder
    let ok = topics.withUnsafeBufferPointer { t in
        data.withUnsafeBufferPointer { d in decoder.decode(plan, topics: t, topicCount: t.count / 32, data: d, into: &w)
        }
    }
    guard ok else {
        #expect(w.bytes.isEmpty, "a failed decode must leave the writer as it was")
        return nil
    }
    let s = String(decoding: w.bytes, as: UTF8.self)
    let prefix = #""event":"\#(event.name)","signature":"\#(event.signature)","args":"#
    #expect(s.hasPrefix(prefix))
    return String(s.dropFirst(prefix.count))
}

@Suite struct SolidityABISpecExamples {
    // The examples of https://docs.soliditylang.org/en/latest/abi-spec.html#examples, the
    // function arguments' encoding (selector removed) used as an event's data.
    @Test func baz() throws {
        let data = ABITestEncoder.bytes(
            hex: """
                0000000000000000000000000000000000000000000000000000000000000045
                0000000000000000000000000000000000000000000000000000000000000001
                """)
        #expect(try decodeArgs("event baz(uint32 x, bool y)", data: data) == #"{"x":"69","y":true}"#)
    }

    @Test func bar() throws {
        let data = ABITestEncoder.bytes(
            hex: """
                6162630000000000000000000000000000000000000000000000000000000000
                6465660000000000000000000000000000000000000000000000000000000000
                """)
        #expect(try decodeArgs("event bar(bytes3[2] xy)", data: data) == #"{"xy":["0x616263","0x646566"]}"#)
    }

    @Test func sam() throws {
        let data = ABITestEncoder.bytes(
            hex: """
                0000000000000000000000000000000000000000000000000000000000000060
                0000000000000000000000000000000000000000000000000000000000000001
                00000000000000000000000000000000000000000000000000000000000000a0
                0000000000000000000000000000000000000000000000000000000000000004
                6461766500000000000000000000000000000000000000000000000000000000
                0000000000000000000000000000000000000000000000000000000000000003
                0000000000000000000000000000000000000000000000000000000000000001
                0000000000000000000000000000000000000000000000000000000000000002
                0000000000000000000000000000000000000000000000000000000000000003
                """)
        #expect(
            try decodeArgs("event sam(bytes, bool, uint256[])", data: data)
                == #"{"arg0":"0x64617665","arg1":true,"arg2":["1","2","3"]}"#)
    }

    @Test func dynamicTypes() throws {
        let data = ABITestEncoder.bytes(
            hex: """
                0000000000000000000000000000000000000000000000000000000000000123
                0000000000000000000000000000000000000000000000000000000000000080
                3132333435363738393000000000000000000000000000000000000000000000
                00000000000000000000000000000000000000000000000000000000000000e0
                0000000000000000000000000000000000000000000000000000000000000002
                0000000000000000000000000000000000000000000000000000000000000456
                0000000000000000000000000000000000000000000000000000000000000789
                000000000000000000000000000000000000000000000000000000000000000d
                48656c6c6f2c20776f726c642100000000000000000000000000000000000000
                """)
        #expect(
            try decodeArgs("event f(uint256 a, uint32[] b, bytes10 c, bytes d)", data: data)
                == #"{"a":"291","b":["1110","1929"],"c":"0x31323334353637383930","d":"0x48656c6c6f2c20776f726c6421"}"#)
        #expect(
            try decodeArgs("event f(uint256 a, uint32[] b, bytes10 c, string d)", data: data)
                == #"{"a":"291","b":["1110","1929"],"c":"0x31323334353637383930","d":"Hello, world!"}"#)
    }

    @Test func nestedDynamicArrays() throws {
        let data = ABITestEncoder.bytes(
            hex: """
                0000000000000000000000000000000000000000000000000000000000000040
                0000000000000000000000000000000000000000000000000000000000000140
                0000000000000000000000000000000000000000000000000000000000000002
                0000000000000000000000000000000000000000000000000000000000000040
                00000000000000000000000000000000000000000000000000000000000000a0
                0000000000000000000000000000000000000000000000000000000000000002
                0000000000000000000000000000000000000000000000000000000000000001
                0000000000000000000000000000000000000000000000000000000000000002
                0000000000000000000000000000000000000000000000000000000000000001
                0000000000000000000000000000000000000000000000000000000000000003
                0000000000000000000000000000000000000000000000000000000000000003
                0000000000000000000000000000000000000000000000000000000000000060
                00000000000000000000000000000000000000000000000000000000000000a0
                00000000000000000000000000000000000000000000000000000000000000e0
                0000000000000000000000000000000000000000000000000000000000000003
                6f6e650000000000000000000000000000000000000000000000000000000000
                0000000000000000000000000000000000000000000000000000000000000003
                74776f0000000000000000000000000000000000000000000000000000000000
                0000000000000000000000000000000000000000000000000000000000000005
                7468726565000000000000000000000000000000000000000000000000000000
                """)
        #expect(
            try decodeArgs("event g(uint256[][] a, string[] b)", data: data)
                == #"{"a":[["1","2"],["3"]],"b":["one","two","three"]}"#)
        // The test encoder agrees with the specification's bytes.
        let enc = ABITestEncoder.encode(
            [.array(.array(.uint(bits: 256))), .array(.string)],
            [
                .list([
                    .list([.word(ABITestEncoder.word(1)), .word(ABITestEncoder.word(2))]),
                    .list([.word(ABITestEncoder.word(3))]),
                ]),
                .list([.bytes(Array("one".utf8)), .bytes(Array("two".utf8)), .bytes(Array("three".utf8))]),
            ])
        #expect(enc == data)
    }
}

@Suite struct LogDecoderRules {
    let max = [UInt8](repeating: 0xFF, count: 32)

    @Test func integersAtTheirLimits() throws {
        #expect(
            try decodeArgs("event E(uint256 a)", data: max)
                == #"{"a":"115792089237316195423570985008687907853269984665640564039457584007913129639935"}"#)
        #expect(try decodeArgs("event E(int256 a)", data: max) == #"{"a":"-1"}"#)
        var minInt = [UInt8](repeating: 0, count: 32)
        minInt[0] = 0x80
        #expect(
            try decodeArgs("event E(int256 a)", data: minInt)
                == #"{"a":"-57896044618658097711785492504343953926634992332820282019728792003956564819968"}"#)
        let minus128 = [UInt8](repeating: 0xFF, count: 31) + [0x80]
        #expect(try decodeArgs("event E(int8 a)", data: minus128) == #"{"a":"-128"}"#)
        #expect(
            try decodeArgs(
                "event E(uint128 a)", data: [UInt8](repeating: 0, count: 16) + [UInt8](repeating: 0xFF, count: 16))
                == #"{"a":"340282366920938463463374607431768211455"}"#)
    }

    @Test func nonCanonicalPaddingIsAcceptedUnlessStrict() throws {
        // uint8 with dirty high bytes: masked, as ethers and solc's v1 decoder do.
        let dirty = [UInt8](repeating: 0xAB, count: 31) + [0x05]
        #expect(try decodeArgs("event E(uint8 a)", data: dirty) == #"{"a":"5"}"#)
        #expect(try decodeArgs("event E(uint8 a)", data: dirty, strict: true) == nil)
        #expect(
            try decodeArgs("event E(address a)", data: max) == #"{"a":"0xFFfFfFffFFfffFFfFFfFFFFFffFFFffffFfFFFfF"}"#)
        #expect(try decodeArgs("event E(address a)", data: max, strict: true) == nil)
        #expect(try decodeArgs("event E(bool a)", data: ABITestEncoder.word(2)) == #"{"a":true}"#)
        #expect(try decodeArgs("event E(bool a)", data: ABITestEncoder.word(2), strict: true) == nil)
        #expect(try decodeArgs("event E(bytes1 a)", data: max) == #"{"a":"0xff"}"#)
        #expect(try decodeArgs("event E(bytes1 a)", data: max, strict: true) == nil)
        // int8 200 (0xc8) without sign extension: read as -56 unless strict.
        #expect(try decodeArgs("event E(int8 a)", data: ABITestEncoder.word(0xC8)) == #"{"a":"-56"}"#)
        #expect(try decodeArgs("event E(int8 a)", data: ABITestEncoder.word(0xC8), strict: true) == nil)
    }

    @Test func indexedParameters() throws {
        let from = [UInt8](repeating: 0, count: 12) + [UInt8](repeating: 0x11, count: 20)
        let hash = [UInt8](repeating: 0xAB, count: 32)
        #expect(
            try decodeArgs(
                "event E(address indexed from, string indexed name, (uint8,bool) indexed t, uint256 v)",
                data: ABITestEncoder.word(7), topics: [from, hash, hash])
                == #"{"from":"0x1111111111111111111111111111111111111111","name":"0x\#(String(repeating: "ab", count: 32))","t":"0x\#(String(repeating: "ab", count: 32))","v":"7"}"#
        )
    }

    @Test func tuplesAreObjectsOnlyWhenEveryComponentIsNamed() throws {
        let data = ABITestEncoder.word(1) + ABITestEncoder.word(2) + ABITestEncoder.word(3) + ABITestEncoder.word(4)
        #expect(
            try decodeArgs("event E((uint8 a, uint8 b) p, (uint8 c, uint8) q)", data: data)
                == #"{"p":{"a":"1","b":"2"},"q":["3","4"]}"#)
        #expect(try decodeArgs("event Nothing()", data: []) == "{}")
    }

    @Test func invalidUTF8InStringsIsReplaced() throws {
        let data =
            ABITestEncoder.word(32) + ABITestEncoder.word(3) + [0x61, 0xFF, 0x62] + [UInt8](repeating: 0, count: 29)
        #expect(try decodeArgs("event E(string s)", data: data) == "{\"s\":\"a\u{FFFD}b\"}")
    }

    @Test func hostileOffsetsAndLengthsDoNotMatch() throws {
        let e = "event E(bytes b)"
        #expect(try decodeArgs(e, data: []) == nil)  // shorter than the head
        #expect(try decodeArgs(e, data: ABITestEncoder.word(64)) == nil)  // offset past the end
        #expect(try decodeArgs(e, data: max) == nil)  // offset that overflows
        #expect(try decodeArgs(e, data: ABITestEncoder.word(32) + max) == nil)  // length that overflows
        #expect(try decodeArgs(e, data: ABITestEncoder.word(32) + ABITestEncoder.word(33) + max) == nil)  // too long
        // A huge array length with no bytes behind it: rejected before any loop.
        #expect(
            try decodeArgs("event E(uint256[] a)", data: ABITestEncoder.word(32) + ABITestEncoder.word(1 << 40)) == nil)
        #expect(try decodeArgs("event E(()[] a)", data: ABITestEncoder.word(32) + ABITestEncoder.word(1 << 40)) == nil)
        // Too few topics for the indexed parameters.
        #expect(try decodeArgs("event E(address indexed a)", data: []) == nil)
    }

    @Test func aliasedOffsetsCannotInflateWithoutBound() throws {
        // 400 outer elements all pointing at the same 400-element inner array: ~160,000
        // decoded values from 26 kB; the read budget stops it instead.
        let n = 400
        var data = ABITestEncoder.word(32) + ABITestEncoder.word(UInt64(n))
        for _ in 0..<n { data += ABITestEncoder.word(UInt64(n * 32)) }
        data += ABITestEncoder.word(UInt64(n - 1))
        for i in 0..<(n - 1) { data += ABITestEncoder.word(UInt64(i)) }
        #expect(try decodeArgs("event E(uint256[][] a)", data: data) == nil)
    }
}
