import CCKit
import Testing

/// Scans `text` and hands the root to `body` while the bytes are alive.
func withJSON<R>(_ text: String, _ body: (JSONValue) throws -> R) throws -> R {
    try withJSON(Array(text.utf8), body)
}

func withJSON<R>(_ bytes: [UInt8], _ body: (JSONValue) throws -> R) throws -> R {
    try bytes.withUnsafeBufferPointer { b in try body(try JSONLine(b).root) }
}

/// The scanner's error for `bytes`, or nil when they are valid JSON.
func syntaxError(_ bytes: [UInt8]) -> JSONSyntaxError? {
    bytes.withUnsafeBufferPointer { b in
        do throws(JSONSyntaxError) {
            _ = try JSONLine(b)
            return nil
        } catch {
            return error
        }
    }
}

func syntaxError(_ text: String) -> JSONSyntaxError? { syntaxError(Array(text.utf8)) }

@Suite struct JSONScannerAcceptTests {
    // y_ cases in the spirit of JSONTestSuite: every one must be accepted.
    static let accepted: [String] = [
        "{}", "[]", "0", "-0", "1", "-1", "123", "1.5", "-1.5e10", "1E+2", "1e-2", "0.0", "0e0", "-0.0e-0",
        "1234567890123456789012345678901234567890", "\"\"", "\"a\"", "true", "false", "null",
        " [ ] ", "\t{\"a\" : 1 }\r\n", "[1,2,3]", "[[[]]]", "[{}]", "{\"a\":{\"b\":{\"c\":[1,{\"d\":null}]}}}",
        "{\"a\":1,\"a\":2}", "{\"\":0}", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", "\"\\u0000\"", "\"\\uD834\\uDD1E\"",
        "\"\\uDEAD\"", "\"\\ud800\"", "\"\\uABCDef\"", "\"é日本\"", "\"\u{1F600}\"", "[-0.000001e-99]",
        "[true,false,null]", "\"\u{7F}\"", "[1 , 2 ,3 ]", "{\"a\":[],\"b\":{}}",
    ]

    @Test(arguments: accepted)
    func accepts(_ text: String) {
        #expect(syntaxError(text) == nil, "\(text)")
    }

    @Test func acceptsInvalidUTF8InsideStrings() {
        #expect(syntaxError([0x22, 0xFF, 0xC0, 0x80, 0xED, 0xA0, 0x80, 0x22]) == nil)
    }

    @Test func acceptsLongStringsAcrossTheWordLoop() {
        for n in 0..<40 {
            let s = "\"" + String(repeating: "x", count: n) + "\\n" + String(repeating: "é", count: n) + "\""
            #expect(syntaxError(s) == nil)
        }
    }

    @Test func nestingUpTo512IsAccepted() {
        let text = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(syntaxError(text) == nil)
    }
}

@Suite struct JSONScannerRejectTests {
    // n_ cases: each must be rejected with exactly this message.
    static let rejected: [(String, String)] = [
        ("", "unexpected end of input, expected a JSON value at column 1"),
        ("   ", "unexpected end of input, expected a value at column 4"),
        ("[1,]", "unexpected ']', expected a value at column 4"),
        ("[,1]", "unexpected ',', expected a value at column 2"),
        ("{\"a\":1,}", "expected '\"' to begin an object key, found '}' at column 8"),
        ("{\"a\" 1}", "expected ':' after object key at column 6"),
        ("{\"a\":1 \"b\":2}", "expected ',' or '}' after object member at column 8"),
        ("[1 2]", "expected ',' or ']' after array element at column 4"),
        ("{a:1}", "expected '\"' to begin an object key, found 'a' at column 2"),
        ("{'a':1}", "expected '\"' to begin an object key, found ''' at column 2"),
        ("[1]x", "unexpected 'x' after the JSON value at column 4"),
        ("{} {}", "unexpected '{' after the JSON value at column 4"),
        ("01", "invalid number: leading zero at column 1"),
        ("-01", "invalid number: leading zero at column 1"),
        ("-", "invalid number: expected a digit after '-' at column 2"),
        ("-a", "invalid number: expected a digit after '-' at column 2"),
        ("1.", "invalid number: expected a digit after '.' at column 3"),
        (".5", "unexpected '.', expected a value at column 1"),
        ("1.e5", "invalid number: expected a digit after '.' at column 3"),
        ("1e", "invalid number: expected a digit in the exponent at column 3"),
        ("1e+", "invalid number: expected a digit in the exponent at column 4"),
        ("+1", "unexpected '+', expected a value at column 1"),
        ("0x10", "unexpected 'x' after the JSON value at column 2"),
        ("NaN", "unexpected 'N', expected a value at column 1"),
        ("Infinity", "unexpected 'I', expected a value at column 1"),
        ("tru", "invalid literal, expected 'true' at column 1"),
        ("True", "unexpected 'T', expected a value at column 1"),
        ("nul", "invalid literal, expected 'null' at column 1"),
        ("falsey", "unexpected 'y' after the JSON value at column 6"),
        ("\"abc", "unterminated string (no closing '\"') at column 1"),
        ("[\"a\\\"]", "unterminated string (no closing '\"') at column 2"),
        ("\"\\x\"", "invalid escape '\\x' in string at column 2"),
        ("\"\\'\"", "invalid escape '\\'' in string at column 2"),
        ("\"\\u12\"", "invalid \\u escape in string (expected 4 hex digits) at column 2"),
        ("\"\\u12G4\"", "invalid \\u escape in string (expected 4 hex digits) at column 2"),
        ("\"\\U1234\"", "invalid escape '\\U' in string at column 2"),
        ("\"a\tb\"", "unescaped control character byte 0x09 in string at column 3"),
        ("\"a\nb\"", "unescaped control character byte 0x0A in string at column 3"),
        ("[1", "unexpected end of input, expected ',' or ']' at column 3"),
        ("{\"a\":1", "unexpected end of input, expected ',' or '}' at column 7"),
        ("{\"a\"", "unexpected end of input, expected ':' at column 5"),
        ("{\"a\":", "unexpected end of input, expected a value at column 6"),
        ("{", "unexpected end of input, expected an object key at column 2"),
        ("[", "unexpected end of input, expected a value at column 2"),
        ("]", "unexpected ']', expected a value at column 1"),
        ("{\"a\":1]", "expected ',' or '}' after object member at column 7"),
        ("[1}", "expected ',' or ']' after array element at column 3"),
        ("\u{FEFF}{}", "unexpected byte 0xEF, expected a value at column 1"),
        ("[\u{0}]", "unexpected byte 0x00, expected a value at column 2"),
        ("/* */ {}", "unexpected '/', expected a value at column 1"),
    ]

    @Test(arguments: rejected)
    func rejects(_ text: String, _ message: String) {
        let e = syntaxError(text)
        #expect(e?.message == message, "\(text)")
    }

    @Test func stringStopsAreFoundAtEveryPosition() throws {
        for pos in 0..<48 {
            var body = [UInt8](repeating: 0x62, count: 48)
            body[pos] = 0x09
            let e = syntaxError([0x5B, 0x22] + body + [0x22, 0x5D])
            #expect(e?.message == "unescaped control character byte 0x09 in string at column \(pos + 3)")
            body[pos] = 0x22  // the string ends there; the rest is garbage
            #expect(syntaxError([0x5B, 0x22] + body + [0x22, 0x5D])?.offset == pos + 3)
            guard pos < 47 else { continue }
            body[pos] = 0x5C  // \b
            let len = try withJSON([0x22] + body + [0x22]) { $0.string().count }
            #expect(len == 47)
        }
    }

    @Test func offsetIsZeroBasedAndColumnOneBased() {
        let e = syntaxError("{\"address\":\"0x1\" \"x\"}")
        #expect(e?.offset == 17)
        #expect(e?.message == "expected ',' or '}' after object member at column 18")
    }

    @Test func tooDeepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(syntaxError(text)?.message == "nesting deeper than 512 levels at column 513")
        let deep = String(repeating: "{\"a\":", count: 100_000)
        #expect(syntaxError(deep)?.message == "nesting deeper than 512 levels at column 2561")
    }

    @Test func garbageNeverCrashes() {
        var x: UInt64 = 0x1234_5678
        let alphabet = Array("{}[]\":,01-.eE+tfnrul\\ ax\u{7F}".utf8) + [0x00, 0x0A, 0xFF, 0xC3]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let n = Int(x % 24)
            for _ in 0..<n {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                bytes.append(alphabet[Int(x % UInt64(alphabet.count))])
            }
            if syntaxError(bytes) == nil {
                // Whatever it accepted must be walkable and re-writable.
                _ = try? withJSON(bytes) { root in
                    var w = JSONWriter()
                    w.value(root)
                    return w.bytes.count
                }
            }
        }
    }
}
