import Testing

@testable import CCFilter

/// Corners of the filter language, each with its exact answer: computed
/// indexes and members on every kind of base, functions on the types they
/// refuse, comparisons of lists, objects and long hex strings, and the
/// lexer's and type checker's messages with their positions.
struct LanguageEdgeTests {
    @Test(arguments: [
        // Computed indexes: JSON arrays, literal lists, objects, and what is neither.
        ("args.ids[len(args.ids) - 1]", "\"0x03\""), ("args.ids[-len(args.ids)]", "\"1\""),
        ("args.ids[len(args.ids)]", "null"), ("args.ids[len(args.ids) + 10**30]", "null"),
        ("[10, 20, 30][len(event) - 9]", "30"), ("[10, 20, 30][len(event)]", "null"),
        ("[10, 20, 30][-len(event)]", "null"), ("args[lower(\"VALUE\")]", "\"1000000000000000000000\""),
        ("args[lower(\"NOPE\")]", "null"), ("event[lower(\"X\")]", "null"),
        ("{a: event}[lower(\"A\")]", "\"Transfer\""),
        ("{a: event}[lower(\"B\")]", "null"), ("[event][lower(\"A\")]", "null"), ("event[len(event)]", "null"),
        ("args.ids[args.nothing]", "null"), ("args.nothing[len(event)]", "null"),
        ("args.ids[args.flag]", "error: '[]' needs a number, got bool true"),
        // Computed members.
        ("{a: event}.a", "\"Transfer\""), ("{a: event}.b", "null"), ("coalesce(args.order, 1).maker", "\"0xAbC\""),
        ("coalesce(args.order, 1).nope", "null"), ("coalesce(event, 1).x", "null"),
        // Functions.
        ("upper(\"é\")", "\"É\""), ("upper(event)", "\"TRANSFER\""),
        ("len(args.flag)", "error: len() needs a string, list or object, got bool"), ("len(args.order)", "1"),
        ("substr(event, 10**30)", "\"\""),
        ("substr(event, 1, -len(event))", "error: substr() length must be a non-negative integer"),
        ("substr(event, 1, 10**30)", "error: substr() length must be a non-negative integer"),
        ("int(false)", "0"), ("int(args.flag)", "1"), ("str(args.value)", "\"1000000000000000000000\""),
        ("str(args.flag)", "\"true\""), ("abs(-len(event))", "8"), ("min(args.ids)", "1"),
        ("min(event, lower(event))", "\"Transfer\""), ("max(event, lower(event), args.nothing)", "\"transfer\""),
        ("contains(event, \"\")", "true"), ("contains(args.ids, \"0x3\")", "false"),
        ("startsWith(event, \"Tr\")", "true"), ("endsWith(event, \"er\")", "true"),
        ("replace(event, \"\", \"x\")", "\"Transfer\""),
        ("concat(event, 1, args.flag, args.order)", "\"Transfer1true{\\\"maker\\\":\\\"0xAbC\\\"}\""),
        ("hex(event)", "\"0x5472616e73666572\""), ("hex(255)", "\"0xff\""),
        ("keccak256(args.flag)", "error: keccak256(value): expected a string or number, got bool"),
        ("formatUnits(args.value, 77)", "\"0.00000000000000000000000000000000000000000000000000000001\""),
        (
            "formatUnits(args.value, len(event) * 10)",
            "error: formatUnits(number, decimals): decimals must be an integer from 0 to 77, got 80"
        ),
        (
            "parseUnits(args.ids, 2)",
            "error: parseUnits(): \"[\\\"1\\\",\\\"2\\\",\\\"0x03\\\"]\" is not a decimal number"
        ),
        ("parseUnits(concat(\"1\", \"0\", \".\"), 2)", "1000"), ("parseUnits(concat(\".\", \"5\"), 1)", "5"),
        ("ecrecover(keccak256(\"x\"), 27, args.flag, 1)", "error: 'ecrecover()' needs a number, got bool true"),
        // Equality and order across kinds.
        ("args.flag == args.flag", "true"), ("args.flag == !args.flag", "false"),
        ("args.ids == [\"1\", \"2\"]", "false"),
        ("args.ids == [\"1\", \"2\", \"0x03\"]", "true"), ("args.order == {maker: \"0xabc\"}", "true"),
        ("args.order == {maker: \"0xAbC\", x: 1}", "false"), ("args.order == {taker: \"0xAbC\"}", "false"),
        ("\"0xab\" < concat(\"zz\")", "true"), ("concat(\"0xab\") < \"zz\"", "true"),
        // Hex strings too wide to be numbers still compare case-insensitively.
        (
            "concat(\"0x\", \"" + String(repeating: "a", count: 130) + "\") < \"0x" + String(repeating: "A", count: 129)
                + "B\"", "true"
        ),
        (
            "concat(\"0x\", \"" + String(repeating: "a", count: 130) + "\") == \"0x"
                + String(repeating: "A", count: 130)
                + "\"", "true"
        ),
        ("concat(\"abc\") <= \"abc\"", "true"),
        ("args.order < 1", "error: cannot compare object with number using '<'"),
        ("event < 1", "error: '<' needs a number, got string \"Transfer\""),
    ])
    func evaluatesOnTheTransfer(source: String, expected: String) throws {
        #expect(try evalTransfer(source) == expected)
    }

    /// Numbers in events that are not plain integers, escaped keys and strings.
    @Test(arguments: [
        ("x", "{\"x\":2.5e1}", "2.5e1"), ("x + 0", "{\"x\":2.5e1}", "25"), ("x - 1", "{\"x\":-2.5e1}", "-26"),
        ("x + 1", "{\"x\":1.5}", "error: '+' needs an integer, got 1.5"), ("x", "{\"x\":1.5}", "1.5"),
        ("{..., n: 1}", "{\"a\":1,\"b\":{\"c\":2}}", "{\"a\":1,\"b\":{\"c\":2},\"n\":1}"),
        ("{..., n: 1}", "{\"a\":1.5,\"b\":[2.5e1]}", "{\"a\":1.5,\"b\":[2.5e1],\"n\":1}"),
        ("a.m == \"0xA\"", "{\"a\":{\"m\":\"0x\\u0041\"}}", "true"), ("x[0]", "{\"x\":{\"0\":1}}", "null"),
        ("x[lower(\"A\")]", "{\"x\":\"\\u0061bc\"}", "null"), ("x == false", "{\"x\":false}", "true"),
    ])
    func evaluatesOnAnEvent(source: String, event: String, expected: String) throws {
        #expect(try eval(source, event: event) == expected)
    }

    @Test(arguments: [
        ("upper()", "expression:1:1: upper(string) takes 1 argument, got 0\n  upper()\n  ^"),
        ("len()", "expression:1:1: len(string|list|object) takes 1 argument, got 0\n  len()\n  ^"),
        (
            "startsWith(event)",
            "expression:1:1: startsWith(string, prefix) takes 2 arguments, got 1\n  startsWith(event)\n  ^"
        ),
        (
            "endsWith(event)",
            "expression:1:1: endsWith(string, suffix) takes 2 arguments, got 1\n  endsWith(event)\n  ^"
        ),
        ("concat()", "expression:1:1: concat(value, …) takes at least 1 arguments, got 0\n  concat()\n  ^"),
        ("str()", "expression:1:1: str(value) takes 1 argument, got 0\n  str()\n  ^"),
        ("hex()", "expression:1:1: hex(value) takes 1 argument, got 0\n  hex()\n  ^"),
        ("coalesce()", "expression:1:1: coalesce(value, …) takes at least 1 arguments, got 0\n  coalesce()\n  ^"),
        ("keccak256()", "expression:1:1: keccak256(value) takes 1 argument, got 0\n  keccak256()\n  ^"),
        ("matches(event)", "expression:1:1: matches(string, regex) takes 2 arguments, got 1\n  matches(event)\n  ^"),
        (
            "upper({a: 1})",
            "expression:1:7: upper(string): argument 1 must be a string, got a object\n  upper({a: 1})\n        ^"
        ),
        ("-{a: 1}", "expression:1:2: unary '-' needs a number, got a object\n  -{a: 1}\n   ^"),
        ("\"x\".foo", "expression:1:1: a string has no field \"foo\"\n  \"x\".foo\n  ^"),
        ("1[0]", "expression:1:1: cannot index a number\n  1[0]\n  ^"),
        ("args[true]", "expression:1:6: an index must be a number or a key\n  args[true]\n       ^"),
        (
            "min(\"b\", \"a\")",
            "expression:1:5: min(number, …) needs a number, got the string \"b\"\n  min(\"b\", \"a\")\n      ^"
        ),
        (
            "keccak256(-1)",
            "expression:1:1: keccak256() of a number needs 0 <= n < 2^256, got -1\n  keccak256(-1)\n  ^"
        ),
        (
            "parseUnits(concat(\"1e\", \"5\"), 0)",
            "expression:1:1: parseUnits(): \"1e5\" is not a decimal number\n  parseUnits(concat(\"1e\", \"5\"), 0)\n  ^"
        ),
        // Keys in messages are quoted with JSON escapes.
        (
            "{\"a\\\\\\n\\t\\r\\u0001\": 1, \"a\\\\\\n\\t\\r\\u0001\": 2}",
            "expression:1:24: duplicate object key \"a\\\\\\n\\t\\r\\u0001\"\n  {\"a\\\\\\n\\t\\r\\u0001\": 1, \"a\\\\\\n\\t\\r\\u0001\": 2}\n                         ^"
        ),
        // Lexer.
        ("a & b", "expression:1:3: unexpected '&'; use '&&'\n  a & b\n    ^"),
        ("a | b", "expression:1:3: unexpected '|'; use '||'\n  a | b\n    ^"),
        ("a @ b", "expression:1:3: unexpected character '@'\n  a @ b\n    ^"),
        ("a € b", "expression:1:3: unexpected character '€'\n  a € b\n    ^"),
        ("0xg", "expression:1:3: expected hex digits after '0x'\n  0xg\n    ^"),
        ("0x1g", "expression:1:4: invalid hex digit\n  0x1g\n     ^"),
        (
            "0x" + String(repeating: "1", count: 129),
            "expression:1:1: hex literal is wider than 512 bits\n  0x" + String(repeating: "1", count: 58) + "\n  ^"
        ),
        ("1e", "expression:1:3: expected exponent digits after 'e'\n  1e\n    ^"),
        ("1e5x", "expression:1:4: unexpected 'x' in number\n  1e5x\n     ^"),
        ("12abc", "expression:1:3: unexpected 'a' in number\n  12abc\n    ^"),
        ("1e155", "expression:1:1: number is wider than 512 bits\n  1e155\n  ^"),
        (
            "1e-1",
            "expression:1:1: not a whole number: numbers are exact integers (write 2.5e6, 10**18 or an integer)\n  1e-1\n  ^"
        ),
        (
            "x == 1.5",
            "expression:1:6: fractional numbers are not supported: numbers are exact integers (write 2.5e6, 10**18 or an integer)\n  x == 1.5\n       ^"
        ),
        (
            "\"\\q\"",
            "expression:1:2: invalid escape '\\q' (JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)\n  \"\\q\"\n   ^"
        ),
        (
            "\"\\uD800x\"",
            "expression:1:8: expected a low surrogate \\uDC00-\\uDFFF after a high surrogate\n  \"\\uD800x\"\n         ^"
        ),
        (
            "\"\\uD800\\u0041\"",
            "expression:1:8: expected a low surrogate \\uDC00-\\uDFFF\n  \"\\uD800\\u0041\"\n         ^"
        ),
        ("\"\\uDC00\"", "expression:1:2: lone low surrogate in \\u escape\n  \"\\uDC00\"\n   ^"),
        ("\"\\u12", "expression:1:2: expected 4 hex digits after \\u\n  \"\\u12\n   ^"),
        ("\"\\u12zz\"", "expression:1:2: expected 4 hex digits after \\u\n  \"\\u12zz\"\n   ^"),
        ("\"a\tb\"", "expression:1:3: control character in string; use an escape such as \\n\n  \"a\tb\"\n    ^"),
        ("\"abc\\", "expression:1:5: unterminated escape\n  \"abc\\\n      ^"),
        // A tab before the error keeps its width under the caret.
        ("\tx == (1", "expression:1:9: expected ')' to close '(' at column 7\n  \tx == (1\n  \t       ^"),
        // Sixty bytes either side, cut on a character boundary.
        (
            "(\"" + String(repeating: "é", count: 40) + "\") @ \"" + String(repeating: "é", count: 40) + "\"",
            "expression:1:46: unexpected character '@'\n  …" + String(repeating: "é", count: 28) + "\") @ \""
                + String(repeating: "é", count: 28) + "\n  " + String(repeating: " ", count: 32) + "^"
        ),
    ])
    func refusesAtCompileTime(source: String, rendered: String) {
        #expect(compileError(source) == rendered)
    }

    @Test(arguments: [
        ("00e-2 == 0", "true"),
        ("\"\\b\\f\\r\\t\\/\" == concat(\"\\u0008\", \"\\u000c\", \"\\u000d\", \"\\u0009\", \"/\")", "true"),
        ("\"\\uD83D\\uDE00\" == concat(\"😀\")", "true"), ("100e-2", "1"), ("1_0.5_0e1", "105"),
    ])
    func lexesLiterals(source: String, expected: String) throws {
        #expect(try eval(source) == expected)
    }

    /// Values of the wrong kind reach functions only at run time, where
    /// the message names the function's signature; and more corners.
    @Test(arguments: [
        ("upper(args.flag)", "error: upper(string): expected a string, got bool true"),
        (
            "startsWith(args.ids, \"a\")",
            "error: startsWith(string, prefix): expected a string, got list [\"1\",\"2\",\"0x03\"]"
        ),
        (
            "endsWith(args.order, \"x\")",
            "error: endsWith(string, suffix): expected a string, got object {\"maker\":\"0xAbC\"}"
        ),
        ("replace(args.flag, \"a\", \"b\")", "error: replace(string, old, new): expected a string, got bool true"),
        (
            "substr(args.ids, 1)",
            "error: substr(string, start[, length]): expected a string, got list [\"1\",\"2\",\"0x03\"]"
        ),
        ("matches(args.flag, \"x\")", "error: matches(string, regex): expected a string, got bool true"),
        ("checksum(args.flag)", "error: checksum(address): expected a string, got bool true"),
        ("contains(args.flag, \"x\")", "error: contains(string|list, value): expected a string, got bool true"),
        ("lower(args.ids)", "error: lower(string): expected a string, got list [\"1\",\"2\",\"0x03\"]"),
        ("ecrecover(keccak256(\"x\"), 27, -1, 1)", "error: ecrecover() r must be 32 bytes, got -1"),
        ("ecrecover(keccak256(\"x\"), 27, -len(event), 1)", "error: ecrecover() r must be 32 bytes, got -8"),
        ("matches(event, \"^t\") || matches(event, \"^t\")", "false"),
        ("2 ** -len(event)", "error: negative exponent in '**'"),
        ("args.ids[0] >= concat(\"1\")", "true"),
        ("substr(event, 8) == \"\"", "true"),
        ("concat(\"0xzz\") < \"0xa\"", "false"),
        ("blockNumber <= 19000000", "true"),
        ("logIndex <= 26 && event == \"Transfer\"", "false"),
        ("coalesce(len(event)).x", "null"),
        ("args.ids[-(2**63)]", "null"), ("args.ids[-(2**64)]", "null"), ("args.ids[2**63]", "null"),
        ("2**300 * 2**(len(event) * 40)", "error: integer overflow in '*' (numbers are limited to 512 bits)"),
        ("2**(len(event) * 40) * 2**300", "error: integer overflow in '*' (numbers are limited to 512 bits)"),
        ("coalesce(lower(event))[0]", "null"),
        ("coalesce(args.nothing, args.nothing)", "null"),
        ("coalesce(args.nothing, event)", "\"Transfer\""),
        ("min(args.nothing, args.nothing)", "null"),
    ])
    func runtimeTypeErrorsAndCorners(source: String, expected: String) throws {
        #expect(try evalTransfer(source) == expected)
    }

    @Test(arguments: [
        ("x", "{\"x\":1.5}", "1.5"),
        ("str(x)", "{\"x\":1.5}", "\"1.5\""),
        ("concat(x, \"!\")", "{\"x\":-2.5e1}", "\"-25!\""),
    ])
    func fractionsKeepTheirText(source: String, event: String, expected: String) throws {
        #expect(try eval(source, event: event) == expected)
    }
}
