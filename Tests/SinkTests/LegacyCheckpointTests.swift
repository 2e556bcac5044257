import CCKit
import CCTestSupport
import Foundation
import Testing

/// Checkpoint files written before the sink state was a typed value: each
/// `old` text below is what that code wrote for the run before it (only
/// `updatedAt` differs from run to run). Today's code must write the same
/// bytes and resume from the old file exactly.
@Suite("cc-sink: checkpoints written by earlier versions")
struct LegacyCheckpointTests {
    /// The checkpoint file's text with its `updatedAt` set to the old texts' value.
    static func normalized(_ path: String) -> String {
        let text = SinkTest.read(path)
        guard let r = text.range(of: #""updatedAt":"[^"]*""#, options: .regularExpression) else { return text }
        return text.replacingCharacters(in: r, with: #""updatedAt":"2026-12-01T00:00:00Z""#)
    }

    static func events(_ s: String) -> [String] {
        s.split(separator: "\n").map(String.init).filter { !$0.contains("$cc") }
    }

    /// Written for blocks 1...14 (2 events each, markers after 3, 6, 9, 12): the
    /// 0-9 window complete, the 10-19 one open with blocks 10-12 committed.
    static let oldFile =
        #"{"version":1,"chainId":1,"blockNumber":12,"blockHash":"0x000000000000000000000000000000000000000000000000000000000000000c","filter":"3f9a","updatedAt":"2026-12-01T00:00:00Z","sink":{"type":"file","path":"out/{event}-{from}-{to}.ndjson","format":"ndjson","files":[{"key":"out/Transfer-{from}-{to}.ndjson","path":"out/.Transfer-10-open.ndjson.part","length":3174,"from":10,"lastBlock":12,"window":1}]}}"#
        + "\n"

    @Test("file sink: the old checkpoint is written byte for byte and resumed: files end exact")
    func fileSink() throws {
        let dir = try SinkTest.tempDir()
        let args = ["file", "out/{event}-{from}-{to}.ndjson", "--rotate-blocks", "10", "--checkpoint", "ck.json"]
        let first = SinkTest.stream(from: 1, to: 14, perBlock: 2, markerEvery: 3, finalMarker: false)
        let r1 = try SinkTest.run("cc-sink", args, stdin: first, directory: dir)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(Self.normalized(dir + "/ck.json") == Self.oldFile)
        // The old file, as an earlier version left it, then the rest of the range.
        try SinkTest.write(Self.oldFile, to: dir + "/ck.json")
        let rest = SinkTest.stream(from: 13, to: 25, perBlock: 2, markerEvery: 3)
        let r2 = try SinkTest.run("cc-sink", args, stdin: rest, directory: dir)
        #expect(r2.status == 0, "\(r2.stderr)")
        let events = Self.events(SinkTest.stream(from: 1, to: 25, perBlock: 2))
        let files = FileSinkTests.tree(dir + "/out")
        #expect(files.keys.sorted() == ["Transfer-0-9.ndjson", "Transfer-10-19.ndjson", "Transfer-20-25.ndjson"])
        #expect(FileSinkTests.lines(files["Transfer-0-9.ndjson"] ?? "") == Array(events[0..<18]))
        #expect(FileSinkTests.lines(files["Transfer-10-19.ndjson"] ?? "") == Array(events[18..<38]))
        #expect(FileSinkTests.lines(files["Transfer-20-25.ndjson"] ?? "") == Array(events[38...]))
    }

    /// Written for blocks 1...12 as CSV with a clean end: every file
    /// completed, the state sealed, the last one listed with its columns.
    static let oldSealedCSV =
        #"{"version":1,"chainId":1,"blockNumber":12,"blockHash":"0x000000000000000000000000000000000000000000000000000000000000000c","filter":"3f9a","updatedAt":"2026-12-01T00:00:00Z","sink":{"type":"file","path":"out/{event}-{from}-{to}.csv","format":"csv","sealed":true,"files":[{"key":"out/Transfer-{from}-{to}.csv","path":"out/.Transfer-10-open.csv.part","length":2206,"from":10,"lastBlock":12,"window":1,"final":"out/Transfer-10-12.csv","columns":["chainId","blockNumber","blockHash","blockTimestamp","transactionHash","transactionIndex","logIndex","address","removed","event","signature","args.from","args.to","args.value"]}]}}"#
        + "\n"

    @Test("file sink, CSV: a sealed old checkpoint is written byte for byte; the next range starts a new file")
    func sealedCSV() throws {
        let dir = try SinkTest.tempDir()
        let args = [
            "file", "out/{event}-{from}-{to}.csv", "--format", "csv", "--rotate-blocks", "10", "--checkpoint",
            "ck.json",
        ]
        let input = SinkTest.stream(from: 1, to: 12, perBlock: 2, markerEvery: 3)
        let r1 = try SinkTest.run("cc-sink", args, stdin: input, directory: dir)
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(Self.normalized(dir + "/ck.json") == Self.oldSealedCSV)
        let before = FileSinkTests.tree(dir + "/out")
        try SinkTest.write(Self.oldSealedCSV, to: dir + "/ck.json")
        #expect(before.keys.sorted() == ["Transfer-0-9.csv", "Transfer-10-12.csv"])
        let next = SinkTest.stream(from: 13, to: 15, perBlock: 2, markerEvery: 3)
        let r2 = try SinkTest.run("cc-sink", args, stdin: next, directory: dir)
        #expect(r2.status == 0, "\(r2.stderr)")
        let after = FileSinkTests.tree(dir + "/out")
        #expect(after.keys.sorted() == ["Transfer-0-9.csv", "Transfer-10-12.csv", "Transfer-13-15.csv"])
        #expect(after["Transfer-0-9.csv"] == before["Transfer-0-9.csv"])
        #expect(after["Transfer-10-12.csv"] == before["Transfer-10-12.csv"])
        // The header and one row per event of blocks 13-15.
        #expect(FileSinkTests.lines(after["Transfer-13-15.csv"] ?? "").count == 7)
    }

    static let oldSQLite =
        #"{"version":1,"chainId":1,"blockNumber":12,"blockHash":"0x000000000000000000000000000000000000000000000000000000000000000c","filter":"3f9a","updatedAt":"2026-12-01T00:00:00Z","sink":{"type":"sqlite","table":"events"}}"#
        + "\n"

    @Test("sqlite sink: the old checkpoint is written byte for byte and resumed: every row once")
    func sqliteSink() throws {
        let dir = try SinkTest.tempDir()
        let args = ["sqlite", dir + "/db.sqlite", "--checkpoint", dir + "/ck.json"]
        let r1 = try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 1, to: 12, markerEvery: 3))
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(Self.normalized(dir + "/ck.json") == Self.oldSQLite)
        try SinkTest.write(Self.oldSQLite, to: dir + "/ck.json")
        let r2 = try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 10, to: 20, markerEvery: 3))
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(try SinkTest.keys(dir + "/db.sqlite") == SinkTest.expectedKeys(from: 1, to: 20))
        #expect(try SinkTest.query(dir + "/db.sqlite", "SELECT block_number FROM cc_checkpoint") == [["20"]])
    }

    @Test("webhook sink: the old checkpoint is written byte for byte and resumed")
    func webhookSink() throws {
        let receiver = try WebhookReceiver()
        let dir = try SinkTest.tempDir()
        let args = ["webhook", receiver.url, "--checkpoint", dir + "/ck.json"]
        let r1 = try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 1, to: 6, markerEvery: 3))
        #expect(r1.status == 0, "\(r1.stderr)")
        let old =
            #"{"version":1,"chainId":1,"blockNumber":6,"blockHash":"0x0000000000000000000000000000000000000000000000000000000000000006","filter":"3f9a","updatedAt":"2026-12-01T00:00:00Z","sink":{"type":"webhook","url":"URL"}}"#
            .replacingOccurrences(of: "URL", with: receiver.url) + "\n"
        #expect(Self.normalized(dir + "/ck.json") == old)
        try SinkTest.write(old, to: dir + "/ck.json")
        let r2 = try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 7, to: 9, markerEvery: 3))
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(
            Self.normalized(dir + "/ck.json")
                == old.replacingOccurrences(of: ":6,", with: ":9,")
                .replacingOccurrences(of: "06\"", with: "09\""))
        // Blocks 1-3, 4-6, then 7-9: nothing delivered twice.
        #expect(try receiver.requests().count == 3)
    }

    @Test("a checkpoint another kind of sink wrote is refused (78), and unknown keys in \"sink\" are ignored")
    func kindsAndUnknownKeys() throws {
        let dir = try SinkTest.tempDir()
        let args = ["sqlite", dir + "/db.sqlite", "--checkpoint", dir + "/ck.json"]
        #expect(try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 1, to: 12, markerEvery: 3)).status == 0)
        let withExtra = Self.oldSQLite.replacingOccurrences(
            of: #""table":"events"}"#, with: #""table":"events","later":{"x":[1,2]},"note":"from a newer build"}"#)
        try SinkTest.write(withExtra, to: dir + "/ck.json")
        let r = try SinkTest.run("cc-sink", args, stdin: SinkTest.stream(from: 13, to: 15, markerEvery: 3))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SinkTest.keys(dir + "/db.sqlite") == SinkTest.expectedKeys(from: 1, to: 15))
        try SinkTest.write(
            Self.oldSQLite.replacingOccurrences(
                of: #"{"type":"sqlite","table":"events"}"#, with: #"{"type":"webhook","url":"https://example.com/…"}"#),
            to: dir + "/ck.json")
        let refused = try SinkTest.run("cc-sink", args, stdin: "")
        #expect(refused.status == 78)
        #expect(
            refused.stderr
                == "cc-sink: checkpoint file was written by the webhook sink, not the sqlite sink; use another --checkpoint file\n"
        )
    }
}

@Suite(
    "cc-sink postgres: checkpoints written by earlier versions",
    .enabled(if: PostgresCluster.isInstalled, "PostgreSQL is not installed (make deps)"))
struct LegacyPostgresCheckpointTests {
    static let old =
        #"{"version":1,"chainId":1,"blockNumber":12,"blockHash":"0x000000000000000000000000000000000000000000000000000000000000000c","filter":"3f9a","updatedAt":"2026-12-01T00:00:00Z","sink":{"type":"postgres","schema":"public","table":"events","stream":"s1"}}"#
        + "\n"

    @Test("the old checkpoint (and the cc_checkpoint row's copy) is written byte for byte and resumed")
    func postgresSink() throws {
        let db = try PostgresSinkTests.DB()
        let ck = try SinkTest.tempDir("pg") + "/ck.json"
        let args = ["--checkpoint", ck, "--stream", "s1"]
        let r1 = try db.sink(args, stdin: SinkTest.stream(from: 1, to: 12, markerEvery: 3))
        #expect(r1.status == 0, "\(r1.stderr)")
        #expect(LegacyCheckpointTests.normalized(ck) == Self.old)
        #expect(
            try db.rows("SELECT sink::text FROM cc_checkpoint")
                == [#"{"type": "postgres", "table": "events", "schema": "public", "stream": "s1"}"#])
        try SinkTest.write(Self.old, to: ck)
        let r2 = try db.sink(args, stdin: SinkTest.stream(from: 10, to: 20, markerEvery: 3))
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(try db.keys() == SinkTest.expectedKeys(from: 1, to: 20))
    }
}
