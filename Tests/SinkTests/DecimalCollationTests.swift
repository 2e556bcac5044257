import CCKit
import CCTestSupport
import Foundation
import Testing

/// The `decimal` collation per-event tables declare on wide integer columns:
/// numeric order for decimal integers (sign, leading zeros, spaces), every
/// other text after the numbers, bytewise among itself. Expected orders come
/// from Python's integers, not from the code under test.
@Suite("sqlite decimal collation")
struct DecimalCollationTests {
    static func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }

    /// -1, 0 or 1 as SQLite compares `a` and `b` under the collation.
    static func compare(_ a: String, _ b: String) throws -> String? {
        let db = try SQLiteConnection(path: ":memory:")
        let (x, y) = (literal(a), literal(b))
        return try db.query(
            "SELECT CASE WHEN \(x) = \(y) COLLATE decimal THEN 0 WHEN \(x) < \(y) COLLATE decimal THEN -1 ELSE 1 END"
        ).first?.first ?? nil
    }

    @Test(
        "pairs: signs, leading zeros, equal lengths, spaces, -0, and text that is not an integer",
        arguments: [
            ("5", "5", "0"), ("10", "9", "1"), ("9", "10", "-1"), ("123", "124", "-1"), ("124", "123", "1"),
            ("-5", "3", "-1"), ("3", "-5", "1"), ("-12", "-13", "1"), ("-13", "-12", "-1"), ("-100", "-99", "-1"),
            ("-99", "-100", "1"), ("+7", "7", "0"), ("007", "7", "0"), ("-007", "-7", "0"), ("0", "-0", "0"),
            ("-0", "+0", "0"), ("000", "0", "0"), (" 42 ", "42", "0"), ("  -1", "0", "-1"),
            (
                "115792089237316195423570985008687907853269984665640564039457584007913129639935",
                "115792089237316195423570985008687907853269984665640564039457584007913129639934", "1"
            ),
            ("-57896044618658097711785492504343953926634992332820282019728792003956564819968", "0", "-1"),
            ("abc", "1", "1"), ("1", "abc", "-1"), ("abc", "abd", "-1"), ("abd", "abc", "1"), ("abc", "abc", "0"),
            ("ab", "abc", "-1"), ("abc", "ab", "1"), ("", "0", "1"), ("-", "0", "1"), ("+", "-", "-1"),
            (" ", "", "1"), ("1.5", "2", "1"), ("1e3", "999", "1"), ("0x10", "1", "1"), ("1 2", "12", "1"),
            ("\t5", "5", "1"), ("--5", "-5", "1"),
        ])
    func pair(a: String, b: String, expected: String) throws {
        #expect(try Self.compare(a, b) == expected, "\(a) vs \(b)")
    }

    @Test("ORDER BY a decimal column sorts as Python's int() does, text last, min and max numeric")
    func orderByMatchesPython() throws {
        let values = [
            "10", "9", "-10", "-9", "0", "-0", "+3", "003", "18446744073709551616", "18446744073709551615",
            "-18446744073709551616", " 7", "x", "", "-", "1.0", "99999999999999999999999999999999999999",
            "100000000000000000000000000000000000000", "-100000000000000000000000000000000000000", "Z", "+",
        ]
        let db = try SQLiteConnection(path: ":memory:")
        try db.exec("CREATE TABLE t (v TEXT COLLATE decimal)")
        for v in values { try db.exec("INSERT INTO t VALUES (\(Self.literal(v)))") }
        // Ties (0 and -0, 3 and +3 and 003) broken bytewise on both sides.
        let got = try db.query("SELECT v FROM t ORDER BY v, v COLLATE BINARY").map { $0[0] ?? "NULL" }
        let script = """
            import json, re, sys
            def key(s):
                t = s.strip(' ')
                if re.fullmatch(r'[+-]?[0-9]+', t):
                    return (0, int(t), s.encode())
                return (1, 0, s.encode())
            print(json.dumps(sorted(json.load(sys.stdin), key=key)))
            """
        let py = try BuiltBinaries.run(
            "/usr/bin/python3", ["-c", script],
            stdin: String(decoding: try JSONSerialization.data(withJSONObject: values), as: UTF8.self))
        #expect(py.status == 0, "\(py.stderr)")
        let expected = try JSONSerialization.jsonObject(with: Data(py.stdout.utf8)) as? [String]
        #expect(got == expected)
        #expect(
            try db.query("SELECT min(v), max(v) FROM t WHERE v GLOB '*[0-9]*' AND v NOT GLOB '*[^-+0-9 ]*'") == [
                ["-100000000000000000000000000000000000000", "100000000000000000000000000000000000000"]
            ])
    }
}
