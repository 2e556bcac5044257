import CCKit
import CCTestSupport
import Foundation
import Testing

/// Decoded events at the edges of what the sinks accept: fields of the wrong
/// JSON kind, per-event tables fed events without a signature or with
/// arguments out of order, a file that is not a database, records of every
/// kind in PostgreSQL, rotation options that cannot work, and webhook
/// batches that start with a rewind.
@Suite("cc-sink: event fields, per-event tables, records and options at the edges")
struct SinkEventEdgeTests {
    static let event =
        #"{"chainId":1,"blockNumber":1,"blockHash":"0x01","blockTimestamp":1,"transactionHash":"0x02","transactionIndex":0,"logIndex":0,"address":"0x03","removed":false,"event":"E","signature":"E()","args":{}}"#

    @Test(
        "a field of the wrong kind is 65 naming it and showing its value (40 bytes at most)",
        arguments: [
            (#""blockNumber":1"#, #""blockNumber":"x""#, #"blockNumber is not a block number: "x""#),
            (#""blockNumber":1,"#, "", "event has no blockNumber"),
            (#""logIndex":0"#, #""logIndex":"y""#, #"logIndex is not a number: "y""#),
            (#""logIndex":0,"#, "", "event has no logIndex"),
            (#""removed":false"#, #""removed":"no""#, #"removed is not true or false: "no""#),
            (#""transactionIndex":0"#, #""transactionIndex":"z""#, #"transactionIndex is not a number: "z""#),
            (#""blockTimestamp":1"#, #""blockTimestamp":-1"#, "blockTimestamp is not a number: -1"),
            (#""chainId":1"#, #""chainId":1.5"#, "chainId is not a number: 1.5"),
            (#""event":"E""#, #""event":5"#, "event is not a string: 5"),
            (
                #""signature":"E()""#, #""signature":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]"#,
                "signature is not a string: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,…"
            ),
        ])
    func wrongKinds(from: String, to: String, message: String) throws {
        let dir = try SinkTest.tempDir("kinds")
        let line = Self.event.replacingOccurrences(of: from, with: to)
        for engine in [["sqlite", dir + "/t.db"], ["sqlite", dir + "/p.db", "--tables", "per-event"]] {
            let r = try SinkTest.run("cc-sink", engine, stdin: line + "\n")
            #expect(r.status == 65)
            #expect(r.stderr == "cc-sink: line 1: \(message)\n")
        }
    }

    @Test("per-event tables: events without a signature stay in events only; arguments in another order, null and bool")
    func perEventOddEvents() throws {
        let dir = try SinkTest.tempDir("perevent")
        let db = dir + "/t.db"
        func event(log: Int, _ signature: String?, _ args: String) -> String {
            var e = SinkTest.transfer(block: 1, log: log).replacingOccurrences(
                of: #""args":\{[^}]*\}"#, with: #""args":\#(args)"#, options: .regularExpression)
            e = e.replacingOccurrences(
                of: #""signature":"Transfer(address,address,uint256)""#,
                with: signature.map { #""signature":"\#($0)""# } ?? #""signature":null"#)
            return e
        }
        let input =
            [
                event(log: 0, "Flag(bool,uint8)", #"{"on":true,"n":"1"}"#),
                event(log: 1, "Flag(bool,uint8)", #"{"n":"2","on":false}"#),
                event(log: 2, "Flag(bool,uint8)", #"{"on":null,"n":"3"}"#),
                event(log: 3, nil, #"{"x":"1"}"#),
                event(log: 4, "not a signature", #"{"y":"1"}"#),
                SinkTest.marker(block: 1),
            ].joined(separator: "\n") + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT signature, table_name FROM cc_event_tables ORDER BY table_name") == [
                ["Flag(bool,uint8)", "Flag"], ["not a signature", "Transfer"],
            ])
        #expect(
            try SinkTest.query(db, "SELECT log_index, \"on\", n FROM Flag ORDER BY log_index") == [
                ["0", "1", "1"], ["1", "0", "2"], ["2", nil, "3"],
            ])
        #expect(try SinkTest.query(db, "SELECT log_index, y FROM Transfer") == [["4", "1"]])
        #expect(try SinkTest.keys(db) == ["1:0", "1:1", "1:2", "1:3", "1:4"])
    }

    @Test("a file that is not a SQLite database is 78, named, and left as it was")
    func notADatabase() throws {
        let dir = try SinkTest.tempDir("notdb")
        let path = dir + "/t.db"
        let junk = String(repeating: "this is not a database\n", count: 200)
        try SinkTest.write(junk, to: path)
        let r = try SinkTest.run("cc-sink", ["sqlite", path], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("cc-sink: ") && r.stderr.contains("file is not a database"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(SinkTest.read(path) == junk)
    }

    @Test(
        "rotation options that cannot name their files are usage errors, nothing created",
        arguments: [
            (["-", "--rotate-blocks", "10"], "--rotate-blocks/--rotate-bytes need a file path, not '-'"),
            (
                ["out.ndjson", "--rotate-blocks", "10"],
                "rotated files need {from} or {to} in the path so each gets its own name"
            ),
            (
                ["out-{from}.ndjson"],
                "{from} and {to} name the blocks of a rotated file: add --rotate-blocks or --rotate-bytes"
            ),
        ])
    func rotationUsage(args: [String], message: String) throws {
        let dir = try SinkTest.tempDir("rot")
        let r = try SinkTest.run("cc-sink", ["file"] + args, stdin: SinkTest.stream(from: 1, to: 1), directory: dir)
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("cc-sink: \(message)"), "\(r.stderr)")
        #expect(r.stdout == "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == [])
    }

    @Test("a webhook batch that starts with a rewind sends it as the batch's first element")
    func webhookRewindFirst() throws {
        let receiver = try WebhookReceiver()
        let dir = try SinkTest.tempDir("hookrw")
        let rewind = SinkRecordKindsTests.rewind(1)
        let input =
            SinkTest.stream(from: 1, to: 2) + rewind + SinkTest.transfer(block: 2, log: 9) + "\n"
            + SinkTest.marker(block: 2) + "\n"
        let r = try SinkTest.run("cc-sink", ["webhook", receiver.url, "--checkpoint", dir + "/ck.json"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let bodies = try receiver.requests().map(\.body)
        #expect(
            Array(bodies.dropFirst(2)) == [
                "[" + rewind.dropLast() + "]", "[" + SinkTest.transfer(block: 2, log: 9) + "]",
            ])
    }

    @Test("plain records in PostgreSQL: a null first value waits for a typed one, decimals are numeric, bool widens")
    func postgresRecordKinds() throws {
        guard PostgresCluster.isInstalled else { return }
        let db = try PostgresSinkTests.DB()
        let input =
            #"{"n":null,"flag":true,"f":1.5,"d":1,"who":"0x0000000000000000000000000000000000000001"}"# + "\n"
            + #"{"n":3,"flag":false,"f":2}"# + "\n" + #"{"flag":"maybe","n":null}"# + "\n"
        let r = try db.sink([], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try db.rows(
                """
                SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_name = 'records'
                AND ordinal_position > 4 ORDER BY ordinal_position
                """) == ["flag:text", "f:numeric", "d:bigint", "who:text", "n:bigint"])
        let rows = try db.rows("SELECT cc_ordinal, n, flag, f, d, who FROM records ORDER BY cc_ordinal")
        #expect(
            rows == [
                "0||true|1.5|1|0x0000000000000000000000000000000000000001", "1|3|false|2||", "2||maybe|||",
            ])
        #expect(try db.rows("SELECT indexname FROM pg_indexes WHERE indexname = 'records_who'") == ["records_who"])
    }
}

/// SQLite events without their optional fields, per-event tables fed
/// escaped or extra argument names, and skipped rows on the reader thread.
@Suite("cc-sink sqlite: optional fields, escaped and extra arguments")
struct SQLiteEventEdgeTests {
    static func event(log: Int, signature: String?, args: String?, drop: [String] = []) -> String {
        var e = SinkTest.transfer(block: 1, log: log).replacingOccurrences(
            of: #""args":\{[^}]*\}"#,
            with: NSRegularExpression.escapedTemplate(for: #""args":\#(args ?? "null")"#), options: .regularExpression)
        e = e.replacingOccurrences(
            of: #""signature":"Transfer(address,address,uint256)""#,
            with: signature.map { #""signature":"\#($0)""# } ?? #""signature":null"#)
        for key in drop {
            e = e.replacingOccurrences(of: #""\#(key)":"[^"]*","#, with: "", options: .regularExpression)
        }
        return e
    }

    @Test("events without transactionHash, address or signature store NULLs; args null is NULL")
    func missingOptionalFields() throws {
        let dir = try SinkTest.tempDir("optional")
        let db = dir + "/t.db"
        let input =
            Self.event(log: 0, signature: nil, args: nil, drop: ["transactionHash", "address"]) + "\n"
            + SinkTest.marker(block: 1) + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT transaction_hash, address, signature, args, event FROM events") == [
                [nil, nil, nil, nil, "Transfer"]
            ])
    }

    @Test("per-event: an escaped argument name finds its column, extra arguments are text, args null adds none")
    func perEventArgumentNames() throws {
        let dir = try SinkTest.tempDir("escargs")
        let db = dir + "/t.db"
        let input =
            [
                Self.event(log: 0, signature: "Two(uint8)", args: #"{"a":"3","extra":"x"}"#),
                Self.event(log: 1, signature: "Two(uint8)", args: #"{"\u0061":"4","extra":"y"}"#),
                Self.event(log: 2, signature: "Two(uint8)", args: nil),
                SinkTest.marker(block: 1),
            ].joined(separator: "\n") + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try SinkTest.query(db, "SELECT name || ':' || type FROM pragma_table_info('Two') WHERE cid >= 9") == [
                ["a:INTEGER"], ["extra:TEXT"],
            ])
        #expect(
            try SinkTest.query(db, "SELECT log_index, a, extra FROM Two ORDER BY log_index") == [
                ["0", "3", "x"], ["1", "4", "y"], ["2", nil, nil],
            ])
    }

    @Test("per-event: an event without a signature is never refused for its width, it stays in the events table")
    func wideEventWithoutSignature() throws {
        let dir = try SinkTest.tempDir("widenosig")
        let db = dir + "/t.db"
        let args = "{" + (0..<2_001).map { #""a\#($0)":"1""# }.joined(separator: ",") + "}"
        let input = Self.event(log: 0, signature: nil, args: args) + "\n" + SinkTest.marker(block: 1) + "\n"
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--tables", "per-event", "--checkpoint", dir + "/ck.json"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        #expect(
            try SinkTest.query(db, "SELECT length(args), json_extract(args, '$.a2000') FROM events") == [
                ["\(args.utf8.count)", "1"]
            ])
        #expect(try SinkTest.query(db, "SELECT count(*) FROM cc_event_tables") == [["0"]])
    }

    @Test("--skip-invalid on the reader thread's rows: an event above SQLite's integers is set aside, the rest stored")
    func skippedRow() throws {
        let dir = try SinkTest.tempDir("skiprow")
        let db = dir + "/t.db"
        let bad = SinkTest.transfer(block: 2, log: 0).replacingOccurrences(
            of: #""logIndex":0"#, with: #""logIndex":9223372036854775808"#)
        let input = SinkTest.stream(from: 1, to: 1) + bad + "\n" + SinkTest.stream(from: 2, to: 2)
        let r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--skip-invalid", "--checkpoint", dir + "/ck.json"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr
                == "cc-sink: line 5: skipped: cannot store this event in SQLite: logIndex 9223372036854775808 is "
                + "above 9223372036854775807, the largest integer SQLite holds (--skip-invalid sets such events "
                + "aside, --skipped FILE keeps them)\ncc-sink: skipped 1 invalid line (--skip-invalid)\n")
        #expect(try SinkTest.keys(db) == SinkTest.expectedKeys(from: 1, to: 2))
    }

    @Test("records count toward --batch-size: one batch per record")
    func recordBatches() throws {
        let dir = try SinkTest.tempDir("recbatch")
        let input = (1...3).map { #"{"n":\#($0)}"# + "\n" }.joined()
        let r = try SinkTest.run("cc-sink", ["sqlite", dir + "/t.db", "--batch-size", "1", "-v"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.hasSuffix("cc-sink: done: 0 events, 3 batches, 0 checkpoints\n"), "\(r.stderr)")
        #expect(
            try SinkTest.query(dir + "/t.db", "SELECT n FROM records ORDER BY cc_ordinal") == [["1"], ["2"], ["3"]])
    }
}
