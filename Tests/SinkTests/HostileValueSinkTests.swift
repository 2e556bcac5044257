import CCKit
import CCTestSupport
import Foundation
import Testing

/// An object whose members repeat a key: every stage reads the first one
/// (`args.value` in cc-filter, `json_extract` in SQLite), so every sink stores
/// the first one too. Before, SQLite's per-event column took the last, and
/// PostgreSQL's jsonb (and the columns read from it) the last, so one event
/// answered `value` differently per table and per database.
@Suite("repeated keys: the first occurrence wins in every sink")
struct RepeatedKeyTests {
    static let args =
        #"{"from":"0x0000000000000000000000000000000000000001","to":"0x0000000000000000000000000000000000000002","value":"5","val\u0075e":"7","to":"0x00000000000000000000000000000000000000ff"}"#
    static var input: String {
        let event = SQLiteHostileInputTests.event(
            block: 1, log: 0, name: #""Transfer""#, signature: #""Transfer(address,address,uint256)""#, args: args)
        let record = #"{"k":"first","n":1,"k":"second"}"#
        return event + "\n" + SinkTest.marker(block: 1) + "\n" + record + "\n"
    }

    @Test func sqlite() throws {
        let db = try SinkTest.tempDir() + "/t.db"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: Self.input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, #"SELECT "to", value FROM Transfer"#) == [
                ["0x0000000000000000000000000000000000000002", "5"]
            ])
        #expect(
            try SinkTest.query(db, "SELECT args ->> '$.to', args ->> '$.value' FROM events")
                == [["0x0000000000000000000000000000000000000002", "5"]])
        #expect(try SinkTest.query(db, "SELECT k, n FROM records") == [["first", "1"]])
    }

    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func postgres() throws {
        let db = try PostgresSinkTests.DB()
        let r = try db.sink(["--tables", "per-event"], stdin: Self.input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try db.rows(#"SELECT "to" || ' ' || value FROM "Transfer""#) == [
                "0x0000000000000000000000000000000000000002 5"
            ])
        #expect(
            try db.rows("SELECT args::text FROM events")
                == [
                    #"{"to": "0x0000000000000000000000000000000000000002", "from": "0x0000000000000000000000000000000000000001", "value": "5"}"#
                ])
        #expect(try db.rows("SELECT k || ' ' || n FROM records") == ["first 1"])
    }

    /// A repeated key still takes its place among the arguments: `b` below is the
    /// signature's third parameter (an address), not its second (a uint256), which the
    /// column took when positions counted first occurrences only, refusing the event.
    static var positionInput: String {
        SQLiteHostileInputTests.event(
            block: 1, log: 0, name: #""Mixed""#, signature: #""Mixed(uint256,uint256,address)""#,
            args: #"{"a":"1","a":"2","b":"0x00000000000000000000000000000000000000aB"}"#)
            + "\n" + SinkTest.marker(block: 1) + "\n"
    }

    @Test func sqlitePositionCountsRepeatedKeys() throws {
        let db = try SinkTest.tempDir() + "/t.db"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: Self.positionInput)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT a, b, typeof(b) FROM Mixed") == [
                ["1", "0x00000000000000000000000000000000000000aB", "text"]
            ])
    }

    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func postgresPositionCountsRepeatedKeys() throws {
        let db = try PostgresSinkTests.DB()
        let r = try db.sink(["--tables", "per-event"], stdin: Self.positionInput)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try db.rows(#"SELECT a || ' ' || b || ' ' || pg_typeof(b) FROM "Mixed""#) == [
                "1 0x00000000000000000000000000000000000000aB text"
            ])
    }

    @Test func csv() throws {
        let out = try SinkTest.tempDir() + "/r.csv"
        let record = #"{"k":"first","n":1,"k":"second"}"# + "\n"
        let r = try SinkTest.run("cc-sink", ["file", out], stdin: record)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "k,n\nfirst,1\n")
    }
}

/// Ill-formed UTF-8 inside a string (a hand-made stream; cc-decode repairs what it
/// writes): PostgreSQL refused the whole batch's COPY, 65 on every rerun, also with
/// --skip-invalid. Now every sink stores one U+FFFD per maximal subpart.
@Suite("ill-formed UTF-8 reads the same in SQLite and PostgreSQL")
struct IllFormedUTF8SinkTests {
    static func input() throws -> String {
        let event = SQLiteHostileInputTests.event(
            block: 1, log: 0, name: #""N\u00e9""#, signature: #""Note(string)""#, args: #"{"s":"aXXb"}"#)
        var bytes = Array((event + "\n" + SinkTest.marker(block: 1) + "\n" + #"{"r":"cXd"}"# + "\n").utf8)
        // "XX" becomes \xff\xfe, "X" a lone continuation byte.
        for (i, c) in bytes.enumerated() where c == UInt8(ascii: "X") {
            bytes[i] = bytes[i + 1] == c ? 0xFF : (i > 0 && bytes[i - 1] == 0xFF ? 0xFE : 0x80)
        }
        let path = try SinkTest.tempDir() + "/in.ndjson"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func sameInBoth() throws {
        let path = try Self.input()
        let db = try PostgresSinkTests.DB()
        let pg = try BuiltBinaries.shell(
            "cc-sink postgres '\(db.conninfo)' --tables per-event < \(path)", environment: db.cluster.environment)
        #expect(pg.status == 0, "\(pg.stderr)")
        let file = try SinkTest.tempDir() + "/t.db"
        let lite = try BuiltBinaries.shell("cc-sink sqlite \(file) --tables per-event < \(path)")
        #expect(lite.status == 0, "\(lite.stderr)")
        let want = "a\u{FFFD}\u{FFFD}b"
        #expect(try db.rows(#"SELECT args ->> 's' FROM events"#) == [want])
        #expect(try db.rows(#"SELECT s FROM "Note""#) == [want])
        #expect(try db.rows("SELECT r FROM records") == ["c\u{FFFD}d"])
        #expect(try SinkTest.query(file, "SELECT args ->> '$.s', s FROM events, Note") == [[want, want]])
        #expect(try SinkTest.query(file, "SELECT r FROM records") == [["c\u{FFFD}d"]])
    }
}

/// More columns than the database allows per table: the ALTER failed the batch with 70
/// on every rerun (PostgreSQL's 1,600 for events and records, SQLite's 2,000 for records).
/// Now the one event or record is bad data on its line, and `--skip-invalid` gets past an event.
@Suite("too wide for one table")
struct TooWideTests {
    static func wideEvent(_ n: Int) -> String {
        let sig = "Wide(" + Array(repeating: "uint8", count: n).joined(separator: ",") + ")"
        let args = "{" + (0..<n).map { #""a\#($0)":"1""# }.joined(separator: ",") + "}"
        return SQLiteHostileInputTests.event(block: 1, log: 1, name: #""Wide""#, signature: "\"\(sig)\"", args: args)
    }
    static func wideRecord(_ n: Int) -> String {
        "{" + (0..<n).map { #""k\#($0)":\#($0)"# }.joined(separator: ",") + "}"
    }

    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func postgres() throws {
        let db = try PostgresSinkTests.DB()
        let input =
            [SinkTest.transfer(block: 1, log: 0), Self.wideEvent(1_700), SinkTest.marker(block: 1)]
            .joined(separator: "\n") + "\n"
        let r = try db.sink(["--tables", "per-event"], stdin: input)
        #expect(r.status == 65)
        #expect(
            r.stderr.hasPrefix(
                "cc-sink: line 2: cannot store event \"Wide(uint8,uint8,uint8,uint8,uint8,uint… in a per-event table: it needs 1709 columns and PostgreSQL allows 1600 per table (--skip-invalid"
            ),
            "\(r.stderr)")
        let skip = try db.sink(["--tables", "per-event", "--skip-invalid"], stdin: input)
        #expect(skip.status == 0, "\(skip.stderr)")
        #expect(try db.keys() == ["1:0"])
        let rec = try db.sink([], stdin: SinkTest.marker(block: 1) + "\n" + Self.wideRecord(1_700) + "\n")
        #expect(rec.status == 65)
        #expect(
            rec.stderr
                == "cc-sink: line 2: cannot store this record in records: it needs 1704 columns and PostgreSQL allows 1600 per table\n"
        )
    }

    @Test func sqliteRecord() throws {
        let db = try SinkTest.tempDir() + "/t.db"
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db], stdin: SinkTest.marker(block: 1) + "\n" + Self.wideRecord(2_100) + "\n")
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line 2: cannot store this record in records: it needs 2104 columns and SQLite allows 2000 per table\n"
        )
    }
}

/// A member name holding U+0000 (a hostile ABI's argument name, a hand-made record)
/// failed the DDL's jsonb and literals in PostgreSQL: 65 on every rerun. It is now
/// stored under the name without the NUL, in the column and in the jsonb alike.
@Suite("U+0000 in a member name")
struct NULNameTests {
    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func postgres() throws {
        let db = try PostgresSinkTests.DB()
        let event = SQLiteHostileInputTests.event(
            block: 1, log: 0, name: #""N""#, signature: #""N(uint8)""#, args: #"{"k\u0000":"1"}"#)
        let input = event + "\n" + SinkTest.marker(block: 1) + "\n" + #"{"r\u0000":"x"}"# + "\n"
        let r = try db.sink(["--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.rows(#"SELECT k FROM "N""#) == ["1"])
        #expect(try db.rows("SELECT args::text FROM events") == [#"{"k": "1"}"#])
        #expect(try db.rows("SELECT r FROM records") == ["x"])
    }
}

/// A contract can name its event `records` or `raw_logs`: its per-event table took that
/// name before the sink's own table existed, and every later plain record then stopped the
/// sink with 78 ("not a records table") on every run. Those names are reserved now.
@Suite("events named like the sink's own tables")
struct ReservedTableNameTests {
    @Test(arguments: ["records", "raw_logs"])
    func sqlite(_ name: String) throws {
        let db = try SinkTest.tempDir() + "/t.db"
        let event = SQLiteHostileInputTests.event(
            block: 1, log: 0, name: "\"\(name)\"", signature: "\"\(name)(uint8)\"", args: #"{"v":"1"}"#)
        let input =
            [
                event, SinkTest.marker(block: 1), SinkSideTableEdgeTests.rawLog(block: 2, log: 0),
                #"{"r":"x"}"#,
            ].joined(separator: "\n") + "\n"
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--tables", "per-event", "--raw-logs", "store"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.query(db, "SELECT table_name FROM cc_event_tables") == [["\(name)_2"]])
        #expect(try SinkTest.query(db, "SELECT r FROM records") == [["x"]])
        #expect(try SinkTest.query(db, "SELECT block_number FROM raw_logs") == [["2"]])
        #expect(try SinkTest.query(db, "SELECT v FROM \(name)_2") == [["1"]])
    }
}

/// PostgreSQL cuts names to 63 bytes and per-event index names were cut to
/// 60: a long event name with two long address arguments, or an event name of
/// 60 bytes with one, named an index like an existing relation, and the sink
/// failed with 78 on every rerun (SQLite stored the same input).
@Suite("cc-sink postgres: long event and argument names")
struct LongIdentifierTests {
    @Test(.enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
    func indexesGetNamesOfTheirOwn() throws {
        let a = "0x1111111111111111111111111111111111111111"
        let long = "LiquidityPositionRebalancedAcrossMultipleVaults"
        let sixty = String(repeating: "E", count: 64)
        let input =
            [
                SQLiteHostileInputTests.event(
                    block: 1, log: 0, name: "\"\(long)\"", signature: "\"\(long)(address,address)\"",
                    args: #"{"sourceVaultAddress":"\#(a)","sourceVaultAddressOwner":"\#(a)"}"#),
                SQLiteHostileInputTests.event(
                    block: 1, log: 1, name: "\"\(sixty)\"", signature: "\"\(sixty)(address)\"",
                    args: #"{"who":"\#(a)"}"#),
                SinkTest.marker(block: 1),
            ].joined(separator: "\n") + "\n"
        let db = try PostgresSinkTests.DB()
        for _ in 0..<2 {
            let r = try db.sink(["--tables", "per-event"], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try db.rows("SELECT count(*) FROM cc_event_tables") == ["2"])
        #expect(try db.rows(#"SELECT "sourceVaultAddressOwner" FROM "\#(long)""#) == [a])
        #expect(try db.rows(#"SELECT who FROM "\#(String(sixty.prefix(60)))""#) == [a])
    }

    /// Names PostgreSQL would cut to 63 bytes, so two of them wrote one schema.
    @Test(arguments: ["--schema", "--table", "--records-table"])
    func namesLongerThanPostgresHoldsAreUsageErrors(_ option: String) throws {
        let r = try SinkTest.run("cc-sink", ["postgres", "dbname=x", option, String(repeating: "b", count: 64)])
        #expect(r.status == 64)
        #expect(
            r.stderr.hasPrefix("Error: \(option) is 64 bytes long; PostgreSQL names hold at most 63"), "\(r.stderr)")
    }
}
