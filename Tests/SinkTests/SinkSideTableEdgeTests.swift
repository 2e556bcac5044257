import CCKit
import CCTestSupport
import Foundation
import Testing

/// Raw logs and plain records at the edges: numbers a database cannot hold,
/// removed raw logs, tables of those names that are not the sink's, every
/// JSON kind as a record value, and what -v says about resuming, rewinds
/// and skipped lines.
@Suite("cc-sink: raw-log and record tables at the edges")
struct SinkSideTableEdgeTests {
    static let huge = "18446744073709551615"

    /// A raw log of chain 1 at `block`, `field` set to 2^64-1 when given.
    static func rawLog(block: Int, log: Int, huge field: String? = nil, removed: Bool = false) -> String {
        var fields: [(String, String)] = [
            ("chainId", "1"), ("address", #""0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48""#),
            ("topics", #"["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"]"#),
            ("data", #""0x01""#), ("blockNumber", #""0x\#(String(block, radix: 16))""#),
            ("blockHash", #""\#(SinkTest.hash(block))""#), ("blockTimestamp", #""0x6553f100""#),
            ("transactionHash", #""\#(SinkTest.hash(block * 1000 + log, salt: 7))""#),
            ("transactionIndex", #""0x0""#), ("logIndex", #""0x\#(String(log, radix: 16))""#),
            ("removed", removed ? "true" : "false"),
        ]
        if let field, let i = fields.firstIndex(where: { $0.0 == field }) {
            fields[i].1 = field == "chainId" ? huge : #""0xffffffffffffffff""#
        }
        return "{" + fields.map { #""\#($0.0)":\#($0.1)"# }.joined(separator: ",") + "}"
    }

    @Test(
        "a raw log with a number the database cannot hold: 65 naming the line, --skip-invalid gets past it",
        arguments: ["sqlite", "postgres"], ["blockNumber", "chainId", "blockTimestamp", "transactionIndex", "logIndex"])
    func rawLogHugeNumbers(engine: String, field: String) throws {
        let dir = try SinkTest.tempDir("rawbig")
        let ck = dir + "/ck.json"
        var target = [engine, dir + "/t.db"]
        var environment: [String: String] = [:]
        if engine == "postgres" {
            guard PostgresCluster.isInstalled else { return }
            let db = try PostgresSinkTests.DB()
            target = ["postgres", db.conninfo]
            environment = db.cluster.environment
        }
        let bad = Self.rawLog(block: 2, log: 5, huge: field)
        let input = SinkTest.streamAround(bad, field: field)
        let first = field == "chainId"
        let args = target + ["--raw-logs", "store", "--checkpoint", ck]
        let r = try SinkTest.run("cc-sink", args, stdin: input, environment: environment)
        #expect(r.status == 65, "\(r.stderr)")
        let limit =
            engine == "sqlite"
            ? "9223372036854775807, the largest integer SQLite holds "
                + "(--skip-invalid sets such events aside, --skipped FILE keeps them)"
            : (field == "transactionIndex" || field == "logIndex"
                ? "2147483647 (integer)" : "9223372036854775807 (bigint)")
        let what =
            "cannot store this raw log in \(engine == "sqlite" ? "SQLite" : "PostgreSQL"): \(field) \(Self.huge) "
            + "is above \(limit)"
        #expect(r.stderr == "cc-sink: line \(first ? 1 : 5): \(what)\n")
        let skipped = try SinkTest.run(
            "cc-sink", args + ["--skip-invalid", "--skipped", dir + "/bad.ndjson"], stdin: input,
            environment: environment)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(
            skipped.stderr
                == "cc-sink: line \(first ? 1 : 5): skipped: \(what)\n"
                + "cc-sink: skipped 1 invalid line (--skip-invalid); they are in \(dir)/bad.ndjson\n")
        #expect(SinkTest.read(dir + "/bad.ndjson") == bad + "\n")
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == (first ? 1 : 2))
        if engine == "sqlite" {
            #expect(
                try SinkTest.query(dir + "/t.db", "SELECT count(*) FROM sqlite_master WHERE name = 'raw_logs'") == [
                    ["0"]
                ])
            #expect(try SinkTest.keys(dir + "/t.db") == SinkTest.expectedKeys(from: 1, to: 1))
        }
    }

    @Test("sqlite raw logs: a removed one deletes its row, the others stay")
    func sqliteRemovedRawLog() throws {
        let dir = try SinkTest.tempDir("rawrm")
        let db = dir + "/t.db"
        let input =
            [
                Self.rawLog(block: 1, log: 0), Self.rawLog(block: 1, log: 1), SinkTest.marker(block: 1),
                Self.rawLog(block: 1, log: 0, removed: true), SinkTest.marker(block: 2),
            ].joined(separator: "\n") + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--raw-logs", "store"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT block_number, log_index, topics, data FROM raw_logs") == [
                ["1", "1", #"["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"]"#, "0x01"]
            ])
    }

    @Test("sqlite records: every JSON kind gets its column type; a duplicate key keeps its first value")
    func sqliteRecordValueKinds() throws {
        let dir = try SinkTest.tempDir("rec")
        let db = dir + "/t.db"
        let input =
            #"{"n":null,"flag":true,"big":123456789012345678901234567890,"f":1.5,"d":1,"d":2,"o":{"k":[1]}}"# + "\n"
            + #"{"n":3,"flag":false,"big":7,"f":"x","d":null}"# + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT name || ':' || type FROM pragma_table_info('records') WHERE cid > 3") == [
                ["flag:INTEGER"], ["big:TEXT"], ["f:TEXT"], ["d:TEXT"], ["o:TEXT"], ["n:TEXT"],
            ])
        #expect(
            try SinkTest.query(db, "SELECT cc_ordinal, n, flag, big, f, d, o FROM records ORDER BY cc_ordinal") == [
                ["0", nil, "1", "123456789012345678901234567890", "1.5", "1", #"{"k":[1]}"#],
                ["1", "3", "0", "7", "x", nil, nil],
            ])
        // `big` is a decimal column: compared as numbers.
        #expect(try SinkTest.query(db, "SELECT cc_ordinal FROM records ORDER BY big") == [["1"], ["0"]])
    }

    @Test("a table of the records or raw-log name that is not the sink's: 78, nothing written to it")
    func foreignSideTables() throws {
        let dir = try SinkTest.tempDir("foreign")
        let db = dir + "/t.db"
        let connection = try SQLiteConnection(path: db)
        try connection.exec("CREATE TABLE records (x INTEGER)")
        let r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: #"{"a":1}"# + "\n")
        #expect(r.status == 78)
        #expect(
            r.stderr
                == "cc-sink: table records in \(db) is not a records table (it has no column cc_chain_id); "
                + "choose another --records-table\n")
        #expect(try SinkTest.query(db, "SELECT count(*) FROM records") == [["0"]])
        guard PostgresCluster.isInstalled else { return }
        let pg = try PostgresSinkTests.DB()
        try pg.rows("CREATE TABLE records (x integer); CREATE TABLE raw_logs (y integer); CREATE SCHEMA other")
        try pg.rows("CREATE TABLE other.events (x integer)")
        let events = try pg.sink(["--schema", "other"], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(events.status == 78)
        #expect(
            events.stderr
                == "cc-sink: table other.events is not an events table (it has no column chain_id); "
                + "choose another --table or --schema\n")
        let rec = try pg.sink([], stdin: #"{"a":1}"# + "\n")
        #expect(rec.status == 78)
        #expect(
            rec.stderr
                == "cc-sink: table public.records is not the sink's records table (it has no column cc_stream); "
                + "choose another --records-table\n")
        let raw = try pg.sink(["--raw-logs", "store"], stdin: Self.rawLog(block: 1, log: 0) + "\n")
        #expect(raw.status == 78)
        #expect(
            raw.stderr
                == "cc-sink: table public.raw_logs is not the sink's raw_logs table (it has no column block_number); "
                + "choose another --schema\n")
        #expect(try pg.rows("SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM raw_logs)") == ["0"])
    }

    @Test("-v tells of resuming, rewinds, the checkpoint moving back and skipped raw logs")
    func verboseMessages() throws {
        let dir = try SinkTest.tempDir("verbose")
        let db = dir + "/t.db", ck = dir + "/ck.json"
        var r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: SinkTest.stream(from: 1, to: 2))
        #expect(r.status == 0, "\(r.stderr)")
        let input =
            SinkRecordKindsTests.rewind(1) + Self.rawLog(block: 2, log: 7) + "\n" + SinkTest.marker(block: 1) + "\n"
        r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck, "-v", "--raw-logs", "skip"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr == """
                cc-sink: resuming after block 2 (checkpoint \(ck))
                cc-sink: line 1: rewind to block 1
                cc-sink: checkpoint moved back to block 1 (rewind)
                cc-sink: line 2: skipped a raw log (block 2)
                cc-sink: skipped 1 raw (undecoded) logs (--raw-logs skip)
                cc-sink: done: 0 events, 1 batches, 1 checkpoints

                """)
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 1))
    }

    @Test("past ten skipped lines one line says more were skipped; -v names every one")
    func manySkippedLines() throws {
        let dir = try SinkTest.tempDir("skips")
        let input = (1...12).map { "bad \($0)\n" }.joined() + SinkTest.stream(from: 1, to: 1)
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", dir + "/t.db", "--skip-invalid", "--checkpoint", dir + "/ck.json"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 12)
        #expect(lines.prefix(10).enumerated().allSatisfy { $1.hasPrefix("cc-sink: line \($0 + 1): skipped: ") })
        #expect(
            lines.suffix(2) == [
                "cc-sink: more lines skipped; the count is in the final summary (-v shows each)",
                "cc-sink: skipped 12 invalid lines (--skip-invalid)",
            ])
        let verbose = try SinkTest.run("cc-sink", ["sqlite", dir + "/v.db", "--skip-invalid", "-v"], stdin: input)
        #expect(verbose.stderr.split(separator: "\n").filter { $0.contains(": skipped: ") }.count == 12)
        #expect(try SinkTest.keys(dir + "/t.db") == SinkTest.expectedKeys(from: 1, to: 1))
    }
}

/// A records column was typed by its first value: a null made it plain TEXT
/// (`v > 50` compared text: 0 rows of 1, `order by v` put 3 before 20), a
/// small number made it INTEGER and a later wide integer a rounded REAL.
/// Integers are now exact `TEXT COLLATE decimal` whatever comes first.
@Suite("sqlite records: amounts compare exactly whatever the first value was")
struct RecordAmountTypeTests {
    @Test func nullFirst() throws {
        let db = try SinkTest.tempDir("rec") + "/t.db"
        let input = [#"{"v":null}"#, #"{"v":"100"}"#, #"{"v":"20"}"#, #"{"v":3}"#].joined(separator: "\n") + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.query(db, "SELECT count(*) FROM records WHERE v > 50") == [["1"]])
        #expect(
            try SinkTest.query(db, "SELECT v FROM records WHERE v IS NOT NULL ORDER BY v DESC") == [
                ["100"], ["20"], ["3"],
            ])
    }

    @Test func smallNumberFirst() throws {
        let db = try SinkTest.tempDir("rec") + "/t.db"
        let wide = "123456789012345678901234567890"
        let input = #"{"v":5}"# + "\n" + #"{"v":"\#(wide)"}"# + "\n" + #"{"v":\#(wide)1}"# + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT v FROM records ORDER BY v") == [["5"], [wide], [wide + "1"]])
        #expect(try SinkTest.query(db, "SELECT count(*) FROM records WHERE v > '\(wide)'") == [["1"]])
    }
}
