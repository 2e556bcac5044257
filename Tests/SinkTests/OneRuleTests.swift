import CCKit
import CCTestSupport
import Foundation
import Testing

/// One rule, one place (issue 10): typed option values refused as usage errors
/// before any I/O, and one UTF-8 repair whatever the output.
@Suite struct OneRuleTests {
    /// Invalid UTF-8 in a string argument: a truncated 4-byte sequence (one maximal
    /// subpart) and a lone 0xFF, so "one U+FFFD per byte" and "per subpart" differ.
    static let event = SinkTest.transfer(block: 1, log: 0).replacing(
        #""value":"1000000""#, with: #""value":"1000000","s":"a\xf0\x9f\x98b\xffc""#)
    static let repaired = "a\u{FFFD}b\u{FFFD}c"

    @Test func everyOutputRepairsUTF8TheSameWay() throws {
        let dir = try SinkTest.tempDir()
        let input = "printf '%b\\n' '\(Self.event)' '\(SinkTest.marker(block: 1))'"
        let mapped = try BuiltBinaries.shell(input + " | cc-filter --map '{s: args.s}'")
        #expect(mapped.status == 0, "\(mapped.stderr)")
        #expect(mapped.lines.first == #"{"s":"\#(Self.repaired)"}"#)
        let file = try BuiltBinaries.shell(input + " | cc-sink file \(dir)/out.ndjson --raw-logs refuse")
        #expect(file.status == 0, "\(file.stderr)")
        let written = try String(contentsOfFile: dir + "/out.ndjson", encoding: .utf8)
        #expect(written.contains(#""s":"\#(Self.repaired)""#), "\(written)")
        let db = try BuiltBinaries.shell(
            input
                + " | cc-sink sqlite \(dir)/t.db && sqlite3 \(dir)/t.db \"select json_extract(args,'$.s') from events\""
        )
        #expect(db.status == 0, "\(db.stderr)")
        #expect(db.stdout == Self.repaired + "\n")
    }

    @Test(arguments: [
        (["sqlite", "/tmp/x.db", "--busy-timeout", "soon"], "--busy-timeout"),
        (["sqlite", "/tmp/x.db", "--flush-interval", "-1s"], "--flush-interval"),
        (["webhook", "http://127.0.0.1:1/", "--retry-delay", "2 weeks"], "--retry-delay"),
        (["file", "out.ndjson", "--rotate-bytes", "12Q"], "--rotate-bytes"),
        (["file", "out.ndjson", "--format", "parquet"], "--format"),
        (["file", "out.parquet"], "out.parquet"),
    ])
    func badValuesAreUsageErrorsBeforeAnyIO(_ args: [String], _ named: String) throws {
        let dir = try SinkTest.tempDir()
        let r = try BuiltBinaries.run("cc-sink", args, stdin: SinkTest.stream(from: 1, to: 1), directory: dir)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.contains(named), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
