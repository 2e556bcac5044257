import Foundation
import Testing

/// cc-filter against jq on expressions jq computes exactly (strings, small
/// integers), over generated events. Runs when jq is installed.
@Suite(.serialized) struct JQDifferentialTests {
    static let jqPath: String? = ["/usr/bin/jq", "/usr/local/bin/jq", "/opt/homebrew/bin/jq"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// (cc-filter, jq) pairs.
    static let pairs: [(String, String)] = [
        ("a + b", ".a + .b"),
        ("a - b * 3", ".a - .b * 3"),
        ("(a + b) * (a - b)", "(.a + .b) * (.a - .b)"),
        ("a % 7", ".a % 7"),
        ("-a", "-.a"),
        ("a ** 2", "pow(.a; 2)"),
        ("a < b", ".a < .b"),
        ("a <= b", ".a <= .b"),
        ("a == b", ".a == .b"),
        ("a != b", ".a != .b"),
        ("a >= b", ".a >= .b"),
        ("s == t", ".s == .t"),
        ("s < t", ".s < .t"),
        ("s >= t", ".s >= .t"),
        ("a > 3 && b < 5", ".a > 3 and .b < 5"),
        ("a > 3 || s == \"ab\"", ".a > 3 or .s == \"ab\""),
        ("!(a > 3)", ".a > 3 | not"),
        ("a > 3 ? s : t", "if .a > 3 then .s else .t end"),
        ("lower(s)", ".s | ascii_downcase"),
        ("upper(t)", ".t | ascii_upcase"),
        ("len(s)", ".s | length"),
        ("len(arr)", ".arr | length"),
        ("contains(s, \"ab\")", ".s | contains(\"ab\")"),
        ("startsWith(s, \"a\")", ".s | startswith(\"a\")"),
        ("endsWith(t, \"z\")", ".t | endswith(\"z\")"),
        ("replace(s, \"a\", \"XY\")", ".s | gsub(\"a\"; \"XY\")"),
        ("substr(s, 1, 2)", ".s[1:3]"),
        ("concat(s, t)", ".s + .t"),
        ("a in arr", ".a as $x | any(.arr[]; . == $x)"),
        ("s not in [\"ab\", \"zz\"]", ".s as $x | [\"ab\", \"zz\"] | index([$x]) == null"),
        ("str(a)", ".a | tostring"),
        ("abs(a)", "if .a < 0 then -.a else .a end"),
        ("min(a, b)", "[.a, .b] | min"),
        ("max(a, b, 4)", "[.a, .b, 4] | max"),
        ("coalesce(n, a)", ".n // .a"),
        ("n == null", ".n == null"),
        ("missing == null", ".missing == null"),
        ("arr[0]", ".arr[0]"),
        ("arr[-1]", ".arr[-1]"),
        ("arr[9]", ".arr[9]"),
        ("[a, s]", "[.a, .s]"),
        ("{x: a, y: [b]}", "{x: .a, y: [.b]}"),
        ("b in [1, 2, 3] && s != t", "(.b as $x | [1,2,3] | index([$x]) != null) and .s != .t"),
    ]

    static func events(_ count: Int) -> [String] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let letters = Array("abcxyzAB")
        func word() -> String { String((0..<(1 + next(4))).map { _ in letters[next(letters.count)] }) }
        return (0..<count).map { _ in
            let arr = (0..<(1 + next(4))).map { _ in String(next(20) - 5) }.joined(separator: ",")
            return
                "{\"event\":\"E\",\"a\":\(next(200) - 100),\"b\":\(next(10)),\"s\":\"\(word())\",\"t\":\"\(word())\",\"n\":null,\"arr\":[\(arr)]}"
        }
    }

    @Test(.enabled(if: jqPath != nil)) func agreesWithJQ() throws {
        let input = Self.events(300).joined(separator: "\n") + "\n"
        let ours = "{" + Self.pairs.enumerated().map { "e\($0.offset): \($0.element.0)" }.joined(separator: ", ") + "}"
        let theirs =
            "{" + Self.pairs.enumerated().map { "e\($0.offset): (\($0.element.1))" }.joined(separator: ", ") + "}"
        let r = try BinaryRunner.run(["--map", ours], stdin: input)
        #expect(r.status == 0)
        // The pairs read a `missing` field on purpose: the end-of-run report names it.
        #expect(r.stderr == "cc-filter: warning: missing matched no field in 300 events, so it was null\n")
        let j = try BinaryRunner.run(["-c", theirs], stdin: input, executable: Self.jqPath!)
        #expect(j.status == 0)
        let ourLines = r.lines, jqLines = j.lines
        #expect(ourLines.count == 300 && jqLines.count == 300)
        // Compare field by field so a mismatch names the expression.
        for (k, (o, t)) in zip(ourLines, jqLines).enumerated() {
            guard let od = try JSONSerialization.jsonObject(with: Data(o.utf8)) as? NSDictionary,
                let td = try JSONSerialization.jsonObject(with: Data(t.utf8)) as? NSDictionary
            else {
                Issue.record("line \(k): not objects: \(o) / \(t)")
                continue
            }
            for (i, pair) in Self.pairs.enumerated() {
                let key = "e\(i)"
                let a = od[key] as? NSObject, b = td[key] as? NSObject
                if a != b {
                    Issue.record(
                        "line \(k + 1): \(pair.0) = \(a.map { "\($0)" } ?? "missing"), jq \(pair.1) = \(b.map { "\($0)" } ?? "missing")"
                    )
                    return
                }
            }
        }
    }
}
