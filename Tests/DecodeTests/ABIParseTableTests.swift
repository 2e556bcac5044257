import CCABI
import Testing

@testable import CCABI

/// Every shape of ABI file the parser refuses, with its exact message, and
/// the odd shapes it accepts, summarised as signature and parameter names
/// (`*` indexed, `?` indexing unknown, `anon` anonymous).
struct ABIParseTableTests {
    static let deepJSONTuple =
        "[{\"type\":\"event\",\"name\":\"A\",\"inputs\":["
        + String(repeating: "{\"type\":\"tuple\",\"components\":[", count: 33) + "{\"type\":\"uint8\"}"
        + String(repeating: "]}", count: 33) + "]}]"

    static let deepJSONArray =
        "[{\"type\":\"event\",\"name\":\"A\",\"inputs\":[{\"type\":\"uint8" + String(repeating: "[]", count: 34)
        + "\"}]}]"
    static let deepArray = "event A(uint8" + String(repeating: "[]", count: 34) + " a)"
    static let deepTuple =
        "event A(" + String(repeating: "(", count: 33) + "uint8" + String(repeating: ")", count: 33) + " a)"

    static func summary(_ text: String) -> String {
        do throws(ABIParseError) {
            let events = try ABISource.parse(Array(text.utf8))
            return events.map { e in
                (e.anonymous ? "anon " : "") + (e.indexingKnown ? "" : "?") + e.signature + "["
                    + e.inputs.map { $0.name + ($0.indexed ? "*" : "") }.joined(separator: ",") + "]"
            }.joined(separator: " ; ")
        } catch {
            return "ERR " + error.message
        }
    }

    static let cases: [(String, String)] = [
        ("{\"abi\": \"[{\\\"type\\\":\\\"event\\\",\\\"name\\\":\\\"A\\\",\\\"inputs\\\":[]}]\"}", "A()[]"),
        ("{\"abi\": 5}", "ERR \"abi\" is not an array"),
        ("{\"x\": 1}", "ERR JSON object has neither \"abi\" (artifact) nor \"result\" (Etherscan getabi)"),
        ("{\"result\": 5}", "ERR \"result\" is not a string"),
        (
            "{\"status\":\"0\",\"result\":\"Invalid API Key\"}",
            "ERR Etherscan response is an error: error: Invalid API Key"
        ),
        ("{\"status\":\"1\",\"result\":\"not json\"}", "ERR Etherscan \"result\" is not a JSON ABI: not json"),
        ("{\"result\":\"{}\"}", "ERR Etherscan \"result\" is not a JSON array"),
        ("[5]", "ERR entry 0 is not an object"),
        ("[{\"type\":\"event\",\"inputs\":[]}]", "ERR entry 0 (event ?): missing \"name\""),
        ("[{\"type\":\"event\",\"name\":\"\",\"inputs\":[]}]", "ERR entry 0 (event ?): missing \"name\""),
        ("[{\"type\":\"event\",\"name\":\"A\",\"inputs\":[5]}]", "ERR entry 0 (event A): input 0 is not an object"),
        (
            "[{\"type\":\"event\",\"name\":\"A\",\"inputs\":[{\"name\":\"x\"}]}]",
            "ERR entry 0 (event A): parameter without \"type\""
        ),
        (
            "[{\"type\":\"event\",\"name\":\"A\",\"inputs\":[{\"type\":\"tuple\"}]}]",
            "ERR entry 0 (event A): 'tuple' without \"components\""
        ),
        (
            "[{\"type\":\"event\",\"name\":\"A\",\"inputs\":[{\"type\":\"tuple\",\"components\":[5]}]}]",
            "ERR entry 0 (event A): component is not an object"
        ),
        ("[{\"type\":\"event\",\"name\":\"A\",\"anonymous\":true}]", "anon A()[]"),
        (
            "[{\"type\":\"event\",\"name\":\"A\",\"inputs\":[{\"type\":\"uint256\"},{\"type\":\"tuple[2]\",\"components\":[{\"type\":\"uint8\"},{\"type\":\"bool\",\"name\":\"b\"}]}]}]",
            "A(uint256,(uint8,bool)[2])[,]"
        ),
        (deepJSONTuple, "ERR entry 0 (event A): type nested deeper than 32"),
        (deepJSONArray, "ERR entry 0 (event A): type nested deeper than 32"),
        ("﻿[{\"type\":\"event\",\"name\":\"A\",\"inputs\":[]}]", "A()[]"),
        ("[{\"type\":\"function\",\"name\":\"f\"}]", ""),
        ("\"abc\"", "ERR line 1: expected 'event Name(…)' or 'Name(type,…)' at column 1 of '\"abc\"'"),
        ("event (uint a)", "ERR line 1: expected an event name after 'event' at column 7 of 'event (uint a)'"),
        ("(uint a)", "ERR line 1: expected 'event Name(…)' or 'Name(type,…)' at column 1 of '(uint a)'"),
        ("Transfer(address indexed from, address to)", "Transfer(address,address)[from*,to]"),
        ("Transfer(address from, address to)", "?Transfer(address,address)[from,to]"),
        ("event A(int a, byte b, uint c)", "A(int256,bytes1,uint256)[a,b,c]"),
        ("event A(int7 a)", "ERR line 1: unknown type 'int7' at column 13 of 'event A(int7 a)'"),
        ("event A(int512 a)", "ERR line 1: unknown type 'int512' at column 15 of 'event A(int512 a)'"),
        (
            "event A(uint256 memory a, bytes calldata b, string storage c, address payable d)",
            "A(uint256,bytes,string,address)[a,b,c,d]"
        ),
        (
            "event A(uint256 a b)",
            "ERR line 1: unexpected 'b' after parameter name 'a' at column 20 of 'event A(uint256 a b)'"
        ),
        ("event A(uint256 a", "ERR line 1: expected ')' at column 18 of 'event A(uint256 a'"),
        ("event A(tuple x)", "ERR line 1: expected '(' after 'tuple' at column 15 of 'event A(tuple x)'"),
        ("event A(tuple(uint8 memory a, bool b) c)", "A((uint8,bool))[c]"),
        (
            "event A((uint8 a b) c)",
            "ERR line 1: unexpected 'b' after component name 'a' at column 19 of 'event A((uint8 a b) c)'"
        ),
        ("event A(, )", "ERR line 1: expected a type at column 9 of 'event A(, )'"),
        ("event A() x", "ERR line 1: unexpected 'x' at column 11 of 'event A() x'"),
        ("event A(é a)", "ERR line 1: expected a type at column 9 of 'event A(é a)'"),
        ("event A", "ERR line 1: expected '(' at column 8 of 'event A'"),
        ("event A(uint256[ a)", "ERR line 1: expected ']' at column 16 of 'event A(uint256[ a)'"),
        (
            "event A(uint256[0] a)",
            "ERR line 1: bad array length '[0]' (1…65536) at column 19 of 'event A(uint256[0] a)'"
        ),
        (deepArray, "ERR line 1: type nested deeper than 32 at column 82 of '\(deepArray)'"),
        (deepTuple, "ERR line 1: type nested deeper than 32 at column 42 of '\(deepTuple)'"),
        ("event A() ;  ; event B()", "A()[] ; B()[]"),
        ("constructor();", ""),
        ("event A(uint8 a) anonymous", "anon A(uint8)[a]"),
        (
            "event A(uint8 indexed a, uint8 indexed b, uint8 indexed c, uint8 indexed d)",
            "A(uint8,uint8,uint8,uint8)[a*,b*,c*,d*]"
        ),
        ("function f(uint a) returns (uint)\nevent B(bool)", "B(bool)[]"),
    ]

    @Test(arguments: cases)
    func parses(text: String, expected: String) {
        #expect(Self.summary(text) == expected)
    }
}
