import CCKit
import Testing

func written(_ body: (inout JSONWriter) -> Void) -> String {
    var w = JSONWriter(capacity: 16)
    body(&w)
    return String(decoding: w.bytes, as: UTF8.self)
}

func escapedBytes(_ bytes: [UInt8]) -> [UInt8] {
    var w = JSONWriter()
    bytes.withUnsafeBufferPointer { w.string(utf8: $0) }
    return w.bytes
}

@Suite struct JSONWriterTests {
    @Test func everyControlCharacterIsEscaped() {
        let short: [UInt8: String] = [8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"]
        let hex = Array("0123456789abcdef")
        for c in UInt8(0)...0x1F {
            let expected = short[c] ?? "\\u00\(hex[Int(c >> 4)])\(hex[Int(c & 15)])"
            #expect(escapedBytes([c]) == Array("\"\(expected)\"".utf8), "byte \(c)")
            // Also inside a long safe run, so the eight-byte loop finds it.
            let run = Array("abcdefghijkl".utf8)
            #expect(escapedBytes(run + [c] + run) == Array("\"abcdefghijkl\(expected)abcdefghijkl\"".utf8))
        }
        #expect(escapedBytes([0x7F]) == Array("\"\\u007f\"".utf8))
        #expect(escapedBytes(Array("say \"hi\" \\o/".utf8)) == Array("\"say \\\"hi\\\" \\\\o/\"".utf8))
    }

    @Test func specialBytesAreFoundAtEveryPosition() {
        // Each special byte at each offset of a long run: exercises the 16-, 8- and 1-byte loops.
        let specials: [(UInt8, String)] = [
            (0x22, "\\\""), (0x5C, "\\\\"), (0x0A, "\\n"), (0x01, "\\u0001"), (0x7F, "\\u007f"),
        ]
        for (c, escaped) in specials {
            for pos in 0..<40 {
                var input = [UInt8](repeating: 0x61, count: 40)
                input[pos] = c
                let expected = String(repeating: "a", count: pos) + escaped + String(repeating: "a", count: 39 - pos)
                #expect(escapedBytes(input) == Array("\"\(expected)\"".utf8), "byte \(c) at \(pos)")
            }
        }
        for pos in 0..<40 {
            var input = [UInt8](repeating: 0x61, count: 40)
            input[pos] = 0xFF
            let expected = String(repeating: "a", count: pos) + "\u{FFFD}" + String(repeating: "a", count: 39 - pos)
            #expect(escapedBytes(input) == Array("\"\(expected)\"".utf8))
            var w = JSONWriter()
            input.withUnsafeBufferPointer { w.stringAlreadyEscaped($0) }
            #expect(w.bytes == Array("\"\(expected)\"".utf8))
        }
    }

    @Test func validUTF8IsCopiedThrough() {
        let s = "héllo 日本語 😀 \u{10FFFF} \u{E000} \u{FFFD}"
        #expect(escapedBytes(Array(s.utf8)) == Array("\"\(s)\"".utf8))
        #expect(written { $0.string(s) } == "\"\(s)\"")
    }

    // Maximal-subpart replacement, as in the Unicode standard's table 3-8 examples.
    static let invalidUTF8: [([UInt8], String)] = [
        ([0x80], "\u{FFFD}"),
        ([0xBF, 0x41], "\u{FFFD}A"),
        ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),  // overlong '/'
        ([0xC1, 0xBF], "\u{FFFD}\u{FFFD}"),  // overlong
        ([0xE0, 0x80, 0xAF], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // overlong 3-byte
        ([0xF0, 0x80, 0x80, 0xAF], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // overlong 4-byte
        ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // UTF-16 surrogate D800
        ([0xED, 0xBF, 0xBF], "\u{FFFD}\u{FFFD}\u{FFFD}"),  // surrogate DFFF
        ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // > U+10FFFF
        ([0xF5, 0x80], "\u{FFFD}\u{FFFD}"),
        ([0xFF], "\u{FFFD}"),
        ([0xFE, 0xFE, 0xFF, 0xFF], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
        ([0xC3], "\u{FFFD}"),  // truncated at end
        ([0xE6, 0x97], "\u{FFFD}"),  // truncated 3-byte: one maximal subpart
        ([0xF0, 0x9F, 0x98], "\u{FFFD}"),  // truncated 4-byte
        ([0xF0, 0x9F, 0x98, 0x41], "\u{FFFD}A"),
        ([0xE6, 0x97, 0xC3, 0xA9], "\u{FFFD}é"),
        (
            [0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64],
            "a\u{FFFD}\u{FFFD}\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}d"
        ),  // Unicode 3-8 style example
    ]

    @Test(arguments: invalidUTF8)
    func invalidUTF8IsReplacedPerMaximalSubpart(_ bytes: [UInt8], _ expected: String) {
        #expect(escapedBytes(bytes) == Array("\"\(expected)\"".utf8))
        // Same policy as Swift's own decoder.
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
        var w = JSONWriter()
        bytes.withUnsafeBufferPointer { w.stringAlreadyEscaped($0) }
        #expect(w.bytes == Array("\"\(expected)\"".utf8))
    }

    @Test func randomBytesMatchSwiftsDecoder() {
        var x: UInt64 = 42
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            for _ in 0..<Int(x % 70) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                let r = UInt8(truncatingIfNeeded: x >> 8)
                bytes.append(x & 3 == 0 ? 0x61 : r | 0x80)  // mostly non-ASCII, some ASCII
            }
            var w = JSONWriter()
            bytes.withUnsafeBufferPointer { w.stringAlreadyEscaped($0) }
            #expect(w.bytes == Array("\"\(String(decoding: bytes, as: UTF8.self))\"".utf8), "\(bytes)")
        }
    }

    @Test func integers() {
        #expect(written { $0.int(Int64.min) } == "-9223372036854775808")
        #expect(written { $0.int(Int64.max) } == "9223372036854775807")
        #expect(written { $0.uint(UInt64.max) } == "18446744073709551615")
        #expect(written { $0.uint(0) } == "0")
        #expect(written { $0.uint(10) } == "10")
        #expect(written { $0.int(-7) } == "-7")
        #expect(written { $0.uint(1_000_000) } == "1000000")
        for v: UInt64 in [9, 99, 100, 101, 999, 1000, 12345, 19_000_000] {
            #expect(written { $0.uint(v) } == String(v))
        }
    }

    @Test func punctuationKeysAndLiterals() {
        let s = written { w in
            w.raw("{")
            w.key("a")
            w.int(1)
            w.raw(",")
            w.key("q\"k")
            w.bool(true)
            w.raw(UInt8(ascii: ","))
            w.key("n")
            w.null()
            w.raw("}")
        }
        #expect(s == "{\"a\":1,\"q\\\"k\":true,\"n\":null}")
    }

    @Test func resetKeepsCapacity() {
        var w = JSONWriter(capacity: 64)
        w.string("abc")
        let cap = w.bytes.capacity
        w.reset()
        #expect(w.bytes.isEmpty)
        #expect(w.bytes.capacity == cap)
    }

    @Test func roundTripThroughScannerIsCompactAndEqual() throws {
        let input = " { \"a\" : [ 1 , -2.5e3 , true , null , \"x\\u0041\\n\" ] , \"b\" : { } , \"c\" : [ ] } "
        let out = try withJSON(input) { root in
            var w = JSONWriter()
            w.value(root)
            return String(decoding: w.bytes, as: UTF8.self)
        }
        #expect(out == "{\"a\":[1,-2.5e3,true,null,\"x\\u0041\\n\"],\"b\":{},\"c\":[]}")
        // Writing what was read again gives the same bytes.
        let again = try withJSON(out) { root in
            var w = JSONWriter()
            w.value(root)
            return String(decoding: w.bytes, as: UTF8.self)
        }
        #expect(again == out)
    }

    @Test func valueCopiesCompactInputAndNormalizesTheRest() throws {
        let cases: [(String, String)] = [
            ("{\"a\":[1,2],\"b\":\"0xab\",\"c\":{\"d\":null}}", "{\"a\":[1,2],\"b\":\"0xab\",\"c\":{\"d\":null}}"),
            ("{\"s\":\"two words\" , \"n\":1}", "{\"s\":\"two words\",\"n\":1}"),
            ("[\"日本\",\"é\"]", "[\"日本\",\"é\"]"),
            ("[ \"x\\u0020y\" ]", "[\"x\\u0020y\"]"),
            (
                "\"a long string value with spaces, over sixteen bytes\"",
                "\"a long string value with spaces, over sixteen bytes\""
            ),
            ("[1,\t2]", "[1,2]"),
        ]
        for (input, expected) in cases {
            let out = try withJSON(input) { root in
                var w = JSONWriter()
                w.value(root)
                return String(decoding: w.bytes, as: UTF8.self)
            }
            #expect(out == expected, "\(input)")
        }
        // A member value alone, from the middle of a line.
        let inner = try withJSON("{\"a\": { \"b\" : [ 1 ] }, \"c\":2}") { root in
            var w = JSONWriter()
            w.value(root["a"]!)
            return String(decoding: w.bytes, as: UTF8.self)
        }
        #expect(inner == "{\"b\":[1]}")
    }

    @Test func roundTripOfArbitraryStrings() throws {
        let samples = ["", "plain", "quote\"back\\slash", "ctl\u{0}\u{1}\u{1F}\u{7F}", "tab\tnl\n", "日本😀", "\r\n"]
        for s in samples {
            var w = JSONWriter()
            w.string(s)
            let back = try withJSON(w.bytes) { $0.string() }
            #expect(back == s)
        }
    }

    @Test func invalidUTF8InScannedStringsIsRepairedOnOutput() throws {
        let line: [UInt8] = Array("{\"s\":\"a".utf8) + [0xFF, 0xC3] + Array("b\"}".utf8)
        let out = try withJSON(line) { root in
            var w = JSONWriter()
            w.value(root)
            return w.bytes
        }
        #expect(out == Array("{\"s\":\"a\u{FFFD}\u{FFFD}b\"}".utf8))
        #expect(try withJSON(line) { $0["s"]!.string() } == "a\u{FFFD}\u{FFFD}b")
    }
}
