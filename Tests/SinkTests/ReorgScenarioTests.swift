import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 12's scenarios A–F: restarts, stops and kills that meet a reorg,
/// through `cc-fetch | cc-decode | cc-sink sqlite` against the fixture node.
/// Each ends with the table exactly the node's canonical chain.
@Suite("reorgs across restarts: scenarios A-F", .serialized)
struct ReorgScenarioTests {
    static let follow0 = ["--follow", "--confirmations", "0", "--poll-interval", "0.02", "-v"]

    @Test("A: a reorg of the resumed block right after a restart is retracted")
    func reorgRightAfterRestart() throws {
        let h = try ReorgHarness(
            nodeArguments: ["--blocks", "5000", "--head-start", "120"], from: 100, fetchOptions: Self.follow0)
        let first = try h.start()
        #expect(h.waitForCheckpoint(atLeast: 120))
        #expect(first.stop() == [143, 0, 0], "\(h.log)")

        let second = try h.start()
        #expect(h.wait { h.log.components(separatedBy: "following the head").count >= 3 })
        try h.node.control(#"{"reorg":{"depth":1}}"#)  // block 120 gets a new hash and new logs
        try h.node.control(#"{"advance":2}"#)
        #expect(h.wait { (h.checkpointBlock() ?? 0) >= 122 && (try? h.rows()) == (try? h.canonical(to: 122)) })
        #expect(second.stop() == [143, 0, 0], "\(h.log)")
        #expect(try h.rows() == h.canonical(to: 122), h.diff(122))
        #expect(h.log.contains("rewind to block 119"), "\(h.log)")
    }

    @Test("The tip replaced at the same height is retracted on the next poll, before any new block")
    func tipReplacedAtTheSameHeight() throws {
        for orphans in [false, true] {
            let h = try ReorgHarness(
                nodeArguments: ["--blocks", "5000", "--head-start", "120"] + (orphans ? ["--serve-orphans"] : []),
                from: 100, fetchOptions: Self.follow0)
            let run = try h.start()
            #expect(h.waitForCheckpoint(atLeast: 120))
            let before = try h.rows()
            try h.node.control(#"{"reorg":{"depth":1}}"#)  // block 120 gets a new hash and new logs; no block 121
            #expect(h.wait { (try? h.rows()) == (try? h.canonical(to: 120)) }, "\(h.log)")
            #expect(try h.rows() != before)
            #expect(run.stop() == [143, 0, 0], "\(h.log)")
            #expect(try h.rows() == h.canonical(to: 120), h.diff(120))
            #expect(h.log.contains("reorg: blocks 120-120 orphaned"), "\(h.log)")
            #expect(h.log.contains("rewind to block 119"), "\(h.log)")
            // The checkpoint names the new block 120, so a rerun resumes on the canonical chain.
            let ck = try #require(try CheckpointFile(path: h.checkpointPath).read())
            #expect(ck.blockNumber == 120)
        }
    }

    @Test("B: a stop right after a handled reorg leaves a canonical checkpoint; the rerun resumes")
    func checkpointMovesBackToTheForkPoint() throws {
        let h = try ReorgHarness(
            nodeArguments: ["--blocks", "5000", "--head-start", "120"], from: 100, fetchOptions: Self.follow0)
        // cc-fetch's own output across a 1-block reorg of its tip …
        let out = h.dir + "/fetch.out"
        let fetch = Process()
        fetch.executableURL = URL(fileURLWithPath: SinkTest.binary("cc-fetch"))
        fetch.arguments =
            ["--rpc", h.node.url, "--from", "100", "--checkpoint", h.checkpointPath] + Self.follow0
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        fetch.standardOutput = FileHandle(forWritingAtPath: out)
        fetch.standardError = FileHandle.nullDevice
        try fetch.run()
        func lines() -> [String] { SinkTest.read(out).split(separator: "\n").map(String.init) }
        #expect(h.wait { lines().contains { $0.contains(#""checkpoint""#) && $0.contains(#""blockNumber":120,"#) } })
        try h.node.control(#"{"reorg":{"depth":1}}"#)
        try h.node.control(#"{"advance":1}"#)
        #expect(h.wait { lines().contains { $0.contains(#""checkpoint""#) && $0.contains(#""blockNumber":121,"#) } })
        kill(fetch.processIdentifier, SIGTERM)
        fetch.waitUntilExit()
        // … cut right after the marker that names the fork point (a clean stop there).
        var cut: [String] = []
        var last = 0
        for l in lines() {
            cut.append(l)
            if l.contains(#""$cc":"checkpoint""#), let n = Self.blockNumber(l) {
                if n < last { break }
                last = n
            }
        }
        #expect(cut.last.flatMap(Self.blockNumber) == 119)
        try SinkTest.write(cut.joined(separator: "\n") + "\n", to: h.dir + "/cut.ndjson")
        let sink = try SinkTest.shell(
            "cd '\(h.dir)' && '\(SinkTest.binary("cc-decode"))' --abi erc20 --abi erc721 cut.ndjson | "
                + "'\(SinkTest.binary("cc-sink"))' sqlite t.db --checkpoint ck.json")
        #expect(sink.status == 0, "\(sink.stderr)")
        let ck = try #require(try CheckpointFile(path: h.checkpointPath).read())
        #expect(ck.blockNumber == 119)
        #expect(ck.blockHash == (try h.hash(119)))

        // The same line again: no 75, and exact.
        let rerun = try h.start()
        #expect(h.waitForCheckpoint(atLeast: 121))
        #expect(rerun.stop() == [143, 0, 0], "\(h.log)")
        let end = Int(h.checkpointBlock() ?? 0)
        #expect(try h.rows() == h.canonical(to: end), h.diff(end))
    }

    @Test("C: rows committed above the checkpoint before a kill are retracted after a reorg while stopped")
    func rowsAboveTheCheckpoint() throws {
        let h = try ReorgHarness(
            nodeArguments: ["--blocks", "5000"], from: 100, fetchOptions: ["--to", "115", "--chunk-size", "1"])
        // What a sink had when upstream was killed: blocks 100-112 committed, the checkpoint at 110.
        let fetched = try SinkTest.run(
            "cc-fetch",
            ["--rpc", h.node.url, "--from", "100", "--to", "112", "--chunk-size", "1", "--checkpoint", h.dir + "/none"])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        let upTo110 = fetched.stdout.split(separator: "\n").map(String.init).filter {
            !($0.contains(#""$cc""#) && (Self.blockNumber($0) ?? 0) > 110)
        }
        try SinkTest.write(upTo110.joined(separator: "\n") + "\n", to: h.dir + "/killed.ndjson")
        let sink = try SinkTest.shell(
            "cd '\(h.dir)' && '\(SinkTest.binary("cc-decode"))' --abi erc20 --abi erc721 killed.ndjson | "
                + "'\(SinkTest.binary("cc-sink"))' sqlite t.db --checkpoint ck.json")
        #expect(sink.status == 0, "\(sink.stderr)")
        // The fetcher's ranges grow, so the last marker kept may be below 110.
        let kept = try #require(upTo110.last { $0.contains(#""$cc""#) }.flatMap(Self.blockNumber))
        #expect(h.checkpointBlock() == UInt64(kept))
        #expect(try SinkTest.query(h.db, "SELECT count(*) FROM events WHERE block_number > \(kept)") != [["0"]])

        try h.node.control(#"{"reorg":{"from":111}}"#)  // while stopped
        #expect(try h.start().finish(within: 60) == [0, 0, 0], "\(h.log)")
        #expect(try h.rows() == h.canonical(to: 115), h.diff(115))
        #expect(h.checkpointBlock() == 115)
    }

    @Test("E: a reorg deeper than --confirmations is retracted, with a warning and a counter")
    func reorgDeeperThanConfirmations() throws {
        let h = try ReorgHarness(
            nodeArguments: ["--blocks", "5000", "--head-start", "120"], from: 100,
            fetchOptions: ["--follow", "--confirmations", "5", "--poll-interval", "0.02", "--metrics-file", "m.prom"])
        let run = try h.start()
        #expect(h.waitForCheckpoint(atLeast: 115))
        try h.node.control(#"{"reorg":{"depth":7}}"#)  // blocks 114-120: two of them already written
        try h.node.control(#"{"advance":1}"#)
        #expect(h.wait { h.log.contains("deeper than --confirmations 5") })
        #expect(h.wait { (h.checkpointBlock() ?? 0) >= 116 })
        #expect(run.stop() == [143, 0, 0], "\(h.log)")
        let end = Int(h.checkpointBlock() ?? 0)
        #expect(end == 116)
        #expect(try h.rows() == h.canonical(to: end), h.diff(end))
        #expect(SinkTest.read(h.dir + "/m.prom").contains(#"ccfetch_deep_reorgs_total{chain_id="1337"} 1"#))
    }

    @Test("F: a rewind when the node forgot the orphaned blocks retracts their rows")
    func rewindWithoutOrphans() throws {
        let h = try ReorgHarness(nodeArguments: ["--blocks", "5000"], from: 100, fetchOptions: ["--to", "120"])
        #expect(try h.start().finish(within: 60) == [0, 0, 0], "\(h.log)")
        #expect(try h.rows() == h.canonical(to: 120))
        try h.node.control(#"{"reorg":{"from":115}}"#)
        // With --on-reorg fail: 75, and nothing changes.
        h.fetchOptions = ["--to", "125", "--on-reorg", "fail"]
        let refused = try h.start().finish(within: 60)
        #expect(refused[0] == 75, "\(h.log)")
        // The default rewinds: the same command line cron reruns ends exact.
        h.fetchOptions = ["--to", "125"]
        #expect(try h.start().finish(within: 60) == [0, 0, 0], "\(h.log)")
        #expect(try h.rows() == h.canonical(to: 125), h.diff(125))
        // The blind rewind stops at the block before --from.
        #expect(h.log.contains("rewind to block 99"), "\(h.log)")
        // And the next rerun resumes quietly.
        h.fetchOptions = ["--to", "130"]
        #expect(try h.start().finish(within: 60) == [0, 0, 0], "\(h.log)")
        #expect(try h.rows() == h.canonical(to: 130))
    }

    @Test("A reorg in follow mode through cc-filter, orphans served: removals, rewind, exact table")
    func followThroughFilterWithOrphansServed() throws {
        let h = try ReorgHarness(
            nodeArguments: ["--blocks", "5000", "--head-start", "120", "--serve-orphans"], from: 100,
            fetchOptions: Self.follow0)
        h.withFilter = true
        let run = try h.start()
        #expect(h.waitForCheckpoint(atLeast: 120))
        try h.node.control(#"{"reorg":{"depth":4}}"#)
        try h.node.control(#"{"advance":3}"#)
        #expect(h.wait { (h.checkpointBlock() ?? 0) >= 123 && (try? h.rows()) == (try? h.canonical(to: 123)) })
        #expect(run.stop() == [143, 0, 0, 0], "\(h.log)")
        #expect(try h.rows() == h.canonical(to: 123), h.diff(123))
        #expect(h.log.contains("reorg: blocks 117-120 orphaned"), "\(h.log)")
    }

    static func blockNumber(_ line: String) -> Int? {
        guard let r = line.range(of: #""blockNumber":"#) else { return nil }
        let digits = line[r.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }
}
