import CCKit
import CCTestSupport
import Foundation
import Testing

/// `cc-sink postgres` with records that are not decoded events, as the
/// sqlite sink does (SinkRecordKindsTests): raw logs refused, skipped or
/// stored in `raw_logs`; plain records in `records`, exactly once per stream.
@Suite(
    "cc-sink postgres: raw logs and plain records",
    .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
struct PostgresRecordKindsTests {
    typealias DB = PostgresSinkTests.DB

    static func rewind(_ block: Int) -> String { SinkRecordKindsTests.rewind(block) }

    /// cc-fetch's raw logs carry their chain (a rewind retracts its chain's rows).
    static func mixed() -> String { SinkRecordKindsTests.chained(SinkRecordKindsTests.mixed()) }

    @Test("--raw-logs refuse (65, the sqlite message), skip (counted), store (raw_logs, exactly once, rewound)")
    func rawLogs() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pgraw")
        var r = try db.sink([], stdin: SinkRecordKindsTests.mixed())
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line 2: a raw (undecoded) log reached the sink (block 1, log index 1, topic0 "
                + "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef): decode it with cc-decode "
                + "--abi (add --unknown drop to drop logs no ABI matches), or run cc-sink with --raw-logs skip or "
                + "--raw-logs store\n")
        #expect(try db.keys() == ["1:0"])

        let skipped = try DB()
        r = try skipped.sink(
            ["--raw-logs", "skip", "--checkpoint", dir + "/skip.json"], stdin: SinkRecordKindsTests.mixed())
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "cc-sink: skipped 2 raw (undecoded) logs (--raw-logs skip)\n")
        #expect(try skipped.keys() == ["1:0", "2:0"])
        #expect(try skipped.rows("SELECT to_regclass('raw_logs') IS NULL") == ["t"])

        let stored = try DB()
        let ck = dir + "/ck.json"
        for _ in 0..<2 {
            r = try stored.sink(
                ["--raw-logs", "store", "--checkpoint", ck, "--tables", "per-event"], stdin: Self.mixed())
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr == "")
        }
        #expect(try stored.keys() == ["1:0", "2:0"])
        #expect(try stored.rows("SELECT count(*) FROM events WHERE event IS NULL") == ["0"])
        let query =
            "SELECT block_number, log_index, address, jsonb_array_length(topics), topics->>1, data, cc_stream "
            + "FROM raw_logs ORDER BY block_number"
        let row = { (b: Int) in
            "\(b)|1|0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48|2|"
                + "0x000000000000000000000000000000000000000000000000000000000000dead|0x01|"
        }
        #expect(try stored.rows(query) == [row(1), row(2)])
        #expect(try stored.rows("SELECT block_number FROM cc_checkpoint") == ["2"])
        // A removal deletes its raw log; a rewind retracts the raw logs above its block.
        let removed = Self.mixed().split(separator: "\n")[4].replacingOccurrences(
            of: #""removed":false"#, with: #""removed":true"#)
        r = try stored.sink(
            ["--raw-logs", "store", "--checkpoint", ck], stdin: removed + "\n" + SinkTest.marker(block: 2) + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try stored.rows(query) == [row(1)])
        r = try stored.sink(
            ["--raw-logs", "store"],
            stdin: Self.mixed() + Self.rewind(1) + SinkTest.marker(block: 1) + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try stored.rows(query) == [row(1)])
        #expect(try stored.keys() == ["1:0"])
    }

    @Test("plain records: one typed column per key, exactly once per stream on rerun, widened, rewound")
    func plainRecords() throws {
        let db = try DB()
        let dir = try SinkTest.tempDir("pgrec")
        let ck = dir + "/ck.json"
        // A first run killed after the first row that follows marker 1; the
        // rerun resumes after block 1 and gets that row again, then the rest.
        let lines = SinkRecordKindsTests.records.split(separator: "\n").map { $0 + "\n" }
        var r = try db.sink(["--checkpoint", ck], stdin: lines[0...2].joined())
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 1)
        r = try db.sink(["--checkpoint", ck], stdin: lines[2...].joined())
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        let all =
            "SELECT cc_stream, cc_chain_id, cc_after_block, cc_ordinal, event, block, \"to\", value, \"window\", "
            + "sum, count, tags, args FROM records ORDER BY cc_stream, cc_after_block, cc_ordinal"
        let expected = [
            "|0|-1|0|Transfer|1|0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B|5|||||{\"v\": 1}",
            "|1|1|0|||0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B||2|123456789012345678901234567890|3||",
            "|1|1|1|||0x0000000000000000000000000000000000000002||2|7|1|[\"a\"]|",
        ]
        #expect(try db.rows(all) == expected)
        #expect(try db.rows("SELECT count(*) FROM events") == ["0"])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 2)
        #expect(
            try db.rows(
                """
                SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_name = 'records'
                ORDER BY ordinal_position
                """)
                == [
                    "cc_stream:text", "cc_chain_id:bigint", "cc_after_block:bigint", "cc_ordinal:bigint",
                    "event:text", "block:bigint", "to:text", "value:numeric", "args:jsonb", "window:bigint",
                    "sum:numeric", "count:bigint", "tags:jsonb",
                ])
        // Amounts are exact numbers in SQL; the address column is indexed.
        #expect(
            try db.rows("SELECT sum(sum), count(*) FILTER (WHERE sum >= 100) FROM records") == [
                "123456789012345678901234567897|1"
            ])
        #expect(try db.rows("SELECT indexname FROM pg_indexes WHERE indexname = 'records_to'") == ["records_to"])

        // Another stream's same positions are rows of their own.
        r = try db.sink(["--stream", "b"], stdin: SinkRecordKindsTests.records)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.rows("SELECT cc_stream, count(*) FROM records GROUP BY 1 ORDER BY 1") == ["|3", "b|3"])

        // A value the column's type cannot hold turns the column into text, keeping what is there.
        r = try db.sink(
            ["--checkpoint", ck],
            stdin: SinkTest.marker(block: 3) + "\n" + #"{"count":"many","flag":true}"# + "\n"
                + SinkTest.marker(block: 4)
                + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try db.rows("SELECT cc_after_block, count, flag FROM records WHERE cc_stream = '' ORDER BY 1, cc_ordinal")
                == ["-1||", "1|3|", "1|1|", "3|many|t"])
        #expect(
            try db.rows("SELECT data_type FROM information_schema.columns WHERE column_name = 'count'") == ["text"])

        // A rewind to block 1 retracts this stream's records that follow markers at or above it (they came
        // from blocks above 1), no other stream's: the one before the first marker stays.
        r = try db.sink(["--checkpoint", ck], stdin: Self.rewind(1) + SinkTest.marker(block: 1) + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try db.rows("SELECT cc_stream, count(*) FROM records GROUP BY 1 ORDER BY 1") == ["|1", "b|3"])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 1)

        let bad = try db.sink(["--records-table", "cc_rows"], stdin: "")
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("reserved"))
    }
}
