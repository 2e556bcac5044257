import Testing

@testable import CCFilter
@testable import CCJSON

@Suite struct EventExpressionTests {
    @Test func paths() throws {
        #expect(try evalTransfer("event") == "\"Transfer\"")
        #expect(try evalTransfer("blockNumber") == "19000000")
        #expect(try evalTransfer("address") == "\"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48\"")
        #expect(try evalTransfer("args.value") == "\"1000000000000000000000\"")
        #expect(try evalTransfer("args[\"odd name\"]") == "\"x\\\"y\"")
        #expect(try evalTransfer("args.ids[0]") == "\"1\"")
        #expect(try evalTransfer("args.ids[-1]") == "\"0x03\"")
        #expect(try evalTransfer("args.ids[3]") == "null")
        #expect(try evalTransfer("args.ids[1 + 1]") == "\"0x03\"")
        #expect(try evalTransfer("args[concat(\"ord\", \"er\")].maker") == "\"0xAbC\"")
        #expect(try evalTransfer("args.order.maker") == "\"0xAbC\"")
        #expect(try evalTransfer("args.missing") == "null")
        #expect(try evalTransfer("args.missing.deeper[3]") == "null")
        #expect(try evalTransfer("args.nothing") == "null")
        #expect(try evalTransfer("args.flag") == "true")
        #expect(try evalTransfer("removed") == "false")
        #expect(try evalTransfer("event.x") == "null")
        #expect(try evalTransfer("args.ids") == "[\"1\",\"2\",\"0x03\"]")
    }

    @Test func typicalFilters() throws {
        #expect(try evalTransfer("event == \"Transfer\" && args.value > 10**18") == "true")
        #expect(try evalTransfer("event == \"Transfer\" && args.value > 10**21") == "false")
        #expect(try evalTransfer("args.value >= 1e21") == "true")
        #expect(try evalTransfer("10**21 <= args.value") == "true")
        #expect(try evalTransfer("args.value == 1000000000000000000000") == "true")
        #expect(try evalTransfer("args.value != 1000000000000000000000") == "false")
        #expect(try evalTransfer("event != \"Approval\"") == "true")
        #expect(try evalTransfer("address == \"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\"") == "true")
        #expect(try evalTransfer("address == \"0xA0B86991C6218B36C1D19D4A2E9EB0CE3606EB48\"") == "true")
        #expect(
            try evalTransfer(
                "address in [\"0x0000000000000000000000000000000000000000\", \"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\"]"
            ) == "true")
        #expect(try evalTransfer("args.from not in [\"0x28c6c06298d514db089934071355e5743bf21d60\"]") == "false")
        #expect(try evalTransfer("\"2\" in args.ids") == "true")
        #expect(try evalTransfer("3 in args.ids") == "true")  // "0x03" is the number 3
        #expect(try evalTransfer("args.value / 10**18") == "1000")
        #expect(
            try evalTransfer("args.value * 10**40")
                == "\"10000000000000000000000000000000000000000000000000000000000000\"")
        #expect(try evalTransfer("blockNumber % 1000 == 0") == "true")
        #expect(try evalTransfer("args.missing > 5") == "false")
        #expect(try evalTransfer("args.missing == null") == "true")
        #expect(try evalTransfer("args.missing + 1") == "null")
        #expect(try evalTransfer("!args.missing") == "true")
        #expect(
            try evalTransfer("event == \"Transfer\" ? args.to : args.spender")
                == "\"0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549\"")
        #expect(
            try evalTransfer("{b: blockNumber, v: args.value, n: args.value / 10**18, t: true}")
                == "{\"b\":19000000,\"v\":\"1000000000000000000000\",\"n\":1000,\"t\":true}")
        #expect(try evalTransfer("[event, logIndex]") == "[\"Transfer\",27]")
    }

    @Test func runtimeErrors() throws {
        #expect(try evalTransfer("args.value / (blockNumber - 19000000)") == "error: division by zero in '/'")
        #expect(
            try evalTransfer("args.value ** 200") == "error: integer overflow in '**' (numbers are limited to 512 bits)"
        )
        #expect(try evalTransfer("event + 1") == "error: '+' needs a number, got string \"Transfer\"")
        #expect(try evalTransfer("event > 1") == "error: '>' needs a number, got string \"Transfer\"")
        #expect(try evalTransfer("args.flag < 1") == "error: cannot compare bool with number using '<'")
        #expect(try evalTransfer("1 in event") == "error: 'in' needs a list on its right, got string \"Transfer\"")
        #expect(try evalTransfer("args.ids + 1") == "error: '+' needs a number, got list [\"1\",\"2\",\"0x03\"]")
    }

    @Test func exactEdges() throws {
        let u256max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        let ev =
            "{\"event\":\"X\",\"args\":{\"a\":\"\(u256max)\",\"b\":\"-57896044618658097711785492504343953926634992332820282019728792003956564819968\",\"h\":\"0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"}}"
        #expect(try eval("args.a == 2**256 - 1", event: ev) == "true")
        #expect(try eval("args.a + 1 == 2**256", event: ev) == "true")
        #expect(try eval("args.a == args.h", event: ev) == "false")  // two strings: compared as text
        #expect(try eval("args.a == int(args.h)", event: ev) == "true")
        #expect(try eval("args.a > args.b", event: ev) == "true")
        #expect(try eval("args.b < 0", event: ev) == "true")
        #expect(try eval("args.b - 1 == -(2**255) - 1", event: ev) == "true")
        #expect(try eval("args.a * args.a > 0", event: ev) == "true")
        #expect(
            try eval("str(args.a * args.a)", event: ev)
                == "\"13407807929942597099574024998205846127479365820592393377723561443721764030073315392623399665776056285720014482370779510884422601683867654778417822746804225\""
        )
        #expect(
            try eval("args.a * args.a + args.a", event: ev)
                == "\"13407807929942597099574024998205846127479365820592393377723561443721764030073431184712636981971479856705023170278632780869088242247907112362425735876444160\""
        )
        #expect(
            try eval("args.a * args.a * 2", event: ev)
                == "error: integer overflow in '*' (numbers are limited to 512 bits)")
        #expect(try eval("args.a ** 2 / args.a == args.a", event: ev) == "true")
        #expect(try eval("hex(args.a) == args.h", event: ev) == "true")
    }
}

/// `&&` chains of `path == "string"` and `path <op> number` run on a fast path
/// over the scanner's tape (`FilterVM.test`); it must answer exactly as the
/// general evaluator does, whatever shape the event has.
@Suite struct ConjunctFastPathTests {
    static let lines = [
        transferLine,
        #"{"event":"Transfer","args":{"value":"1000000000000000000001"}}"#,
        #"{"ev\u0065nt":"Transfer","args":{"value":"5"}}"#,  // escaped key
        #"{"event":"Tr\u0061nsfer","args":{"v\u0061lue":"2000000000000000000000"}}"#,  // escaped value and key
        #"{"event":"Transfer","args":{"value":2000000000000000000000}}"#,  // a JSON number
        #"{"event":"Transfer","args":{"value":"0x3635c9adc5dea00001"}}"#,  // hex string
        #"{"event":"Transfer","args":{"value":"-7"}}"#,
        #"{"event":"Transfer","args":{"value":"007"}}"#,
        #"{"event":"Transfer","args":{"value":null}}"#,
        #"{"event":"Transfer","args":{"value":true}}"#,
        #"{"event":"Transfer","args":[1,2]}"#,
        #"{"event":null}"#,
        #"{"event":"TRANSFER"}"#,
        #"{"address":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","args":{"ids":["1","0x02"]}}"#,
        #"{}"#,
    ]
    static let predicates = [
        #"event == "Transfer" && args.value > 10**18"#,
        #"event == "Transfer" && args.value >= 5"#,
        #"event != "Transfer""#,
        #"args.value < 10"#,
        #"args.value == 2000000000000000000000"#,
        #"args.value != 7"#,
        #"address == "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" && args.ids[1] == "0x02""#,
        #"args.ids[0] > 0 && args.ids[-1] <= 2"#,
        #"args.order.maker == "0xabc""#,
    ]

    @Test(arguments: predicates)
    func agreesWithTheEvaluator(_ source: String) throws {
        let e = try FilterCompiler.compile(source)
        #expect(e.conjuncts != nil, "not compiled to the fast path: \(source)")
        var vm = FilterVM()
        for text in Self.lines {
            var bytes = Array(text.utf8)
            try bytes.withUnsafeMutableBufferPointer { mb in
                let root = try JSONLine(UnsafeBufferPointer(mb)).root
                let general: Result<Bool, FilterRuntimeError>
                do throws(FilterRuntimeError) {
                    general = .success(try vm.evaluate(e, root: root).truthy)
                } catch { general = .failure(error) }
                let fast: Result<Bool, FilterRuntimeError>
                do throws(FilterRuntimeError) {
                    fast = .success(try vm.test(e, root: root))
                } catch { fast = .failure(error) }
                switch (general, fast) {
                case (.success(let a), .success(let b)): #expect(a == b, "\(source) on \(text)")
                case (.failure(let a), .failure(let b)): #expect(a.message == b.message, "\(source) on \(text)")
                default: Issue.record("\(source) on \(text): evaluator \(general), fast path \(fast)")
                }
            }
        }
    }
}
