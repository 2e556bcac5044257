import Testing

@testable import CCFilter

/// `--sort`'s ordering and `avg`'s exact division, against answers from
/// Python's Decimal and integers.
struct AggregatorOrderTests {
    @Test(arguments: [
        ("1", "2", -1), ("10", "9", 1), ("-1", "1", -1), ("1", "-1", 1), ("-0", "0", 0), ("-0.0", "0", 0),
        ("007", "7", 0), ("1.50", "1.5", 0), ("1.05", "1.5", -1), ("-1.5", "-1.25", -1), ("-2", "-10", 1),
        ("0.000", "0", 0), ("-0.001", "0", -1),
        (
            "12345678901234567890123456789012345678901234567890", "12345678901234567890123456789012345678901234567891",
            -1
        ),
        (
            "100000000000000000000000000000000000000000000000000000000000000000000000000000000.5",
            "99999999999999999999999999999999999999999999999999999999999999999999999999999999.9", 1
        ),
    ])
    func comparesDecimalText(x: String, y: String, expected: Int) {
        #expect(FilterAggregator.compareDecimalText(Array(x.utf8), Array(y.utf8)) == expected)
        #expect(FilterAggregator.compareDecimalText(Array(y.utf8), Array(x.utf8)) == -expected)
    }

    @Test(arguments: [
        ("1.", "1"), (".5", "0.5"), ("1e3", "1"), ("abc", "1"), ("1", "x"), ("-", "1"), ("", "0"), ("1.2.3", "1"),
    ])
    func notDecimalText(x: String, y: String) {
        #expect(FilterAggregator.compareDecimalText(Array(x.utf8), Array(y.utf8)) == nil)
    }

    /// `null`, `true`, `false`, `#N` (a number), `[N]` (a list) or a string.
    static func value(_ s: String) -> FilterValue {
        switch s {
        case "null": return .null
        case "true", "false": return .bool(s == "true")
        default:
            if s.hasPrefix("#") { return .int(Int512(Int(s.dropFirst())!)) }
            if s.hasPrefix("[") { return .list([.int(Int512(Int(s.dropFirst().dropLast())!))]) }
            return .string(Array(s.utf8))
        }
    }

    /// Nulls last in both directions; numbers by value; other strings by
    /// bytes; other values by their JSON text.
    @Test(arguments: [
        ("null", "null", false, 0), ("null", "1", false, 1), ("null", "1", true, 1), ("1", "null", true, -1),
        ("#2", "10", false, -1), ("#2", "10", true, 1), ("b", "a", false, 1), ("0x10", "9", false, 1),
        ("false", "x", false, 1), ("true", "false", false, 1), ("true", "true", true, 0), ("[1]", "true", false, -1),
    ])
    func sortOrder(a: String, b: String, descending: Bool, expected: Int) {
        #expect(FilterAggregator.sortOrder(Self.value(a), Self.value(b), descending: descending) == expected)
    }

    @Test func averageIsExactTo18DigitsTruncated() throws {
        #expect(FilterAggregator.average(Int512(7), 2) == "3.5")
        #expect(FilterAggregator.average(Int512(-7), 2) == "-3.5")
        #expect(FilterAggregator.average(Int512(1), 3) == "0.333333333333333333")
        #expect(FilterAggregator.average(Int512(-1), 3) == "-0.333333333333333333")
        #expect(FilterAggregator.average(Int512(0), 5) == "0")
        #expect(FilterAggregator.average(Int512(-5), 5) == "-1")
        // 2^500 × 10^18 does not fit 512 bits: the whole quotient, truncated.
        let big = try Int512(2).power(Int512(500))
        #expect(
            FilterAggregator.average(big, 3)
                == "1091130202632047290004396565609199717405547348681021596494430456032044598801558184961090030775301385716962228042520023669739085515295131017776175863125"
        )
        #expect(
            FilterAggregator.average(big.negated, 3)
                == "-1091130202632047290004396565609199717405547348681021596494430456032044598801558184961090030775301385716962228042520023669739085515295131017776175863125"
        )
    }
}
