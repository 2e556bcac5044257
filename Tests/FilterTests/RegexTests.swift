import CCFilter
import CCTestSupport
import Foundation
import Testing

@testable import CCFilter

/// `matches()`'s linear-time engine: answers agree with Python's `re`
/// (a backtracking engine, run by the test) on a table of patterns and
/// texts, and catastrophic patterns answer at once.
struct RegexTests {
    static let patterns = [
        "^Trans", "fer$", "^0x[0-9a-fA-F]{40}$", "(?i)^0XAB", "a|b|c", "^(a|ab)(c|bcd)(d*)$", "colou?r",
        "^\\d{3,5}$", "\\bcat\\b", "\\Bcat", "[^a-z]", "^[\\w.-]+@[\\w-]+\\.\\w{2,}$", "x{2,}", "^.{0,3}$",
        "^(?:ab)+$", "^(a+)+$", "^(\\w+\\s?)*$", "a.c", "^$", "\\s+", "[\\]\\-]", "[a-c-]", "(?i:AB)c", "é+",
        "^a{2}b{1,2}?c*+$", "\\.", "\\x41", "^(?P<word>\\w+) \\w+$", "\\$\\d", "^\\S+$",
    ]
    static let texts = [
        "Transfer", "0x28C6c06298d514Db089934071355E5743bf21d60", "0xabc", "abcd", "color", "colour", "12345",
        "1234567", "the cat sat", "concat", "ABC", "a.b@x-y.io", "xx", "", "abab", "aaaaaaaaaa!",
        "hello world foo!", "a\nc", "a c", "]", "-", "abC", "ééé", "aabbccc",
        "A", "word word", "$5", "a\n",
    ]

    @Test func agreesWithPythonRe() throws {
        let script = """
            import json, re, sys
            pats, texts = json.load(sys.stdin)
            print(json.dumps([[bool(re.search(p, t)) for t in texts] for p in pats]))
            """
        let input = try JSONSerialization.data(withJSONObject: [Self.patterns, Self.texts])
        let r = try BuiltBinaries.run(
            "/usr/bin/env", ["python3", "-c", script], stdin: String(decoding: input, as: UTF8.self))
        #expect(r.status == 0, "\(r.stderr)")
        let want = try #require(
            try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[Bool]], "\(r.stderr)")
        for (pi, p) in Self.patterns.enumerated() {
            let re = try FilterRegex(p)
            for (ti, t) in Self.texts.enumerated() {
                let got = try re.firstMatch(in: Array(t.unicodeScalars))
                #expect(got == want[pi][ti], "matches(\(t.debugDescription), \(p.debugDescription))")
            }
        }
    }

    /// Random patterns over a small alphabet against random short texts.
    @Test func randomPatternsAgreeWithPythonRe() throws {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let atoms = ["a", "b", "c", ".", "[ab]", "[^a]", "\\w", "\\d", "\\s", "[a-c]", "x", "1", " ", "\\n"]
        func pattern(_ depth: Int) -> String {
            var out = ""
            for _ in 0..<(1 + next(4)) {
                var atom = depth < 3 && next(4) == 0 ? "(" + pattern(depth + 1) + ")" : atoms[next(atoms.count)]
                if depth < 3 && next(6) == 0 { atom = "(?:" + pattern(depth + 1) + "|" + pattern(depth + 1) + ")" }
                out += atom + ["", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?"][next(9)]
            }
            let anchored = ["", "^", ""][next(3)] + out + ["", "$", ""][next(3)]
            return depth == 0 && next(8) == 0 ? "(?i)" + anchored : anchored
        }
        let letters = Array("abcAB1 x\n")
        let patterns = (0..<300).map { _ in pattern(0) }
        let texts = (0..<30).map { _ in String((0..<next(10)).map { _ in letters[next(letters.count)] }) }
        let script = """
            import json, re, sys
            pats, texts = json.load(sys.stdin)
            print(json.dumps([[bool(re.search(p, t)) for t in texts] for p in pats]))
            """
        let input = try JSONSerialization.data(withJSONObject: [patterns, texts])
        let r = try BuiltBinaries.run(
            "/usr/bin/env", ["python3", "-c", script], stdin: String(decoding: input, as: UTF8.self))
        #expect(r.status == 0, "\(r.stderr)")
        let want = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[Bool]])
        var failures = 0
        for (pi, p) in patterns.enumerated() {
            let re = try FilterRegex(p)
            for (ti, t) in texts.enumerated() where failures < 10 {
                let got = try re.firstMatch(in: Array(t.unicodeScalars))
                if got != want[pi][ti] {
                    failures += 1
                    Issue.record(
                        "matches(\(t.debugDescription), \(p.debugDescription)): \(got), Python \(want[pi][ti])")
                }
            }
        }
    }

    @Test func catastrophicPatternsAreLinear() throws {
        let text = Array((String(repeating: "a", count: 20_000) + "!").unicodeScalars)
        let start = ContinuousClock.now
        for p in ["^(a+)+$", "^(a|a)*$", "^(a*)*b$", "^(\\w+\\s?)*$", "(x+x+)+y"] {
            #expect(try FilterRegex(p).firstMatch(in: text) == false)
        }
        #expect(ContinuousClock.now - start < .seconds(20))
    }

    @Test func refusesWhatNoLinearEngineCanDo() {
        for (p, what) in [
            ("(a)\\1", "not supported"), ("(?=a)", "lookaround"), ("(?<!a)b", "lookaround"), ("(", "missing ')'"),
            ("a)", "unmatched ')'"), ("*a", "nothing to repeat"), ("[a", "missing ']'"),
            ("(a{1000}){1000}", "too large"),
            ("a{3,2}", "below the minimum"), ("a**", "cannot follow"),
        ] {
            do {
                _ = try FilterRegex(p)
                Issue.record("\(p) compiled")
            } catch {
                #expect(error.message.contains(what), "\(p): \(error.message)")
            }
        }
    }
}
