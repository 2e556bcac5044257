import CCKit
import CCTestSupport
import Foundation
import Testing

/// `cc-sink postgres` against a throwaway cluster the tests start themselves
/// (`PostgresCluster`): skipped, with the reason, where PostgreSQL is not installed.
@Suite("cc-sink postgres", .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
struct PostgresSinkTests {
    struct DB {
        let cluster: PostgresCluster
        let name: String
        var conninfo: String { cluster.conninfo(database: name) }

        init() throws {
            cluster = try PostgresCluster.require()
            name = try cluster.createDatabase()
        }

        func sink(_ args: [String], stdin: String, environment: [String: String] = [:]) throws -> BinaryRun {
            try SinkTest.run(
                "cc-sink", ["postgres", conninfo] + args, stdin: stdin,
                environment: cluster.environment.merging(environment) { $1 })
        }

        func rows(_ sql: String) throws -> [String] { try cluster.psql(name, sql) }

        func keys(_ table: String = "events") throws -> [String] {
            try rows("SELECT block_number || ':' || log_index FROM \(table) ORDER BY block_number, log_index")
        }
    }

    @Test("exact rows, typed columns and the cc_checkpoint row; a rerun adds nothing")
    func basic() throws {
        let db = try DB()
        let ck = try SinkTest.tempDir("pg") + "/ck.json"
        let input = SinkTest.stream(from: 100, to: 109)
        for _ in 0..<2 {
            let r = try db.sink(["--checkpoint", ck, "--tables", "per-event"], stdin: input)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == "" && r.stderr == "")
        }
        #expect(try db.keys() == SinkTest.expectedKeys(from: 100, to: 109))
        #expect(try db.keys("\"Transfer\"") == SinkTest.expectedKeys(from: 100, to: 109))
        #expect(
            try db.rows(
                """
                SELECT chain_id, block_number, block_hash, extract(epoch FROM block_time)::bigint, transaction_hash,
                  transaction_index, log_index, address, event, signature, args->>'value'
                FROM events WHERE block_number = 105 AND log_index = 2
                """)
                == [
                    [
                        "1", "105", SinkTest.hash(105), "1700001260", SinkTest.hash(105_002, salt: 7), "1", "2",
                        "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "Transfer", "Transfer(address,address,uint256)",
                        "105000002",
                    ].joined(separator: "|")
                ])
        #expect(
            try db.rows(
                """
                SELECT column_name || ':' || data_type FROM information_schema.columns
                WHERE table_name = 'Transfer' AND column_name IN ('from', 'value', 'block_time') ORDER BY 1
                """) == ["block_time:timestamp with time zone", "from:text", "value:numeric"])
        #expect(
            try db.rows("SELECT stream, chain_id, filter, pipeline, block_number FROM cc_checkpoint")
                == ["|1|3f9a|3f9a|109"])
        let cp = try #require(try CheckpointFile(path: ck).read())
        #expect(cp.blockNumber == 109 && cp.sink.type == "postgres")
        let indexes = try db.rows("SELECT indexname FROM pg_indexes WHERE tablename = 'Transfer' ORDER BY 1")
        #expect(indexes == ["Transfer_from", "Transfer_key", "Transfer_to"])
    }

    @Test("uint256 amounts are exact in SQL: sum, order and range against Python's integers")
    func amounts() throws {
        let db = try DB()
        let values = [
            "115792089237316195423570985008687907853269984665640564039457584007913129639935",
            "1000000000000000000", "999999999999999999", "18446744073709551616", "0",
            "340282366920938463463374607431768211455",
        ]
        var input = ""
        for (i, v) in values.enumerated() { input += SinkTest.transfer(block: 10 + i, log: 0, value: v) + "\n" }
        input += SinkTest.marker(block: 20) + "\n"
        let r = try db.sink(["--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let py = try SinkTest.shell(
            "python3 -c 'v=[\(values.joined(separator: ","))]; print(sum(v)); print(\",\".join(map(str, sorted(v, reverse=True)))); print(sum(x for x in v if x >= 10**18))'"
        )
        let expected = py.stdout.split(separator: "\n").map(String.init)
        #expect(try db.rows("SELECT sum(value) FROM \"Transfer\"") == [expected[0]])
        #expect(
            try db.rows("SELECT string_agg(value::text, ',' ORDER BY value DESC) FROM \"Transfer\"") == [expected[1]])
        #expect(
            try db.rows("SELECT sum(value) FROM \"Transfer\" WHERE value >= 1000000000000000000") == [expected[2]])
        #expect(try db.rows("SELECT sum((args->>'value')::numeric) FROM events") == [expected[0]])
    }

    @Test("hostile names are quoted, and one signature with other argument names gets their columns")
    func hostileNamesAndRenamedArguments() throws {
        let db = try DB()
        let weth = SinkTest.transfer(block: 2, log: 0, value: "7")
            .replacingOccurrences(of: #""from":"#, with: #""src":"#)
            .replacingOccurrences(of: #""to":"#, with: #""dst":"#)
            .replacingOccurrences(of: #""value":"#, with: #""wad":"#)
        let hostile =
            #"{"chainId":1,"blockNumber":3,"blockHash":"\#(SinkTest.hash(3))","logIndex":0,"event":"x\"; DROP TABLE events; --","#
            + #""signature":"x\"; DROP TABLE events; --(uint256,string)","args":{"a\"b":"12","c\\t'd":"it's\ttab\\"}}"#
        let input =
            [SinkTest.transfer(block: 1, log: 0, value: "5"), weth, hostile, SinkTest.marker(block: 3)]
            .joined(separator: "\n") + "\n"
        let r = try db.sink(["--tables", "per-event", "--schema", "we\"ird"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try db.rows(#"SELECT block_number, "from", src, value, wad FROM "we""ird"."Transfer" ORDER BY 1"#)
                == [
                    "1|0x000000000000000000000000000000000000dEaD||5|",
                    "2||0x000000000000000000000000000000000000dEaD||7",
                ])
        #expect(try db.rows(#"SELECT count(*) FROM "we""ird".events"#) == ["3"])
        let table = try #require(
            try db.rows(#"SELECT table_name FROM "we""ird".cc_event_tables WHERE signature LIKE 'x%'"#).first)
        #expect(table == "x___DROP_TABLE_events____")
        // The text exactly as the event had it: a tab, a quote and a backslash survive COPY.
        let hostileRow = try db.rows(#"SELECT a_b, replace(c_t_d, E'\t', '<TAB>') FROM "we""ird"."\#(table)""#)
        #expect(hostileRow == [#"12|it's<TAB>tab\"#])
    }

    @Test("removals and rewind records delete, in the transaction of their batch")
    func removalAndRewind() throws {
        let db = try DB()
        let ck = try SinkTest.tempDir("pg") + "/ck.json"
        var input = SinkTest.stream(from: 1, to: 10)
        input += SinkTest.transfer(block: 3, log: 1, removed: true) + "\n"
        input += #"{"$cc":"rewind","chainId":1,"blockNumber":7,"blockHash":"\#(SinkTest.hash(7))"}"# + "\n"
        input += SinkTest.transfer(block: 8, log: 0, salt: 1) + "\n"
        input += SinkTest.marker(block: 8, salt: 1) + "\n"
        let r = try db.sink(["--checkpoint", ck, "--tables", "per-event"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        var expected = SinkTest.expectedKeys(from: 1, to: 7)
        expected.removeAll { $0 == "3:1" }
        expected.append("8:0")
        #expect(try db.keys() == expected)
        #expect(try db.keys("\"Transfer\"") == expected)
        #expect(try db.rows("SELECT block_hash FROM events WHERE block_number = 8") == [SinkTest.hash(8, salt: 1)])
        #expect(try db.rows("SELECT block_number, block_hash FROM cc_checkpoint") == ["8|\(SinkTest.hash(8, salt: 1))"])
    }

    @Test("SIGKILL at random moments, then the same command again: exactly the range, once")
    func killAndRerun() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pg")
        let ck = dir + "/ck.json", inputPath = dir + "/in.ndjson"
        try SinkTest.write(SinkTest.stream(from: 1, to: 4000, markerEvery: 50), to: inputPath)
        let command =
            "\(SinkTest.binary("cc-sink")) postgres '\(db.conninfo)' --checkpoint \(ck) --tables per-event "
            + "--batch-size 500 \(inputPath)"
        var interrupted = 0
        for delay in ["0.15", "0.3", "0.05", "0.5", "0.2", "0.4"] {
            let r = try SinkTest.shell(
                "\(command) & p=$!; sleep \(delay); kill -9 $p 2>/dev/null; wait $p; true",
                environment: db.cluster.environment)
            #expect(!r.stderr.contains("error"), "\(r.stderr)")
            if (try CheckpointFile(path: ck).read()?.blockNumber ?? 0) < 4000 { interrupted += 1 }
        }
        #expect(interrupted > 0, "no kill landed before the end: the input is too small for this machine")
        let r = try SinkTest.shell(command, environment: db.cluster.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let expected = SinkTest.expectedKeys(from: 1, to: 4000)
        #expect(try db.keys() == expected)
        #expect(
            try db.rows("SELECT count(*), count(DISTINCT (block_number, log_index)) FROM \"Transfer\"") == [
                "12000|12000"
            ])
        #expect(try db.rows("SELECT block_number FROM cc_checkpoint") == ["4000"])
    }

    @Test("4 writers of different streams into the same tables at once: every row once, 4 checkpoint rows")
    func concurrentWriters() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pg")
        var script = ""
        for k in 0..<4 {
            let from = 1 + k * 500
            try SinkTest.write(SinkTest.stream(from: from, to: from + 499, markerEvery: 10), to: dir + "/in\(k)")
            script +=
                "\(SinkTest.binary("cc-sink")) postgres '\(db.conninfo)' --stream \(k)/4 --tables per-event "
                + "--checkpoint \(dir)/ck\(k) --batch-size 300 \(dir)/in\(k) & p\(k)=$!\n"
        }
        script += "s=0; for p in $p0 $p1 $p2 $p3; do wait $p || s=1; done; exit $s"
        let r = try SinkTest.shell(script, environment: db.cluster.environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.keys() == SinkTest.expectedKeys(from: 1, to: 2000))
        #expect(try db.keys("\"Transfer\"") == SinkTest.expectedKeys(from: 1, to: 2000))
        #expect(
            try db.rows("SELECT stream || ':' || block_number FROM cc_checkpoint ORDER BY stream")
                == ["0/4:500", "1/4:1000", "2/4:1500", "3/4:2000"])
    }

    @Test("a rewind retracts only its own stream's rows and checkpoint: a resuming shard keeps the others' data")
    func rewindIsPerStream() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pg")
        let rewind = { (b: Int) in
            #"{"$cc":"rewind","chainId":1,"blockNumber":\#(b),"blockHash":"\#(SinkTest.hash(b))"}"#
        }
        var r = try db.sink(
            ["--stream", "b", "--checkpoint", dir + "/b", "--tables", "per-event"],
            stdin: SinkTest.stream(from: 1, to: 5))
        #expect(r.status == 0, "\(r.stderr)")
        r = try db.sink(
            ["--stream", "a", "--checkpoint", dir + "/a", "--tables", "per-event"],
            stdin: SinkTest.stream(from: 6, to: 10))
        #expect(r.status == 0, "\(r.stderr)")
        // What cc-fetch sends when it resumes from b's checkpoint: a rewind at it, then b's next blocks.
        r = try db.sink(
            ["--stream", "b", "--checkpoint", dir + "/b", "--tables", "per-event"],
            stdin: rewind(5) + "\n" + SinkTest.stream(from: 11, to: 12))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.keys() == SinkTest.expectedKeys(from: 1, to: 12))
        #expect(try db.keys("\"Transfer\"") == SinkTest.expectedKeys(from: 1, to: 12))
        // A fork under stream a at block 8 retracts a's rows above it, not b's 11 and 12.
        r = try db.sink(
            ["--stream", "a", "--checkpoint", dir + "/a", "--tables", "per-event"],
            stdin: rewind(8) + "\n" + SinkTest.marker(block: 8) + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        let expected = SinkTest.expectedKeys(from: 1, to: 8) + SinkTest.expectedKeys(from: 11, to: 12)
        #expect(try db.keys() == expected)
        #expect(try db.keys("\"Transfer\"") == expected)
        #expect(try db.rows("SELECT stream || ':' || block_number FROM cc_checkpoint ORDER BY 1") == ["a:8", "b:12"])
        #expect(try CheckpointFile(path: dir + "/a").read()?.blockNumber == 8)
    }

    @Test("--checkpoint-from-db resumes a worker without a file; --print-checkpoint writes the file and exits")
    func checkpointFromDatabase() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pg")
        let r1 = try db.sink(["--stream", "a"], stdin: SinkTest.stream(from: 1, to: 5))
        #expect(r1.status == 0, "\(r1.stderr)")
        let printed = try db.sink(["--stream", "a", "--checkpoint", dir + "/p.json", "--print-checkpoint"], stdin: "")
        #expect(printed.status == 0, "\(printed.stderr)")
        let cp = try #require(try CheckpointFile(path: dir + "/p.json").read())
        #expect(cp.blockNumber == 5 && cp.blockHash == SinkTest.hash(5) && cp.filter == "3f9a")
        // No row for stream b: no file (a stale one is removed).
        try SinkTest.write(SinkTest.read(dir + "/p.json"), to: dir + "/q.json")
        let none = try db.sink(["--stream", "b", "--checkpoint", dir + "/q.json", "--print-checkpoint"], stdin: "")
        #expect(none.status == 0 && !FileManager.default.fileExists(atPath: dir + "/q.json"), "\(none.stderr)")
        // A stateless worker: blocks 6-8 after its row, from the database alone.
        let r2 = try db.sink(
            ["--stream", "a", "--checkpoint", dir + "/w.json", "--checkpoint-from-db"],
            stdin: SinkTest.stream(from: 6, to: 8))
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(try CheckpointFile(path: dir + "/w.json").read()?.blockNumber == 8)
        #expect(try db.keys() == SinkTest.expectedKeys(from: 1, to: 8))
    }

    @Test("a server that goes away mid-run is 75 with the open batch rolled back; after it is back the rerun is exact")
    func serverGoesAway() throws {
        let cluster = try PostgresCluster.makePrivate()
        let name = try cluster.createDatabase()
        let dir = try SinkTest.tempDir("pg")
        let ck = dir + "/ck.json"
        try SinkTest.write(SinkTest.stream(from: 1, to: 5), to: dir + "/p1")
        // Blocks 6-8 without their marker: a batch that is open when the server dies.
        try SinkTest.write(SinkTest.stream(from: 6, to: 10), to: dir + "/p2")
        let sink =
            "\(SinkTest.binary("cc-sink")) postgres '\(cluster.conninfo(database: name))' --checkpoint \(ck) "
            + "--tables per-event --flush-interval 10s"
        let r = try SinkTest.shell(
            "{ cat \(dir)/p1; sleep 1; \(cluster.stopCommand); cat \(dir)/p2; } | \(sink)",
            environment: cluster.environment)
        #expect(r.status == 75, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("cc-sink: ") && !r.stderr.contains(PostgresCluster.password), "\(r.stderr)")
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 5)
        try cluster.start()
        #expect(try cluster.psql(name, "SELECT max(block_number) FROM events") == ["5"])
        let again = try SinkTest.shell(
            "cat \(dir)/p1 \(dir)/p2 | \(sink)", environment: cluster.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            try cluster.psql(
                name, "SELECT block_number || ':' || log_index FROM events ORDER BY block_number, log_index")
                == SinkTest.expectedKeys(from: 1, to: 10))
        // The server is down from the start: 69, one line.
        _ = try SinkTest.shell(cluster.stopCommand)
        let down = try SinkTest.run(
            "cc-sink", ["postgres", cluster.conninfo(database: name)], stdin: "", environment: cluster.environment)
        #expect(down.status == 69, "\(down.stderr)")
        #expect(down.stderr.split(separator: "\n").count == 1, "\(down.stderr)")
    }

    @Test("a password is never taken from the command line, and a wrong one is 78 without printing it")
    func passwords() throws {
        let db = try DB()
        let inArgs = try SinkTest.run(
            "cc-sink", ["postgres", db.conninfo + " password=hunter2secret"], stdin: "",
            environment: db.cluster.environment)
        #expect(inArgs.status == 64)
        #expect(inArgs.stderr.contains("PGPASSWORD") && !inArgs.stderr.contains("hunter2secret"))
        let uri = try SinkTest.run(
            "cc-sink", ["postgres", "postgresql://postgres:hunter2secret@127.0.0.1:\(db.cluster.port)/\(db.name)"],
            stdin: "", environment: db.cluster.environment)
        #expect(uri.status == 64 && !uri.stderr.contains("hunter2secret"), "\(uri.stderr)")
        let wrong = try db.sink(
            [], stdin: SinkTest.stream(from: 1, to: 2), environment: ["PGPASSWORD": "wrong-pw-1234"])
        #expect(wrong.status == 78, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("password authentication failed") && !wrong.stderr.contains("wrong-pw-1234"))
        #expect(wrong.stderr.split(separator: "\n").count == 1)
    }
}
