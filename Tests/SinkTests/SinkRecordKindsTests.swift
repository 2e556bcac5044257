import CCKit
import Foundation
import Testing

/// What the sinks do with records that are not decoded events (stream
/// contract v1.1): raw logs are refused, skipped or stored, never written as
/// half-empty event rows; plain records are written as they are.
@Suite("cc-sink: raw logs and plain records")
struct SinkRecordKindsTests {
    static func rawLog(block: Int, log: Int) -> String {
        #"{"address":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x000000000000000000000000000000000000000000000000000000000000dead"],"data":"0x01","blockNumber":"\#(String(block, radix: 16).prefixed)","blockHash":"\#(SinkTest.hash(block))","transactionHash":"\#(SinkTest.hash(block * 1000 + log, salt: 7))","transactionIndex":"0x0","logIndex":"0x\#(String(log, radix: 16))","removed":false}"#
    }

    /// A rewind record of chain 1 to `block` (stream contract v1.1).
    static func rewind(_ block: Int) -> String {
        #"{"$cc":"rewind","chainId":1,"blockNumber":\#(block),"blockHash":"\#(SinkTest.hash(block))"}"# + "\n"
    }

    /// `lines` with chain 1 on every raw log, as cc-fetch writes them (a rewind retracts its chain's rows).
    static func chained(_ lines: String) -> String {
        lines.replacingOccurrences(of: #"{"address""#, with: #"{"chainId":1,"address""#)
    }

    /// Two blocks of Transfers with a raw log in each.
    static func mixed() -> String {
        SinkTest.transfer(block: 1, log: 0) + "\n" + rawLog(block: 1, log: 1) + "\n" + SinkTest.marker(block: 1) + "\n"
            + SinkTest.transfer(block: 2, log: 0) + "\n" + rawLog(block: 2, log: 1) + "\n" + SinkTest.marker(block: 2)
            + "\n"
    }

    @Test("a raw log is refused with 65 naming the line, the log and the fix; what came before is committed")
    func refused() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json", out = dir + "/out.ndjson"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: Self.mixed())
        #expect(r.status == 65)
        #expect(
            r.stderr
                == "cc-sink: line 2: a raw (undecoded) log reached the sink (block 1, log index 1, topic0 "
                + "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef): decode it with cc-decode "
                + "--abi (add --unknown drop to drop logs no ABI matches), or run cc-sink with --raw-logs skip or "
                + "--raw-logs store\n")
        #expect(try SinkTest.keys(db) == ["1:0"])
        #expect(try SinkTest.query(db, "SELECT count(*) FROM events WHERE event IS NULL") == [["0"]])
        let f = try SinkTest.run("cc-sink", ["file", out], stdin: Self.mixed())
        #expect(f.status == 65 && f.stderr.hasPrefix("cc-sink: line 2: a raw (undecoded) log"))
    }

    @Test("--raw-logs skip counts them; --raw-logs store keeps topics and data in raw_logs, never in events")
    func skipAndStore() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        var r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck, "--raw-logs", "skip"], stdin: Self.mixed())
        #expect(r.status == 0)
        #expect(r.stderr == "cc-sink: skipped 2 raw (undecoded) logs (--raw-logs skip)\n")
        #expect(try SinkTest.keys(db) == ["1:0", "2:0"])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 2)

        let db2 = dir + "/s.db"
        for _ in 0..<2 {
            r = try SinkTest.run("cc-sink", ["sqlite", db2, "--raw-logs", "store"], stdin: Self.mixed())
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("raw"))
        }
        #expect(try SinkTest.keys(db2) == ["1:0", "2:0"])
        #expect(try SinkTest.query(db2, "SELECT count(*) FROM events WHERE event IS NULL") == [["0"]])
        #expect(
            try SinkTest.query(
                db2,
                "SELECT block_number, log_index, address, json_array_length(topics), data FROM raw_logs "
                    + "ORDER BY block_number")
                == [
                    ["1", "1", "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", "2", "0x01"],
                    ["2", "1", "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48", "2", "0x01"],
                ])
        let out = dir + "/raw.ndjson"
        r = try SinkTest.run("cc-sink", ["file", out, "--raw-logs", "store"], stdin: Self.mixed())
        #expect(r.status == 0)
        #expect(SinkTest.read(out).split(separator: "\n").count == 4)
        #expect(SinkTest.read(out).contains(Self.rawLog(block: 2, log: 1)))
    }

    /// `--agg`-like rows after each marker, and a reshape before the first one.
    static let records =
        #"{"event":"Transfer","block":1,"to":"0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B","value":"5","args":{"v":1}}"#
        + "\n"
        + SinkTest.marker(block: 1) + "\n"
        + #"{"window":2,"to":"0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B","sum":"123456789012345678901234567890","count":3}"#
        + "\n"
        + #"{"window":2,"to":"0x0000000000000000000000000000000000000002","sum":"7","count":1,"tags":["a"]}"# + "\n"
        + SinkTest.marker(block: 2) + "\n"

    @Test("plain records: SQLite stores one column per key, exactly once on rerun; files and webhooks as they are")
    func plainRecords() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        // A first run killed after the first row that follows marker 1; the
        // rerun resumes after block 1 and gets that row again, then the rest.
        let lines = Self.records.split(separator: "\n").map { $0 + "\n" }
        var r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: lines[0...2].joined())
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 1)
        r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: lines[2...].joined())
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        #expect(
            try SinkTest.query(
                db,
                "SELECT cc_chain_id, cc_after_block, cc_ordinal, event, block, \"to\", value, window, sum, count, tags, "
                    + "args "
                    + "FROM records ORDER BY cc_after_block, cc_ordinal")
                == [
                    [
                        "0", "-1", "0", "Transfer", "1", "0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B", "5", nil, nil,
                        nil, nil, #"{"v":1}"#,
                    ],
                    [
                        "1", "1", "0", nil, nil, "0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B", nil, "2",
                        "123456789012345678901234567890", "3", nil, nil,
                    ],
                    [
                        "1", "1", "1", nil, nil, "0x0000000000000000000000000000000000000002", nil, "2", "7", "1",
                        #"["a"]"#, nil,
                    ],
                ])
        #expect(try SinkTest.query(db, "SELECT count(*) FROM events") == [["0"]])
        // Amount columns compare as numbers; addresses in any case.
        #expect(try SinkTest.query(db, "SELECT count(*) FROM records WHERE sum >= 100") == [["1"]])
        #expect(
            try SinkTest.query(
                db, "SELECT count(*) FROM records WHERE \"to\" = '0xab5801a7d398351b8be11c439e05c5b3259aec9b'")
                == [["2"]])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 2)

        let out = dir + "/rows.ndjson"
        let f = try SinkTest.run("cc-sink", ["file", out], stdin: Self.records)
        #expect(f.status == 0, "\(f.stderr)")
        #expect(
            SinkTest.read(out) == Self.records.split(separator: "\n").filter { !$0.contains("$cc") }.joined(
                separator: "\n") + "\n")

        let receiver = try WebhookReceiver()
        let w = try SinkTest.run("cc-sink", ["webhook", receiver.url + "/hook"], stdin: Self.records)
        #expect(w.status == 0, "\(w.stderr)")
        let bodies = try receiver.requests().map(\.body)
        #expect(bodies.joined().components(separatedBy: "\"to\":").count - 1 == 3)
    }

    @Test(
        "a rewind retracts raw logs above its block and plain records after markers at or above it, in a later run too")
    func rewindRetractsSideTables() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        func row(_ n: Int) -> String { #"{"n":\#(n)}"# + "\n" }
        let first = Self.chained(
            Self.mixed() + row(1) + row(2) + SinkTest.transfer(block: 3, log: 0) + "\n" + Self.rawLog(block: 3, log: 1)
                + "\n" + SinkTest.marker(block: 3) + "\n" + row(3))
        var r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck, "--raw-logs", "store"], stdin: first)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.query(db, "SELECT block_number FROM raw_logs ORDER BY 1") == [["1"], ["2"], ["3"]])
        #expect(
            try SinkTest.query(db, "SELECT cc_after_block, cc_ordinal, n FROM records ORDER BY 1, 2")
                == [["2", "0", "1"], ["2", "1", "2"], ["3", "0", "3"]])
        // A later run (as after a restart) meets a reorg below block 3: the fork is block 2.
        r = try SinkTest.run(
            "cc-sink", ["sqlite", db, "--checkpoint", ck, "--raw-logs", "store"],
            stdin: Self.rewind(2) + row(20) + SinkTest.marker(block: 2) + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.query(db, "SELECT block_number FROM raw_logs ORDER BY 1") == [["1"], ["2"]])
        #expect(try SinkTest.keys(db) == ["1:0", "2:0"])
        // Records after markers 2 and 3 are gone; the canonical one after the fork takes position (2, 0).
        #expect(
            try SinkTest.query(db, "SELECT cc_after_block, cc_ordinal, n FROM records ORDER BY 1, 2")
                == [["2", "0", "20"]])
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 2)
    }

    @Test("a sink with --checkpoint that never sees a marker says so")
    func noMarker() throws {
        let dir = try SinkTest.tempDir()
        let db = dir + "/t.db", ck = dir + "/ck.json"
        let input = SinkTest.transfer(block: 1, log: 0) + "\n"
        let r = try SinkTest.run("cc-sink", ["sqlite", db, "--checkpoint", ck], stdin: input)
        #expect(r.status == 0)
        #expect(
            r.stderr
                == "cc-sink: no checkpoint marker in the input, so \(ck) was not written: cc-fetch stopped before "
                + "its first marker (see its own message) or has no --checkpoint (give it the same --checkpoint FILE)\n"
        )
        #expect(!FileManager.default.fileExists(atPath: ck))
        #expect(try SinkTest.keys(db) == ["1:0"])
    }
}

extension String {
    fileprivate var prefixed: String { "0x" + self }
}
