import CCKit
import Foundation
import Testing

/// One hostile event must never leave a pipeline that no rerun can get past:
/// what SQLite cannot hold is 65 naming it, `--skip-invalid` (with
/// `--skipped FILE`) gets past it, and names that collide are made unique.
@Suite("cc-sink sqlite: events SQLite cannot store")
struct SQLiteUnstorableEventTests {
    static func event(block: Int, log: Int, name: String, signature: String, args: String) -> String {
        SQLiteHostileInputTests.event(block: block, log: log, name: name, signature: signature, args: args)
    }

    @Test("an event X after an event X_block_number: both get tables, reruns too")
    func indexNameCollision() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        var input = Self.event(
            block: 1, log: 0, name: #""X_block_number""#, signature: #""X_block_number(uint8)""#, args: #"{"a":"1"}"#)
        input += "\n" + Self.event(block: 1, log: 1, name: #""X""#, signature: #""X(uint8)""#, args: #"{"a":"2"}"#)
        input += "\n" + SinkTest.marker(block: 1) + "\n"
        for _ in 0..<2 {
            let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(
            try SinkTest.query(db, "SELECT signature, table_name FROM cc_event_tables ORDER BY rowid") == [
                ["X_block_number(uint8)", "X_block_number"], ["X(uint8)", "X_2"],
            ])
        #expect(try SinkTest.query(db, "SELECT a FROM X_2") == [["2"]])
    }

    @Test("a NUL in an event name and an argument name: every rerun finds the same table and column")
    func nulInNames() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        let input =
            Self.event(
                block: 1, log: 0, name: #""A\u0000B""#, signature: #""A\u0000B(uint8)""#, args: #"{"x\u0000y":"7"}"#)
            + "\n" + SinkTest.marker(block: 1) + "\n"
        for _ in 0..<3 {
            let r = try SinkTest.run(
                "cc-sink", ["sqlite", db, "--tables", "per-event", "--checkpoint", dir + "/ck.json"], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr == "")
        }
        #expect(try SinkTest.query(db, "SELECT count(*) FROM cc_event_tables") == [["1"]])
        #expect(try SinkTest.query(db, "SELECT x_y FROM A_B") == [["7"]])
        #expect(try SinkTest.query(db, "SELECT count(*) FROM pragma_table_info('A_B')") == [["10"]])
    }

    @Test("an event with more arguments than SQLite has columns: 65 naming it, --skip-invalid gets past")
    func tooManyArguments() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json", skipped = dir + "/skipped.ndjson"
        let args = "{" + (0..<2_001).map { #""a\#($0)":"1""# }.joined(separator: ",") + "}"
        let hostile = Self.event(block: 2, log: 0, name: #""Wide""#, signature: #""Wide(uint8)""#, args: args)
        let input = SinkTest.stream(from: 1, to: 1) + hostile + "\n" + SinkTest.stream(from: 2, to: 2)
        for _ in 0..<2 {
            let r = try SinkTest.run(
                "cc-sink", ["sqlite", db, "--tables", "per-event", "--checkpoint", ck], stdin: input)
            #expect(r.status == 65)
            #expect(
                r.stderr
                    == "cc-sink: line 5: cannot store event \"Wide(uint8)\" in a per-event table: it needs 2009 "
                    + "columns and SQLite allows 2000 per table "
                    + "(--skip-invalid sets such events aside, --skipped FILE keeps them)\n")
            #expect(try SinkTest.query(db, "SELECT count(*) FROM cc_event_tables") == [["1"]])
        }
        let r = try SinkTest.run(
            "cc-sink",
            ["sqlite", db, "--tables", "per-event", "--checkpoint", ck, "--skip-invalid", "--skipped", skipped],
            stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("cc-sink: line 5: skipped: cannot store event \"Wide(uint8)\""))
        #expect(r.stderr.hasSuffix("cc-sink: skipped 1 invalid line (--skip-invalid); they are in \(skipped)\n"))
        #expect(SinkTest.read(skipped) == hostile + "\n")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 2))
    }

    @Test(
        "numbers above 2^63-1 are 65 naming the field, never stored negative",
        arguments: ["blockNumber", "logIndex", "chainId", "blockTimestamp", "transactionIndex"])
    func hugeNumbers(field: String) throws {
        for layout in ["single", "per-event"] {
            let dir = try SinkTest.tempDir()
            let db = dir + "/t.db", ck = dir + "/ck.json"
            let big = "18446744073709551615"
            let line = SinkTest.transfer(withHuge: field, value: big)
            let input = SinkTest.streamAround(line, field: field)
            let first = field == "chainId"
            let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", layout, "--checkpoint", ck], stdin: input)
            #expect(r.status == 65)
            #expect(
                r.stderr
                    == "cc-sink: line \(first ? 1 : 5): cannot store this event in SQLite: \(field) \(big) is above "
                    + "9223372036854775807, the largest integer SQLite holds "
                    + "(--skip-invalid sets such events aside, --skipped FILE keeps them)\n")
            #expect(
                try SinkTest.query(
                    db, "SELECT count(*) FROM events WHERE block_number < 0 OR log_index < 0 OR chain_id < 0") == [
                        ["0"]
                    ])
            #expect(try SinkTest.query(db, "SELECT block_number FROM cc_checkpoint") == (first ? [] : [["1"]]))
            #expect(
                first ? !FileManager.default.fileExists(atPath: ck) : SinkTest.read(ck).contains(#""blockNumber":1,"#))
        }
    }

    @Test("a marker above 2^63-1: 65, and cc_checkpoint and the file stay where they agree")
    func hugeMarker() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        let input =
            SinkTest.stream(from: 1, to: 1)
            + SinkTest.marker(block: 1).replacingOccurrences(
                of: #""blockNumber":1"#, with: #""blockNumber":9223372036854775808"#)
            + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: input)
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line 5: checkpoint marker's blockNumber 9223372036854775808 is above 9223372036854775807, "
                + "the largest integer SQLite holds; nothing was committed for it\n")
        #expect(try SinkTest.query(db, "SELECT block_number FROM cc_checkpoint") == [["1"]])
        #expect(SinkTest.read(ck).contains(#""blockNumber":1,"#))
    }

    @Test(
        "reserved --table names are usage errors",
        arguments: ["cc_checkpoint", "CC_EVENT_TABLES", "cc_event_columns", "sqlite_master", "sqlite_sequence"])
    func reservedTable(name: String) throws {
        let dir = try SinkTest.tempDir()
        let r = try SinkTest.run("cc-sink", ["sqlite", dir + "/t.db", "--table", name], stdin: "")
        #expect(r.status == 64)
        #expect(
            r.stderr.contains(
                "--table \(name): names starting with cc_ (the sink's own tables) or sqlite_ (SQLite's) are reserved"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/t.db"))
    }

    @Test(
        "raw_logs (--raw-logs store's table) is reserved for --table and --records-table, as in cc-sink postgres",
        arguments: [["--table", "raw_logs"], ["--records-table", "RAW_LOGS"]])
    func reservedSideTable(args: [String]) throws {
        let dir = try SinkTest.tempDir()
        for engine in [["sqlite", dir + "/t.db"], ["postgres", "host=/nonexistent"]] {
            let r = try SinkTest.run("cc-sink", engine + args, stdin: "")
            #expect(r.status == 64, "\(engine[0]) \(args): \(r.stderr)")
            #expect(r.stderr.contains("\(args[0]) \(args[1])"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/t.db"))
    }

    @Test("--skip-invalid counts and reports skipped lines without -v")
    func skipInvalidWarnsWithoutVerbose() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db"
        // `[]` is not an object: invalid (`{}` would be a plain record, stored in the records table).
        let input = "nope\n" + SinkTest.stream(from: 1, to: 1) + "[]\n"
        let r = try SinkTest.run(
            "cc-sink",
            ["sqlite", db, "--skip-invalid", "--metrics-file", dir + "/m.prom", "--checkpoint", dir + "/ck.json"],
            stdin: input)
        #expect(r.status == 0)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("cc-sink: line 1: skipped: ") == true)
        #expect(lines.dropFirst().first?.hasPrefix("cc-sink: line 6: skipped: ") == true)
        #expect(lines.last == "cc-sink: skipped 2 invalid lines (--skip-invalid)")
        #expect(SinkTest.read(dir + "/m.prom").contains(#"cc_sink_invalid_lines_total{sink="sqlite"} 2"#))
    }
}
