import CCTestSupport
import Foundation
import Testing

/// Hostile cells written by `cc-sink file x.csv` and read back by Python's
/// csv module, an RFC 4180 reader we did not write: every cell must come
/// back exactly (issue 14). The fuzz target `Fuzz/csv` checks the same
/// property against a reader inside the target, per input.
@Suite("cc-sink file: CSV read back by Python's csv")
struct CSVPythonRoundTripTests {
    /// One piece of a cell: the JSON text that goes into the input line
    /// (raw bytes, possibly invalid UTF-8) and the text the cell must hold.
    struct Piece {
        var json: [UInt8]
        var text: String
        init(_ json: String, _ text: String) {
            self.json = Array(json.utf8)
            self.text = text
        }
        init(bytes: [UInt8], _ text: String) {
            json = bytes
            self.text = text
        }
    }

    static let pieces: [Piece] = [
        Piece("plain", "plain"), Piece(",", ","), Piece(#"\""#, "\""), Piece(#"\"\""#, "\"\""),
        Piece(#"\r"#, "\r"), Piece(#"\n"#, "\n"), Piece(#"\r\n"#, "\r\n"), Piece(#"\n\r"#, "\n\r"),
        Piece(#"\u0000"#, "\u{0}"), Piece(" ", " "), Piece("  lead", "  lead"), Piece("trail ", "trail "),
        Piece(#"\t"#, "\t"), Piece("=SUM(A1:A9)", "=SUM(A1:A9)"), Piece("+1", "+1"), Piece("-2", "-2"),
        Piece("@cmd", "@cmd"), Piece("=HYPERLINK(\\\"http://x\\\")", "=HYPERLINK(\"http://x\")"),
        Piece(#"\\"#, "\\"), Piece(#"\/"#, "/"), Piece("é", "é"), Piece("日本", "日本"), Piece("😀", "😀"),
        Piece(#"\ud83d\ude00"#, "😀"), Piece(#"\u2028"#, "\u{2028}"), Piece(#"\u00e9"#, "é"),
        Piece("'", "'"), Piece(";", ";"), Piece("\u{7f}", "\u{7f}"), Piece(#"\u001b[31m"#, "\u{1b}[31m"),
        // Ill-formed UTF-8: one U+FFFD per maximal subpart, the repair every output uses.
        Piece(bytes: [0xFF], "\u{FFFD}"), Piece(bytes: [0xC3], "\u{FFFD}"),
        Piece(bytes: [0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"), Piece(bytes: [0xE2, 0x82], "\u{FFFD}"),
        Piece(bytes: [0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),
        Piece(bytes: [0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),
    ]

    /// A cell's value in the input: a string of pieces, a number, a literal,
    /// an array or object (written as their JSON text), null, or no field.
    enum Cell {
        case string([Piece])
        case json(String)
        case null
        case missing

        var expected: String {
            switch self {
            case .string(let p): p.map(\.text).joined()
            case .json(let t): t
            case .null, .missing: ""
            }
        }
    }

    /// A small deterministic generator (SplitMix64), so a failure reproduces.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func cell(_ g: inout Generator) -> Cell {
        switch g.below(12) {
        case 0: return .string([])
        case 1: return .null
        case 2: return .missing
        case 3:
            return .json(
                [
                    "0", "-1", "1.5e300", "true", "false",
                    "115792089237316195423570985008687907853269984665640564039457584007913129639935",
                ][g.below(6)])
        case 4: return .json([#"[1,"a,b",null]"#, #"{"k":"v\"q"}"#, "[]", "{}"][g.below(4)])
        default: return .string((0..<(1 + g.below(6))).map { _ in pieces[g.below(pieces.count)] })
        }
    }

    /// Argument names the header must carry through as well.
    static let argNames = ["plain", "with,comma", #"quo\"te"#, #"new\nline"#, " lead", "=cmd()", "ünï"]
    static let argHeaders = ["plain", "with,comma", "quo\"te", "new\nline", " lead", "=cmd()", "ünï"]

    @Test("hostile cells (quotes, commas, CR, LF, NUL, bad UTF-8, formulas, empty vs missing) read back exactly")
    func hostileCellsRoundTrip() throws {
        let dir = try SinkTest.tempDir("csv-py")
        var g = Generator(state: 14)
        var input: [UInt8] = []
        var expected: [[String]] = [
            ["chainId", "blockNumber", "blockHash", "logIndex", "event"] + Self.argHeaders.map { "args." + $0 }
        ]
        for n in 0..<400 {
            // The first record has every field: the header comes from it.
            let cells = Self.argNames.map { _ in n == 0 ? Cell.string([Self.pieces[0]]) : Self.cell(&g) }
            // The event name is hostile too, but a string: a record's kind depends on it.
            let event = Cell.string(
                n == 0 ? [Self.pieces[0]] : (0..<(1 + g.below(4))).map { _ in Self.pieces[g.below(Self.pieces.count)] })
            var members: [[UInt8]] = []
            for (key, value) in zip(Self.argNames, cells) {
                switch value {
                case .string(let p): members.append(Array("\"\(key)\":\"".utf8) + p.flatMap(\.json) + [0x22])
                case .json(let t): members.append(Array("\"\(key)\":\(t)".utf8))
                case .null: members.append(Array("\"\(key)\":null".utf8))
                case .missing: break
                }
            }
            input += Array(#"{"chainId":1,"blockNumber":\#(n / 4),"blockHash":"0x\#(n / 4)","logIndex":\#(n % 4)"#.utf8)
            if case .string(let p) = event { input += Array(#","event":""#.utf8) + p.flatMap(\.json) + [0x22] }
            input += Array(#","args":{"#.utf8) + Array(members.joined(separator: [0x2C]))
            input += Array("}}\n".utf8)
            expected.append(["1", "\(n / 4)", "0x\(n / 4)", "\(n % 4)", event.expected] + cells.map(\.expected))
        }
        try Data(input).write(to: URL(fileURLWithPath: dir + "/in.ndjson"))
        let r = try SinkTest.run("cc-sink", ["file", "out.csv", "in.ndjson"], directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try Self.pythonRows(dir + "/out.csv")
        #expect(rows.count == expected.count)
        for (i, (got, want)) in zip(rows, expected).enumerated() where got != want {
            Issue.record("row \(i): \(got.debugDescription) != \(want.debugDescription)")
            break
        }
    }

    /// The rows of a CSV file as Python's csv module reads them, strict UTF-8.
    static func pythonRows(_ path: String) throws -> [[String]] {
        let script = """
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8', errors='strict') as f:
                print(json.dumps(list(csv.reader(f, strict=True))))
            """
        let r = try BuiltBinaries.run("/usr/bin/env", ["python3", "-c", script, path])
        guard r.status == 0 else {
            Issue.record("python3 could not read \(path): \(r.stderr)")
            return []
        }
        return try JSONDecoder().decode([[String]].self, from: Data(r.stdout.utf8))
    }
}
