import CCKit
import Testing

@Suite struct ABIParsingTests {
    @Test func typeGrammar() throws {
        #expect(try HumanReadableABI.parseType("uint") == .uint(bits: 256))
        #expect(try HumanReadableABI.parseType("int8") == .int(bits: 8))
        #expect(try HumanReadableABI.parseType("bytes32") == .fixedBytes(32))
        #expect(try HumanReadableABI.parseType("uint256[2][]") == .array(.fixedArray(.uint(bits: 256), 2)))
        #expect(try HumanReadableABI.parseType("(address,uint256)[3]").canonical == "(address,uint256)[3]")
        let t = try HumanReadableABI.parseType("tuple(address owner, (bool ok, bytes data)[] calls)[]")
        #expect(t.canonical == "(address,(bool,bytes)[])[]")
        guard case .array(.tuple(let cs)) = t else {
            Issue.record("not an array of tuples")
            return
        }
        #expect(cs.map(\.name) == ["owner", "calls"])
        #expect(t.isDynamic)
        #expect(try HumanReadableABI.parseType("(uint256,bool)[2]").headSize == 128)
        #expect(try HumanReadableABI.parseType("()").canonical == "()")
        for bad in [
            "uint7", "uint264", "int0", "bytes33", "bytes0", "uint256[0]", "uint256[", "foo", "(uint256", "uint08",
        ] {
            #expect(throws: ABIParseError.self, "\(bad)") { try HumanReadableABI.parseType(bad) }
        }
    }

    @Test func humanReadableEvents() throws {
        let events = try HumanReadableABI.parseEvents(
            """
            // comment
            # comment
            event Transfer(address indexed from, address indexed to, uint256 value)
            function transfer(address to, uint256 amount) returns (bool)

            event Ping() ; event Log(string indexed, (uint8 a, bytes b)[] items) anonymous
            Transfer(address,address,uint256)
            """)
        #expect(events.count == 4)
        #expect(events[0].signature == "Transfer(address,address,uint256)")
        #expect(events[0].inputs.map(\.indexed) == [true, true, false])
        #expect(events[0].topicCount == 3)
        #expect(events[1].signature == "Ping()")
        #expect(events[2].anonymous)
        #expect(events[2].signature == "Log(string,(uint8,bytes)[])")
        #expect(events[2].inputs[0].name == "")
        #expect(events[2].topicCount == 1)
        #expect(events[3].indexingKnown == false)
        #expect(events[3].inputs.map(\.name) == ["", "", ""])
        #expect(events[0].humanReadable == "event Transfer(address indexed from, address indexed to, uint256 value)")
    }

    @Test func humanReadableErrorsSayWhere() {
        #expect(throws: ABIParseError("line 2: unknown type 'uint7' at column 14 of 'event X(uint7 a)'")) {
            try HumanReadableABI.parseEvents("event A()\nevent X(uint7 a)")
        }
    }

    @Test func jsonShapes() throws {
        let plain = """
            [{"type":"function","name":"f","inputs":[]},
             {"type":"event","name":"Swap","anonymous":false,"inputs":[
               {"name":"who","type":"address","indexed":true},
               {"name":"legs","type":"tuple[]","indexed":false,"components":[
                 {"name":"amount","type":"uint128"},{"name":"path","type":"address[]"}]}]}]
            """
        let e1 = try ABISource.parse(Array(plain.utf8))
        #expect(e1.count == 1)
        #expect(e1[0].signature == "Swap(address,(uint128,address[])[])")
        let artifact = #"{"contractName":"X","abi":"# + plain + #","bytecode":"0x"}"#
        #expect(try ABISource.parse(Array(artifact.utf8)) == e1)
        let escaped = plain.replacingAll("\"", with: "\\\"").replacingAll("\n", with: " ")
        let etherscan = #"{"status":"1","message":"OK","result":""# + escaped + #""}"#
        #expect(try ABISource.parse(Array(etherscan.utf8)) == e1)
        #expect(throws: ABIParseError.self) {
            try ABISource.parse(
                Array(#"{"status":"0","message":"NOTOK","result":"Contract source code not verified"}"#.utf8))
        }
        #expect(throws: ABIParseError.self) { try ABISource.parse(Array("[{\"type\":\"event\"".utf8)) }
        #expect(throws: ABIParseError.self) {
            try ABISource.parse(Array(#"[{"type":"event","name":"E","inputs":[{"name":"a","type":"uint9"}]}]"#.utf8))
        }
    }

    @Test func builtinsParse() throws {
        for b in BuiltinABIs.all {
            let s = try ABISource.load(b.name)
            #expect(!s.events.isEmpty, "\(b.name)")
        }
        #expect(try ABISource.load("erc721").events[0].topicCount == 4)
    }

    @Test func specForms() throws {
        let bound = try ABISource.load("0x00000000000000000000000000000000000000aA=erc20")
        #expect(bound.address == Array(repeating: 0, count: 19) + [0xAA])
        #expect(try ABISource.load("Transfer(address,address,uint256)").events.count == 1)
        #expect(try ABISource.load("event A(uint8 x); event B()").events.count == 2)
        #expect(throws: ChainCastError.self) { try ABISource.load("0x12=erc20") }
        do {
            _ = try ABISource.load("/nonexistent/abi.json")
            Issue.record("no error")
        } catch {
            #expect(error.status == .noInput)
        }
        do {
            _ = try ABISource.load("event X(uint7 a)")
            Issue.record("no error")
        } catch {
            #expect(error.status == .config)
        }
    }
}

extension String {
    func replacingAll(_ a: String, with b: String) -> String {
        var out = ""
        for c in self { out += String(c) == a ? b : String(c) }
        return out
    }
}
