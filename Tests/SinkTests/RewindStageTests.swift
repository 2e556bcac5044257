import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The rewind record through each stage and sink, and latency: every stage
/// writes a marker as soon as it has read it.
@Suite("rewind through the stages; markers without delay")
struct RewindStageTests {
    static let rewind11 = #"{"$cc":"rewind","chainId":1,"blockNumber":11,"blockHash":"\#(SinkTest.hash(11))"}"#

    static func event(_ block: Int, log: Int = 0, salt: Int = 0) -> String {
        SinkTest.transfer(block: block, log: log, salt: salt)
    }

    @Test("cc-decode and cc-filter forward a rewind unchanged and in order")
    func stagesForwardRewind() throws {
        let input =
            [
                Self.event(10), SinkTest.marker(block: 10), Self.event(12), Self.rewind11, Self.event(12, salt: 1),
                SinkTest.marker(block: 12, salt: 1),
            ].joined(separator: "\n") + "\n"
        let decoded = try SinkTest.run("cc-decode", ["--abi", "erc20"], stdin: input)
        #expect(decoded.status == 0, "\(decoded.stderr)")
        #expect(PipelineField.strip(decoded.stdout) == input)
        let filtered = try SinkTest.run("cc-filter", [#"event == "Transfer""#], stdin: input)
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(PipelineField.strip(filtered.stdout) == input)
    }

    @Test("an aggregating cc-filter drops its open window above the rewind's block")
    func aggregationDropsTheOpenWindow() throws {
        let input =
            [
                Self.event(10), Self.event(11), SinkTest.marker(block: 11), Self.event(12), Self.event(13),
                Self.rewind11, Self.event(12, salt: 1), SinkTest.marker(block: 13, salt: 1),
            ].joined(separator: "\n") + "\n"
        let r = try SinkTest.run("cc-filter", ["--agg", "count()", "--window", "marker"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.lines.map(PipelineField.strip) == [
                #"{"window":{"fromBlock":10,"toBlock":11},"count":2}"#, SinkTest.marker(block: 11), Self.rewind11,
                #"{"window":{"fromBlock":12,"toBlock":13},"count":1}"#, SinkTest.marker(block: 13, salt: 1),
            ])
    }

    /// Milliseconds from start until the stage wrote its first line, with a
    /// second line 2 s later keeping its input open.
    static func firstLineMilliseconds(_ stage: String) throws -> Int {
        let m = SinkTest.marker(block: 5)
        let r = try BuiltBinaries.shell(
            "start=$(date +%s%N); (echo '\(m)'; sleep 2; echo '\(m)') | \(stage) | "
                + "{ read -r l; echo $(( ($(date +%s%N) - start) / 1000000 )); cat > /dev/null; }")
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test("cc-decode and cc-filter write a marker at once, not when their buffer fills or input ends")
    func markersWithoutDelay() throws {
        let decode = try Self.firstLineMilliseconds("cc-decode --abi erc20")
        #expect(decode >= 0 && decode < 500, "cc-decode: \(decode) ms")
        let filter = try Self.firstLineMilliseconds("cc-filter 'true'")
        #expect(filter >= 0 && filter < 500, "cc-filter: \(filter) ms")
        let lines = try Self.firstLineMilliseconds("cc-decode --abi erc20 | cc-filter 'true'")
        #expect(lines >= 0 && lines < 500, "cc-decode | cc-filter: \(lines) ms")
    }

    @Test("cc-sink commits as soon as a marker arrives")
    func sinkCommitsAtTheMarker() throws {
        let dir = try SinkTest.tempDir()
        try SinkTest.write(SinkTest.stream(from: 1, to: 3), to: dir + "/in.ndjson")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [
            "-c", "(cat in.ndjson; sleep 3) | exec '\(SinkTest.binary("cc-sink"))' sqlite t.db --checkpoint ck.json",
        ]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let started = Date()
        try p.run()
        var block: UInt64?
        while Date().timeIntervalSince(started) < 2.5 {
            block = (try? CheckpointFile(path: dir + "/ck.json").read())??.blockNumber
            if block == 3 { break }
            usleep(10_000)
        }
        let waited = Date().timeIntervalSince(started)
        p.waitUntilExit()
        #expect(block == 3)
        #expect(waited < 1.0, "checkpoint after \(waited) s")
        #expect(try SinkTest.keys(dir + "/t.db") == SinkTest.expectedKeys(from: 1, to: 3))
    }

    @Test("file sink: a rewind below what the file holds is written into it; the checkpoint moves back")
    func fileSinkWritesTheRewind() throws {
        let dir = try SinkTest.tempDir()
        let first = SinkTest.stream(from: 10, to: 12, perBlock: 1)
        var r = try SinkTest.run(
            "cc-sink", ["file", "out.ndjson", "--checkpoint", "ck.json"], stdin: first, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // A rerun as cc-fetch starts one: a rewind at the checkpoint retracts nothing, and is not written.
        let resume = #"{"$cc":"rewind","chainId":1,"blockNumber":12,"blockHash":"\#(SinkTest.hash(12))"}"#
        let reorg =
            [resume, Self.event(13), SinkTest.marker(block: 13), Self.rewind11, Self.event(12, salt: 1)]
            .joined(separator: "\n") + "\n"
        r = try SinkTest.run(
            "cc-sink", ["file", "out.ndjson", "--checkpoint", "ck.json"], stdin: reorg, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let want = [Self.event(10, log: 0), Self.event(11), Self.event(12), Self.event(13), Self.rewind11]
        #expect(SinkTest.read(dir + "/out.ndjson") == (want + [Self.event(12, salt: 1)]).joined(separator: "\n") + "\n")
        // The checkpoint moved back to the rewind's block (the input ended without a marker after it).
        let ck = try #require(try CheckpointFile(path: dir + "/ck.json").read())
        #expect(ck.blockNumber == 11 && ck.blockHash == SinkTest.hash(11))
        // A rerun truncates back to what that checkpoint recorded: the rewind line stays.
        r = try SinkTest.run("cc-sink", ["file", "out.ndjson", "--checkpoint", "ck.json"], stdin: "", directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(SinkTest.read(dir + "/out.ndjson") == want.joined(separator: "\n") + "\n")
    }

    @Test("file sink: CSV and rotated files refuse a rewind that must retract rows (78)")
    func fileSinkRefusesWhereItCannotRetract() throws {
        let input = SinkTest.stream(from: 10, to: 12, perBlock: 1) + Self.rewind11 + "\n"
        for args in [["--format", "csv"], ["--rotate-blocks", "100"]] {
            let dir = try SinkTest.tempDir()
            let path = args[0] == "--format" ? "out.csv" : "out-{from}-{to}.ndjson"
            let r = try SinkTest.run(
                "cc-sink", ["file", path, "--checkpoint", "ck.json"] + args, stdin: input, directory: dir)
            #expect(r.status == 78, "\(r.stderr)")
            #expect(r.stderr.contains("rewind to block 11"), "\(r.stderr)")
        }
    }

    @Test("webhook: the rewind is posted in order, as an element of the batch")
    func webhookPostsTheRewind() throws {
        let receiver = try WebhookReceiver()
        let input =
            [Self.event(10), Self.event(12), Self.rewind11, Self.event(12, salt: 1), SinkTest.marker(block: 12)]
            .joined(separator: "\n") + "\n"
        let r = try SinkTest.run("cc-sink", ["webhook", receiver.url + "/hook"], stdin: input)
        #expect(r.status == 0, "\(r.stderr)")
        let bodies = try receiver.requests().map(\.body)
        #expect(
            bodies == [
                "[" + [Self.event(10), Self.event(12), Self.rewind11, Self.event(12, salt: 1)].joined(separator: ",")
                    + "]"
            ])
    }

    @Test("sqlite: a rewind deletes the rows above its block in every table and moves the checkpoint back with them")
    func sqliteRewindAcrossTables() throws {
        let dir = try SinkTest.tempDir()
        let first = SinkTest.stream(from: 10, to: 12, perBlock: 2)
        var r = try SinkTest.run(
            "cc-sink", ["sqlite", "t.db", "--tables", "per-event", "--checkpoint", "ck.json"], stdin: first,
            directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let second =
            [Self.rewind11, SinkTest.marker(block: 11), Self.event(12, salt: 1)].joined(separator: "\n") + "\n"
        r = try SinkTest.run(
            "cc-sink", ["sqlite", "t.db", "--tables", "per-event", "--checkpoint", "ck.json"], stdin: second,
            directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let db = dir + "/t.db"
        #expect(try SinkTest.keys(db) == ["10:0", "10:1", "11:0", "11:1", "12:0"])
        #expect(
            try SinkTest.query(db, "SELECT block_hash FROM events WHERE block_number = 12") == [
                [SinkTest.hash(12, salt: 1)]
            ])
        let table = try #require(try SinkTest.query(db, "SELECT table_name FROM cc_event_tables").first?.first ?? nil)
        #expect(try SinkTest.keys(db, table: table) == ["10:0", "10:1", "11:0", "11:1", "12:0"])
        #expect(
            try SinkTest.query(db, "SELECT block_number, block_hash FROM cc_checkpoint") == [["11", SinkTest.hash(11)]])
        let ck = try #require(try CheckpointFile(path: dir + "/ck.json").read())
        #expect(ck.blockNumber == 11 && ck.blockHash == SinkTest.hash(11))
    }
}
