import CCKit
import CCTestSupport
import Foundation
import Testing

/// `cc-sink postgres` when the server refuses: statement errors mid-batch
/// (each SQLSTATE class to its exit status, the batch rolled back, the
/// checkpoint where it was), rights missing on the schema, numbers that do
/// not fit, and values whose text needs COPY escapes.
@Suite(
    "cc-sink postgres failures and edge values",
    .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
struct PostgresFailureTests {
    typealias DB = PostgresSinkTests.DB

    @Test(
        "a statement error mid-batch: its SQLSTATE class picks the exit status, the batch is rolled back",
        arguments: [
            ("22023", 65), ("23514", 65), ("42501", 78), ("28000", 78), ("3F000", 78), ("P0001", 70),
            ("40001", 75), ("57014", 75), ("53100", 75),
        ])
    func statementError(sqlstate: String, status: Int32) throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pgerr")
        let ck = dir + "/ck.json"
        var r = try db.sink(["--checkpoint", ck], stdin: SinkTest.stream(from: 1, to: 1))
        #expect(r.status == 0, "\(r.stderr)")
        try db.rows(
            """
            CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'refused block %', NEW.block_number USING ERRCODE = '\(sqlstate)'; END $$;
            CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.block_number = 3)
              EXECUTE FUNCTION boom();
            """)
        r = try db.sink(["--checkpoint", ck], stdin: SinkTest.stream(from: 2, to: 4))
        #expect(r.status == status, "\(r.stderr)")
        let line = status == 65 ? "line 8: " : ""
        #expect(
            r.stderr
                == "cc-sink: \(line)PostgreSQL 127.0.0.1:\(db.cluster.port)/\(db.name): ERROR:  refused block 3 "
                + "CONTEXT:  PL/pgSQL function boom() line 2 at RAISE (SQLSTATE \(sqlstate))\n")
        #expect(try db.keys() == SinkTest.expectedKeys(from: 1, to: 2))
        #expect(try db.rows("SELECT block_number FROM cc_checkpoint") == ["2"])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 2)
    }

    @Test("a role given only its schema: refused (78, the server's reason) until it may create in it, then stored")
    func roleWithOwnSchemaOnly() throws {
        let db = try DB()
        let role = "ro_" + UUID().uuidString.prefix(8).lowercased()
        try db.rows(
            """
            CREATE ROLE \(role) LOGIN PASSWORD '\(PostgresCluster.password)';
            CREATE SCHEMA app; REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA app TO \(role);
            """)
        let conninfo = "host=127.0.0.1 port=\(db.cluster.port) dbname=\(db.name) user=\(role)"
        func sink(_ schema: String) throws -> BinaryRun {
            try SinkTest.run(
                "cc-sink", ["postgres", conninfo, "--schema", schema], stdin: SinkTest.stream(from: 1, to: 1),
                environment: db.cluster.environment)
        }
        let label = "cc-sink: PostgreSQL 127.0.0.1:\(db.cluster.port)/\(db.name): ERROR:  permission denied for "
        for (schema, what) in [("app", "schema app"), ("public", "schema public"), ("other", "database \(db.name)")] {
            let r = try sink(schema)
            #expect(r.status == 78, "\(r.stderr)")
            // The server's text, then its pointer into the statement, on one line.
            #expect(r.stderr.hasPrefix(label + what + " "), "\(r.stderr)")
            #expect(r.stderr.hasSuffix(" (SQLSTATE 42501)\n") && r.stderr.split(separator: "\n").count == 1)
            #expect(!r.stderr.contains(PostgresCluster.password))
        }
        // The schema exists and the role may create in it: CREATE on the database is not needed.
        try db.rows("GRANT CREATE ON SCHEMA app TO \(role)")
        let r = try sink("app")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.keys("app.events") == SinkTest.expectedKeys(from: 1, to: 1))
        #expect(try db.rows("SELECT nspname FROM pg_namespace WHERE nspname = 'other'") == [])
    }

    @Test(
        "numbers above bigint or integer are 65 naming the field, never sent to the server",
        arguments: [
            ("blockNumber", "9223372036854775807", "bigint"), ("chainId", "9223372036854775807", "bigint"),
            ("blockTimestamp", "9223372036854775807", "bigint"), ("transactionIndex", "2147483647", "integer"),
            ("logIndex", "2147483647", "integer"),
        ])
    func hugeNumbers(field: String, limit: String, type: String) throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pgbig")
        let ck = dir + "/ck.json"
        let big = field == "transactionIndex" || field == "logIndex" ? "2147483648" : "18446744073709551615"
        let line = SinkTest.transfer(withHuge: field, value: big)
        let input = SinkTest.streamAround(line, field: field)
        let first = field == "chainId"
        let r = try db.sink(["--checkpoint", ck], stdin: input)
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line \(first ? 1 : 5): cannot store this event in PostgreSQL: \(field) \(big) is above "
                + "\(limit) (\(type))\n")
        #expect(try db.keys() == (first ? [] : SinkTest.expectedKeys(from: 1, to: 1)))
        // --skip-invalid gets past it: the rest is stored.
        let skipped = try db.sink(["--checkpoint", ck, "--skip-invalid"], stdin: input)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(try db.keys() == SinkTest.expectedKeys(from: 1, to: 1))
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == (first ? 1 : 2))
    }

    @Test("a marker above bigint is 65; cc_checkpoint and the file stay at the last marker")
    func hugeMarker() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pgbig")
        let ck = dir + "/ck.json"
        let input =
            SinkTest.stream(from: 1, to: 1)
            + SinkTest.marker(block: 1).replacingOccurrences(
                of: #""blockNumber":1"#, with: #""blockNumber":9223372036854775808"#) + "\n"
        let r = try db.sink(["--checkpoint", ck], stdin: input)
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line 5: checkpoint marker's numbers are above 9223372036854775807, the largest bigint\n")
        #expect(try db.rows("SELECT block_number FROM cc_checkpoint") == ["1"])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 1)
    }

    @Test("tabs, newlines, carriage returns and backslashes reach text columns exactly; a NUL is dropped")
    func copyEscapes() throws {
        let db = try DB()
        let name = #"A\tB\nC\rD\\E\u0000F"#
        let line = SinkTest.transfer(block: 1, log: 0).replacingOccurrences(
            of: #""event":"Transfer""#, with: #""event":"\#(name)""#)
        let r = try db.sink([], stdin: line + "\n" + SinkTest.marker(block: 1) + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.rows("SELECT to_json(event) FROM events") == [#""A\tB\nC\rD\\EF""#])
    }

    /// A contract's string may hold NUL bytes (cc-decode writes `\u0000`), and a hand-made
    /// stream may hold a lone UTF-16 surrogate: jsonb refuses both, which failed the whole
    /// batch's COPY (65 on every rerun, also with --skip-invalid).
    @Test("args strings with \\u0000 and lone surrogates are stored: NUL dropped, a lone surrogate as U+FFFD")
    func jsonbRefusedEscapes() throws {
        let db = try DB()
        let sig = "Note(string,string,string,string,string[])"
        let args =
            #"{"s":"a\u0000b","t":"\ud800x\udc00","u":"\ud83d\ude00","v":"\\u0000","w":["\u0000","\uD800\uDFFF"]}"#
        let line = SQLiteHostileInputTests.event(
            block: 1, log: 0, name: #""Note""#, signature: "\"\(sig)\"", args: args)
        for tables in ["single", "per-event"] {
            let db = tables == "single" ? db : try DB()
            let r = try db.sink(["--tables", tables], stdin: line + "\n" + SinkTest.marker(block: 1) + "\n")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(
                try db.rows("SELECT args::text FROM events")
                    == [#"{"s": "ab", "t": "\#u{FFFD}x\#u{FFFD}", "u": "😀", "v": "\\u0000", "w": ["", "𐏿"]}"#])
            if tables == "per-event" {
                #expect(
                    try db.rows(#"SELECT s || '|' || t || '|' || u || '|' || v || '|' || w::text FROM "Note""#)
                        == [#"ab|\#u{FFFD}x\#u{FFFD}|😀|\u0000|["", "𐏿"]"#])
            }
        }
    }

    /// A hand-made event whose argument its typed column cannot hold failed the cast in the
    /// merge: 65 for the whole batch without a line, on every rerun, --skip-invalid or not
    /// (and `"5.5"` was rounded into a uint256 column). Now it is bad data on its own line.
    @Test(arguments: [
        ("value", #""0x10""#, "numeric(78,0)"), ("value", #""5.5""#, "numeric(78,0)"),
        ("value", "1e3", "numeric(78,0)"),
        ("value", #""1\#(String(repeating: "0", count: 78))""#, "numeric(78,0)"), ("small", #""abc""#, "bigint"),
        ("small", #""99999999999999999999""#, "bigint"), ("ok", #""yes""#, "boolean"), ("ok", "1", "boolean"),
    ])
    func argumentsTheirColumnCannotHold(key: String, value: String, type: String) throws {
        let sig = "Mixed(bool,uint8,uint256)"
        func event(_ block: Int, _ args: String) -> String {
            SQLiteHostileInputTests.event(block: block, log: 0, name: #""Mixed""#, signature: "\"\(sig)\"", args: args)
        }
        let good = #"{"ok":true,"small":"7","value":"12"}"#
        let bad = good.replacingOccurrences(
            of: #""\#(key)":[^,}]*"#, with: NSRegularExpression.escapedTemplate(for: #""\#(key)":\#(value)"#),
            options: .regularExpression)
        let input =
            [event(1, good), event(2, bad), event(3, good), SinkTest.marker(block: 3)].joined(separator: "\n") + "\n"
        let db = try DB()
        let r = try db.sink(["--tables", "per-event"], stdin: input)
        #expect(r.status == 65)
        #expect(
            r.stderr.hasPrefix(
                "cc-sink: line 2: cannot store this event in table Mixed: argument \(key) is \(value.prefix(40))"),
            "\(r.stderr)")
        #expect(r.stderr.hasSuffix("which its column \(key) (\(type)) cannot hold\n"), "\(r.stderr)")
        let skip = try db.sink(["--tables", "per-event", "--skip-invalid"], stdin: input)
        #expect(skip.status == 0, "\(skip.stderr)")
        #expect(try db.rows(#"SELECT block_number || ':' || value FROM "Mixed" ORDER BY 1"#) == ["1:12", "3:12"])
        #expect(try db.keys() == ["1:0", "3:0"])
    }

    @Test("per-event tables type bool, narrow and wide integers, arrays and tuples; values exact")
    func perEventColumnTypes() throws {
        let db = try DB()
        let sig = "Mixed(bool,uint8,int64,uint256,uint256[],(uint8,string),string,address)"
        let args =
            #"{"ok":true,"small":"255","signed":"-9223372036854775808","wide":"115792089237316195423570985008687907853269984665640564039457584007913129639935","list":["1","2"],"pair":["3","x"],"note":"hi","who":"0x0000000000000000000000000000000000000001"}"#
        let line = SinkTest.transfer(block: 1, log: 0)
            .replacingOccurrences(of: #""event":"Transfer""#, with: #""event":"Mixed""#)
            .replacingOccurrences(
                of: #""signature":"Transfer(address,address,uint256)""#, with: #""signature":"\#(sig)""#
            )
            .replacingOccurrences(
                of: #""args":\{[^}]*\}"#, with: #""args":\#(args)"#, options: .regularExpression)
        let r = try db.sink(["--tables", "per-event"], stdin: line + "\n" + SinkTest.marker(block: 1) + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.rows("SELECT signature || '|' || table_name FROM cc_event_tables") == [sig + "|Mixed"])
        let columns = try db.rows(
            """
            SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_name = 'Mixed'
            AND ordinal_position > 9 ORDER BY ordinal_position
            """)
        #expect(
            columns
                == [
                    "ok:boolean", "small:bigint", "signed:bigint", "wide:numeric", "list:jsonb", "pair:jsonb",
                    "note:text", "who:text",
                ])
        #expect(
            try db.rows("SELECT ok, small, signed, wide, list, pair, note, who FROM \"Mixed\"") == [
                "t|255|-9223372036854775808|"
                    + "115792089237316195423570985008687907853269984665640564039457584007913129639935"
                    + "|[\"1\", \"2\"]|[\"3\", \"x\"]|hi|0x0000000000000000000000000000000000000001"
            ])
    }
}

/// PostgreSQL batches that change the schema after a rewind opened the
/// transaction, and logs that name no chain.
@Suite(
    "cc-sink postgres: schema changes inside a batch, logs without a chain",
    .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
struct PostgresBatchEdgeTests {
    typealias DB = PostgresSinkTests.DB

    @Test("after a rewind, the first raw log, record and event table of the run each commit what came before")
    func schemaChangesAfterRewind() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pgddl")
        let ck = dir + "/ck.json"
        let args = ["--checkpoint", ck, "--tables", "per-event", "--raw-logs", "store"]
        var r = try db.sink(args, stdin: SinkTest.stream(from: 1, to: 2))
        #expect(r.status == 0, "\(r.stderr)")
        let fresh = SinkTest.transfer(block: 2, log: 8)
            .replacingOccurrences(of: #""event":"Transfer""#, with: #""event":"Fresh""#)
            .replacingOccurrences(of: "Transfer(address,address,uint256)", with: "Fresh(address,address,uint256)")
        let input =
            SinkRecordKindsTests.rewind(1) + SinkSideTableEdgeTests.rawLog(block: 2, log: 7) + "\n"
            + #"{"r":1}"# + "\n" + fresh + "\n" + SinkTest.marker(block: 2) + "\n"
        r = try db.sink(args, stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.keys() == SinkTest.expectedKeys(from: 1, to: 1) + ["2:8"])
        #expect(try db.keys("raw_logs") == ["2:7"])
        #expect(try db.keys(#""Fresh""#) == ["2:8"])
        #expect(try db.keys(#""Transfer""#) == SinkTest.expectedKeys(from: 1, to: 1))
        let records = try db.rows("SELECT cc_after_block, r FROM records")
        #expect(records == ["1|1"])
        #expect(try db.rows("SELECT block_number FROM cc_checkpoint") == ["2"])
    }

    @Test("an event and a raw log without chainId are stored with chain_id 0")
    func noChainId() throws {
        let db = try DB()
        let event = SinkTest.transfer(block: 1, log: 0).replacingOccurrences(of: #""chainId":1,"#, with: "")
        let raw = SinkSideTableEdgeTests.rawLog(block: 1, log: 1).replacingOccurrences(of: #""chainId":1,"#, with: "")
        let r = try db.sink(["--raw-logs", "store"], stdin: event + "\n" + raw + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.rows("SELECT chain_id, block_number, log_index FROM events") == ["0|1|0"])
        #expect(try db.rows("SELECT chain_id, block_number, log_index FROM raw_logs") == ["0|1|1"])
    }
}

/// A password on the command line is refused (64) wherever libpq would find
/// it: a dbname that is itself a connection string slipped through, and its
/// password was printed in the connection error. And the refusal reads in
/// full: "password", a URI parameter's name, was scrubbed as if a secret.
@Suite("cc-sink postgres: no password from the command line")
struct PostgresPasswordArgumentTests {
    static let refusal =
        "cc-sink: CONNINFO contains a password: a command line is visible to every user of the machine; put it in "
        + "PGPASSWORD, ~/.pgpass (PGPASSFILE) or a service file (PGSERVICE) instead\n"

    @Test(arguments: [
        "dbname='user=etl password=S3cretPW! dbname=chain' host=127.0.0.1 port=1",
        "dbname=postgresql://etl:S3cretPW!@127.0.0.1:1/chain",
        "postgresql://etl@127.0.0.1:1/chain?password=S3cretPW!",
        "host=127.0.0.1 port=1 password=S3cretPW!",
    ])
    func refused(_ conninfo: String) throws {
        let r = try SinkTest.run("cc-sink", ["postgres", conninfo], stdin: "")
        #expect(r.status == 64)
        #expect(r.stderr == Self.refusal)
        #expect(!r.stderr.contains("S3cret"))
    }
}
