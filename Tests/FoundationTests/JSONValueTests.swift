import CCKit
import Testing

@Suite struct JSONValueTests {
    static let rawLog = """
        {"address":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x0000000000000000000000001111111111111111111111111111111111111111"],"data":"0x00000000000000000000000000000000000000000000000000000000000f4240","blockNumber":"0x121eac0","transactionIndex":"0x5","logIndex":27,"removed":false,"chainId":1,"blockTimestamp":"1705000000","extra":{"nested":[1,{"x":null}]}}
        """

    @Test func memberLookupAndKinds() throws {
        try withJSON(Self.rawLog) { root in
            #expect(root.kind == .object)
            #expect(root.count == 10)
            #expect(root["address"]?.string() == "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
            #expect(root["topics"]?.kind == .array)
            #expect(root["topics"]?.count == 2)
            #expect(
                root["topics"]?[0]?.string() == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
            #expect(root["topics"]?[2] == nil)
            #expect(root["topics"]?[-1] == nil)
            #expect(root["blockNumber"]?.quantity == 19_000_000)
            #expect(root["transactionIndex"]?.quantity == 5)
            #expect(root["logIndex"]?.quantity == 27)
            #expect(root["removed"]?.bool == false)
            #expect(root["chainId"]?.int64 == 1)
            #expect(root["blockTimestamp"]?.quantity == 1_705_000_000)
            #expect(root["extra"]?["nested"]?[1]?["x"]?.isNull == true)
            #expect(root["missing"] == nil)
            #expect(root["address"]?["x"] == nil)
            #expect(root.member("data")?.stringContents.count == 66)
            #expect(String(decoding: root["extra"]!.raw, as: UTF8.self) == "{\"nested\":[1,{\"x\":null}]}")
            #expect(String(decoding: root["address"]!.raw, as: UTF8.self).hasPrefix("\"0xa0b8"))
        }
    }

    @Test func forEachMemberAndElementVisitInOrder() throws {
        try withJSON("{\"b\":1, \"a\":[true,\"x\",{}], \"c\":null}") { root in
            var keys: [String] = []
            root.forEachMember { k, _ in keys.append(k.string()) }
            #expect(keys == ["b", "a", "c"])
            var kinds: [JSONKind] = []
            root["a"]!.forEachElement { kinds.append($0.kind) }
            #expect(kinds == [.bool, .string, .object])
            var none = 0
            root["b"]!.forEachElement { _ in none += 1 }
            root["b"]!.forEachMember { _, _ in none += 1 }
            #expect(none == 0)
        }
    }

    @Test func lookupsInAnyOrderAcrossNestedObjects() throws {
        try withJSON("{\"a\":1,\"b\":{\"a\":10,\"c\":30},\"c\":3,\"d\":4}") { root in
            let inner = root["b"]!
            // Alternate between objects and orders in any order.
            #expect(root["d"]?.int64 == 4)
            #expect(inner["c"]?.int64 == 30)
            #expect(root["a"]?.int64 == 1)
            #expect(inner["a"]?.int64 == 10)
            #expect(root["c"]?.int64 == 3)
            #expect(root["c"]?.int64 == 3)
            #expect(inner["d"] == nil)
            #expect(root["zz"] == nil)
            #expect(root["b"]?["c"]?.int64 == 30)
            for key in ["d", "c", "b", "a", "a", "d"] {
                #expect(root.member(key) != nil)
            }
        }
        try withJSON("{}") { #expect($0["a"] == nil) }
        try withJSON("{\"a\":{}}") { #expect($0["a"]?["a"] == nil) }
    }

    @Test func keysOfEveryLengthCompareExactly() throws {
        // Exercises the 1-3, 4-7, 8-16 and >16 byte compare paths.
        for n in 1...40 {
            let key = String(repeating: "k", count: n - 1) + "z"
            let near = String(repeating: "k", count: n - 1) + "y"
            let text = "{\"\(near)\":1,\"\(key)\":2}"
            try withJSON(text) { root in
                #expect(root.member(key)?.int64 == 2, "\(n)")
                #expect(root.member(near)?.int64 == 1, "\(n)")
                #expect(root.member(key + "k") == nil)
            }
        }
    }

    @Test func firstDuplicateMemberWins() throws {
        try withJSON("{\"a\":1,\"b\":2,\"a\":3}") { root in
            #expect(root["a"]?.int64 == 1)
            #expect(root["b"]?.int64 == 2)
            #expect(root["a"]?.int64 == 1)  // whatever was looked up before
            #expect(root.count == 3)
        }
    }

    @Test func escapedKeysAndValuesCompareUnescaped() throws {
        try withJSON("{\"ev\\u0065nt\":\"Tr\\u0061nsfer\",\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"}") { root in
            #expect(root["event"]?.equals("Transfer") == true)
            #expect(root["event"]?.equals("Transfe") == false)
            #expect(root["event"]?.hasEscapes == true)
            #expect(root["s"]?.string() == "a\"b\\c/d\u{8}\u{C}\n\r\t")
            #expect(root.member("event")?.equals("Transfer" as String) == true)
        }
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        try withJSON("[\"\\u00e9\\u65E5\\uD83D\\uDE00\",\"\\uD800x\",\"\\uDC00\",\"\\uD800\\u0041\"]") { root in
            #expect(root[0]?.string() == "é日😀")
            #expect(root[1]?.string() == "\u{FFFD}x")
            #expect(root[2]?.string() == "\u{FFFD}")
            #expect(root[3]?.string() == "\u{FFFD}A")
            var out: [UInt8] = []
            root[0]!.unescapedBytes(into: &out)
            #expect(out == Array("é日😀".utf8))
        }
    }

    @Test func quantities() throws {
        let cases: [(String, UInt64?)] = [
            ("0", 0), ("12", 12), ("18446744073709551615", UInt64.max), ("18446744073709551616", nil),
            ("-1", nil), ("1.0", nil), ("1e3", nil), ("\"0x0\"", 0), ("\"0x\"", nil), ("\"0xff\"", 255),
            ("\"0XFF\"", 255), ("\"0xffffffffffffffff\"", UInt64.max), ("\"0x10000000000000000\"", nil),
            ("\"0x0000000000000000001\"", 1), ("\"0xg\"", nil), ("\"123\"", 123), ("\"\"", nil), ("\"12a\"", nil),
            ("\"-5\"", nil), ("\" 1\"", nil), ("\"\\u0030x1f\"", 31), ("true", nil), ("null", nil), ("[1]", nil),
            ("\"18446744073709551616\"", nil),
        ]
        for (text, expected) in cases {
            try withJSON(text) { #expect($0.quantity == expected, "\(text)") }
        }
    }

    @Test func int64AndDouble() throws {
        try withJSON("[-9223372036854775808,9223372036854775807,9223372036854775808,-0,1.5,2e3]") { r in
            #expect(r[0]?.int64 == Int64.min)
            #expect(r[1]?.int64 == Int64.max)
            #expect(r[2]?.int64 == nil)
            #expect(r[3]?.int64 == 0)
            #expect(r[4]?.int64 == nil)
            #expect(r[4]?.double == 1.5)
            #expect(r[5]?.double == 2000)
        }
    }

    @Test func nonStringAccessorsAreNil() throws {
        try withJSON("[1,\"true\",null]") { r in
            #expect(r[0]?.bool == nil)
            #expect(r[1]?.bool == nil)
            #expect(r[0]?.equals("1") == false)
            #expect(r[2]?.isNull == true)
            #expect(r[0]?.string() == "1")
            #expect(r.string() == "[1,\"true\",null]")
        }
    }

    @Test func valuesOutliveTheNextScanSafely() throws {
        // A value kept from one line must not see the next line's tape.
        let a = Array("{\"x\":[1,2,3]}".utf8)
        let b = Array("{\"y\":\"z\"}".utf8)
        try a.withUnsafeBufferPointer { pa in
            let kept = try JSONLine(pa).root["x"]!
            try b.withUnsafeBufferPointer { pb in
                let other = try JSONLine(pb).root
                #expect(other["y"]?.string() == "z")
            }
            #expect(kept.count == 3)
            #expect(kept[2]?.int64 == 3)
        }
    }
}

@Suite struct JSONThreadTests {
    /// Each thread reuses its own tape; threads scanning at once never see each other's lines.
    @Test func concurrentScansOnManyThreadsStayIndependent() {
        // Each thread writes only its own slot of a fixed buffer; read after join.
        final class Result: @unchecked Sendable {
            let ok = UnsafeMutablePointer<Bool>.allocate(capacity: 4)
            init() { ok.initialize(repeating: false, count: 4) }
            deinit { ok.deallocate() }
        }
        let result = Result()
        let threads = (0..<4).map { t in
            Thread {
                var good = true
                for i in 0..<5000 {
                    let line = Array(
                        "{\"t\":\(t),\"i\":\(i),\"pad\":\"\(String(repeating: "x", count: i % 50))\"}".utf8)
                    let (tt, ii) = line.withUnsafeBufferPointer { b in
                        let root = try? JSONLine(b).root
                        return (root?["t"]?.int64, root?["i"]?.int64)
                    }
                    if tt != Int64(t) || ii != Int64(i) { good = false }
                }
                result.ok[t] = good
            }
        }
        for th in threads { th.join() }
        #expect(Array(UnsafeBufferPointer(start: result.ok, count: 4)) == [true, true, true, true])
    }
}
