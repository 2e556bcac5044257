import Testing

@testable import CCFilter

@Suite struct GrammarTests {
    func parsed(_ s: String) throws -> String { try FilterParser.parse(s).text }

    @Test(arguments: [
        ("a || b && c", "(a || (b && c))"),
        ("a && b || c", "((a && b) || c)"),
        ("a or b and c", "(a || (b && c))"),
        ("!a == b", "(!(a == b))"),
        ("!a && b", "((!a) && b)"),
        ("not a in [1]", "(!(a in [1]))"),
        ("a == !b", "(a == (!b))"),
        ("a == b && c != d", "((a == b) && (c != d))"),
        ("a < b + c", "(a < (b + c))"),
        ("a + b * c", "(a + (b * c))"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b % c", "((a / b) % c)"),
        ("a * b ** c", "(a * (b ** c))"),
        ("a ** b ** c", "(a ** (b ** c))"),
        ("-a ** 2", "(-(a ** 2))"),
        ("a ** -b", "(a ** (-b))"),
        ("-2 ** 2", "(-(2 ** 2))"),
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a || b ? c : d", "((a || b) ? c : d)"),
        ("x in [1, 2] && y not in [3]", "((x in [1, 2]) && (y not in [3]))"),
        ("a + b in l", "((a + b) in l)"),
        ("(a + b) * c", "((a + b) * c)"),
        ("args.value", "args.value"),
        ("args[\"odd name\"]", "args[\"odd name\"]"),
        ("args.ids[0]", "args.ids[0]"),
        ("args.ids[-1]", "args.ids[-1]"),
        ("args.order.maker", "args.order.maker"),
        ("args[k]", "args[k]"),
        ("f(a, b)(", ""),
        ("{a: 1, \"b c\": x, d}", "{a: 1, \"b c\": x, d: d}"),
        ("{..., a: 1}", "{..., a: 1}"),
        ("[1, [2, 3], ]", "[1, [2, 3]]"),
        ("lower(address) == \"0xab\"", "(lower(address) == \"0xab\")"),
    ])
    func precedence(_ input: String, _ expected: String) throws {
        if expected.isEmpty {
            #expect(throws: FilterCompileError.self) { try FilterParser.parse(input) }
        } else {
            #expect(try parsed(input) == expected)
        }
    }

    @Test(arguments: [
        ("1_000_000", "1000000"),
        ("0xff", "255"),
        ("0xFF_FF", "65535"),
        ("1e18", "\"1000000000000000000\""),
        ("1E3", "1000"),
        ("2.5e6", "2500000"),
        ("2.50e1", "25"),
        ("1.5e+3", "1500"),
        ("10**18", "\"1000000000000000000\""),
        ("1e15", "1000000000000000"),
        ("1e0", "1"),
        ("0", "0"),
        ("\"a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00\"", "\"a\\\"b\\\\c/\\n\u{e9}\u{1F600}\""),
        ("true", "true"),
        ("false", "false"),
        ("null", "null"),
        ("[1, \"a\", null]", "[1,\"a\",null]"),
        ("{a: 1, \"b c\": [true]}", "{\"a\":1,\"b c\":[true]}"),
        (
            "115792089237316195423570985008687907853269984665640564039457584007913129639935",
            "\"115792089237316195423570985008687907853269984665640564039457584007913129639935\""
        ),
        ("9007199254740991", "9007199254740991"),
        ("9007199254740992", "\"9007199254740992\""),
        ("-9007199254740991", "-9007199254740991"),
    ])
    func literals(_ input: String, _ expected: String) throws {
        #expect(try eval(input) == expected)
    }

    @Test func operatorsOnConstants() throws {
        #expect(try eval("1 + 2 * 3") == "7")
        #expect(try eval("(1 + 2) * 3") == "9")
        #expect(try eval("7 / 2") == "3")
        #expect(try eval("-7 / 2") == "-3")
        #expect(try eval("-7 % 2") == "-1")
        #expect(try eval("2 ** 10 - 1") == "1023")
        #expect(try eval("-2 ** 2") == "-4")
        #expect(try eval("(-2) ** 2") == "4")
        #expect(try eval("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3 && 1 != 2 && 1 == 1") == "true")
        #expect(try eval("1 ? \"y\" : \"n\"") == "\"y\"")
        #expect(try eval("false ? 1 : null ? 2 : 3") == "3")
        #expect(try eval("2 in [1, 2]") == "true")
        #expect(try eval("2 not in [1, 2]") == "false")
        #expect(try eval("\"0xAB\" in [\"0xab\"]") == "true")
        #expect(try eval("\"10\" + 5") == "15")
        #expect(try eval("\"0x10\" * 2") == "32")
        #expect(try eval("\"1000000000000000000000\" > 10**18") == "true")
        #expect(try eval("\"0xABCdef\" == \"0xabcDEF\"") == "true")
        #expect(try eval("\"Transfer\" == \"transfer\"") == "false")
        #expect(try eval("\"abc\" < \"abd\"") == "true")
        #expect(try eval("\"9\" < \"10\"") == "true")  // numeric strings compare as numbers
        #expect(try eval("255 == \"0xff\"") == "true")
        #expect(try eval("1 == \"abc\"") == "false")
        #expect(try eval("[1, 2] == [1, 2]") == "true")
        #expect(try eval("{a: 1} == {a: 1}") == "true")
        #expect(try eval("1 && 0") == "true")  // jq truthiness: only false and null are false
    }

    @Test func nullRules() throws {
        #expect(try eval("null == null") == "true")
        #expect(try eval("null != null") == "false")
        #expect(try eval("null == 0") == "false")
        #expect(try eval("null != 0") == "true")
        #expect(try eval("null < 1") == "false")
        #expect(try eval("null >= 1") == "false")
        #expect(try eval("1 > null") == "false")
        #expect(try eval("null <= null") == "false")
        #expect(try eval("null + 1") == "null")
        #expect(try eval("2 * null") == "null")
        #expect(try eval("-null") == "null")
        #expect(try eval("null ** 2") == "null")
        #expect(try eval("!null") == "true")
        #expect(try eval("null && true") == "false")
        #expect(try eval("null || true") == "true")
        #expect(try eval("null ? 1 : 2") == "2")
        #expect(try eval("null in [1]") == "false")
        #expect(try eval("null in [null]") == "true")
        #expect(try eval("1 in null") == "false")
        #expect(try eval("lower(null)") == "null")
        #expect(try eval("len(null)") == "null")
        #expect(try eval("coalesce(null, null, 3)") == "3")
        #expect(try eval("coalesce(null)") == "null")
    }

    @Test func compileErrorsHaveCarets() {
        #expect(
            compileError("args.value > (10**18") == """
                expression:1:21: expected ')' to close '(' at column 14
                  args.value > (10**18
                                      ^
                """)
        #expect(
            compileError("event == ") == """
                expression:1:10: unexpected end of the expression; expected a value
                  event == 
                           ^
                """)
        #expect(
            compileError("a = 1") == """
                expression:1:3: unexpected '='; use '==' to compare
                  a = 1
                    ^
                """)
        #expect(
            compileError("a < b < c") == """
                expression:1:7: comparisons do not chain; write (a < b) && (b < c)
                  a < b < c
                        ^
                """)
        #expect(
            compileError("1.5") == """
                expression:1:1: fractional numbers are not supported: numbers are exact integers (write 2.5e6, 10**18 or an integer)
                  1.5
                  ^
                """)
        #expect(
            compileError("frobnicate(1)")?.hasPrefix(
                "expression:1:1: unknown function 'frobnicate'; functions are: lower, upper") == true)
        #expect(compileError("lower(1, 2)")?.hasPrefix("expression:1:1: lower(string) takes 1 argument, got 2") == true)
        #expect(
            compileError("event == \"a\" && \"abc\" - 1 > 0") == """
                expression:1:17: '-' needs a number, got the string "abc"
                  event == "a" && "abc" - 1 > 0
                                  ^
                """)
        #expect(
            compileError("lower(5)")?.hasPrefix(
                "expression:1:7: lower(string): argument 1 must be a string, got a number") == true)
        #expect(compileError("x > 1 / 0")?.hasPrefix("expression:1:5: division by zero in '/'") == true)
        #expect(compileError("2 ** 512")?.hasPrefix("expression:1:1: integer overflow in '**'") == true)
        #expect(compileError("true + 1")?.hasPrefix("expression:1:1: '+' needs a number, got a bool") == true)
        #expect(
            compileError("x in 5")?.hasPrefix("expression:1:6: 'in' needs a list on its right, got a number") == true)
        #expect(compileError("'a'")?.hasPrefix("expression:1:1: strings use double quotes") == true)
        #expect(compileError("\"abc")?.hasPrefix("expression:1:1: unterminated string") == true)
        #expect(compileError("sum(x)")?.hasPrefix("expression:1:1: sum() is an aggregate; use it in --agg") == true)
        #expect(compileError("matches(x, \"(\")")?.hasPrefix("expression:1:12: invalid regular expression") == true)
        #expect(
            compileError("a b") == """
                expression:1:3: expected an operator or the end of the expression, found 'b'
                  a b
                    ^
                """)
        #expect(compileError("") != nil)
        #expect(compileError("{a: 1, a: 2}")?.hasPrefix("expression:1:8: duplicate object key \"a\"") == true)
    }

    @Test func multiLineProgramErrorsNameTheLine() {
        let src = "# big transfers\nevent == \"Transfer\" &&\n  args.value >> 1"
        do {
            _ = try FilterCompiler.compile(src, origin: "rules.ccf")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.rendered == """
                    rules.ccf:3:15: expected a value, found '>'
                        args.value >> 1
                                    ^
                    """)
        }
    }
}
