import CCKit
import CCTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `--checkpoint` resume (and its refusals) and `--follow` across a reorg,
/// with the built binary against the fixture node.
@Suite(.serialized) struct FetchResumeAndFollowTests {
    func tempPath(_ name: String) -> String { TestDirectory.path(name) }

    func marker(_ line: String) throws -> CheckpointMarker {
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        return CheckpointMarker(
            chainId: (obj["chainId"] as! NSNumber).uint64Value,
            blockNumber: (obj["blockNumber"] as! NSNumber).uint64Value,
            blockHash: obj["blockHash"] as! String, filter: obj["filter"] as! String)
    }

    @Test func resumesAfterTheCheckpointBlock() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        let ck = tempPath("ck") + ".json"
        let args = ["--rpc", node.url, "--from", "0", "--to", "2999", "--chunk-size", "500", "--checkpoint", ck]
        let (s1, out1, err1) = try FetchProcess.run(args)
        #expect(s1 == 0, "\(err1)")
        let ms = markers(out1)
        #expect(ms.count == 6)
        // cc-sink would have committed up to the third marker.
        let m = try marker(ms[2])
        #expect(m.blockNumber == 1499)
        try CheckpointFile(path: ck).write(Checkpoint(marker: m))

        let (s2, out2, err2) = try FetchProcess.run(args)
        #expect(s2 == 0, "\(err2)")
        #expect(records(out2) == (try oracleLines(url: node.url, from: 1500, to: 2999)))
        // First of all, a rewind at the checkpoint: rows a killed sink committed above it go.
        #expect(
            lines(out2).first == #"{"$cc":"rewind","chainId":1337,"blockNumber":1499,"blockHash":"\#(m.blockHash)"}"#)
        #expect(rewinds(out2).count == 1)
        #expect(markers(out2).first.map { try? marker($0).blockNumber } == 1999)
        #expect(markers(out2).last.map { try? marker($0).blockNumber } == 2999)

        // Another filter: refused, the checkpoint is not reused.
        let (s3, out3, err3) = try FetchProcess.run(
            args + ["--topic0", "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"])
        #expect(s3 == 78, "\(err3)")
        #expect(out3.isEmpty)
        #expect(err3.contains("another filter"))
    }

    @Test func reorgBelowTheCheckpoint() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        let ck = tempPath("ck") + ".json"
        let args = ["--rpc", node.url, "--from", "0", "--to", "2999", "--chunk-size", "500", "--checkpoint", ck]
        let (s1, out1, _) = try FetchProcess.run(args)
        #expect(s1 == 0)
        let m = try marker(markers(out1)[2])
        try CheckpointFile(path: ck).write(Checkpoint(marker: m))
        try node.control(#"{"reorg":{"from":1490}}"#)

        let (s2, out2, err2) = try FetchProcess.run(args + ["--on-reorg", "fail"])
        #expect(s2 == 75, "\(err2)")
        #expect(out2.isEmpty)
        #expect(err2.contains("no longer") && err2.contains("without --on-reorg fail"))

        // Rewind, the default (the same command line cron reruns): this node forgets orphaned
        // blocks, so cc-fetch re-fetches from a safe depth below.
        let (s3, out3, err3) = try FetchProcess.run(args)
        #expect(s3 == 0, "\(err3)")
        #expect(err3.contains("re-fetching from block"))
        let got = records(out3)
        // The fixture forgets orphaned blocks: no walk, so a re-fetch from 64 blocks below the checkpoint.
        #expect(got == (try oracleLines(url: node.url, from: 1499 - 63, to: 2999)))
    }

    @Test func rewindSendsRemovalsForOrphansTheNodeStillKnows() throws {
        // This node keeps reorged-out blocks and their logs by hash, as geth does.
        let node = try FixtureNode(["--blocks", "3000", "--serve-orphans"])
        let ck = tempPath("ck") + ".json"
        let args = ["--rpc", node.url, "--from", "0", "--to", "2999", "--chunk-size", "500", "--checkpoint", ck]
        let (s1, out1, _) = try FetchProcess.run(args)
        #expect(s1 == 0)
        let m = try marker(markers(out1)[2])
        #expect(m.blockNumber == 1499)
        try CheckpointFile(path: ck).write(Checkpoint(marker: m))
        let orphaned = try oracleLines(url: node.url, from: 1490, to: 1499)
        try node.control(#"{"reorg":{"from":1490}}"#)

        let (s2, out2, err2) = try FetchProcess.run(args + ["--on-reorg", "rewind"])
        #expect(s2 == 0, "\(err2)")
        #expect(err2.contains("fork at block 1489"), "\(err2)")
        let got = records(out2)
        let removals = orphaned.map {
            $0.replacingOccurrences(of: #""removed":false"#, with: #""removed":true"#)
        }
        #expect(removals.count > 20)
        // First the removals of every orphaned log (the sink deletes them), then
        // the new canonical chain from the fork point on.
        #expect(got.count == removals.count + (try oracleLines(url: node.url, from: 1490, to: 2999)).count)
        #expect(Set(got.prefix(removals.count)) == Set(removals))
        // Then the rewind and a marker at the fork point, before the new chain.
        let all = lines(out2)
        let fork1489 = try #require(try oracleHash(url: node.url, block: 1489))
        #expect(
            all[removals.count] == #"{"$cc":"rewind","chainId":1337,"blockNumber":1489,"blockHash":"\#(fork1489)"}"#)
        #expect(markers(out2).first.map { try? marker($0).blockNumber } == 1489)
        #expect(Array(got.dropFirst(removals.count)) == (try oracleLines(url: node.url, from: 1490, to: 2999)))
    }

    @Test func followEmitsRemovalsThenTheNewChain() throws {
        let node = try FixtureNode(["--blocks", "2000", "--head-start", "1000"])
        let before = try oracleLines(url: node.url, from: 990, to: 1000)
        let p = try FetchProcess([
            "--rpc", node.url, "--from", "990", "--follow", "--confirmations", "0",
            "--poll-interval", "0.1",
        ])
        #expect(p.waitForOutput { records($0).count >= before.count })
        #expect(records(p.stdout) == before)

        try node.control(#"{"reorg":{"depth":3}}"#)  // blocks 998-1000 get new hashes and logs
        try node.control(#"{"advance":2}"#)
        let after = try oracleLines(url: node.url, from: 998, to: 1002)
        let orphaned = before.filter { blockOf($0)! >= 998 }
        let removals = orphaned.reversed().map {
            $0.replacingOccurrences(of: #""removed":false"#, with: #""removed":true"#)
        }
        let want = before + removals + after
        #expect(p.waitForOutput { records($0).count >= want.count })
        p.signal(SIGTERM)
        #expect(p.wait() == 143)
        #expect(records(p.stdout) == want)
        #expect(p.stderr.contains("reorg: blocks 998-1000 orphaned"))
    }

    @Test func followWithConfirmationsWaitsForThem() throws {
        let node = try FixtureNode(["--blocks", "2000", "--head-start", "1000"])
        let p = try FetchProcess([
            "--rpc", node.url, "--from", "980", "--follow", "--confirmations", "5",
            "--poll-interval", "0.1", "--checkpoint", tempPath("none"),
        ])
        let first = try oracleLines(url: node.url, from: 980, to: 995)
        #expect(p.waitForOutput { records($0).count >= first.count })
        usleep(300_000)
        #expect(records(p.stdout) == first, "nothing above head-5 yet")
        try node.control(#"{"advance":4}"#)
        let more = try oracleLines(url: node.url, from: 980, to: 999)
        #expect(p.waitForOutput { records($0).count >= more.count })
        p.signal(SIGINT)
        #expect(p.wait() == 130)
        #expect(records(p.stdout) == more)
        #expect(markers(p.stdout).last.map { try? marker($0).blockNumber } == 999)
    }

    @Test func followRetractsAReorgDeeperThanWhatItHolds() throws {
        // 100-200 go through the bulk fetcher, 201-400 are tracked; the reorg replaces 150 on.
        let node = try FixtureNode(["--blocks", "2000", "--head-start", "400", "--serve-orphans"])
        let before = try oracleLines(url: node.url, from: 100, to: 400)
        let p = try FetchProcess([
            "--rpc", node.url, "--from", "100", "--follow", "--confirmations", "0", "--poll-interval", "0.05",
        ])
        #expect(p.waitForOutput { records($0).count >= before.count })
        try node.control(#"{"reorg":{"from":150}}"#)
        try node.control(#"{"advance":1}"#)
        let after = try oracleLines(url: node.url, from: 150, to: 401)
        let removals = before.filter { blockOf($0)! > 200 }.reversed().map {
            $0.replacingOccurrences(of: #""removed":false"#, with: #""removed":true"#)
        }
        let fork = try #require(try oracleHash(url: node.url, block: 149))
        let rewind = #"{"$cc":"rewind","chainId":1337,"blockNumber":149,"blockHash":"\#(fork)"}"#
        let want = before + removals + [rewind] + after
        #expect(p.waitForOutput { lines($0).count >= want.count })
        p.signal(SIGTERM)
        #expect(p.wait() == 143)
        #expect(lines(p.stdout) == want)
        #expect(p.stderr.contains("reorg: blocks 150-400 orphaned"), "\(p.stderr)")
    }

    @Test func forkSearchIsBoundedThenExits75() throws {
        let node = try FixtureNode(["--blocks", "6000", "--logs-per-block", "0", "--serve-orphans"])
        let ck = tempPath("ck") + ".json"
        let (s1, out1, _) = try FetchProcess.run(
            ["--rpc", node.url, "--from", "0", "--to", "5000", "--checkpoint", tempPath("none")])
        #expect(s1 == 0)
        let m = try marker(try #require(markers(out1).last))
        #expect(m.blockNumber == 5000)
        try CheckpointFile(path: ck).write(Checkpoint(marker: m))
        try node.control(#"{"reorg":{"from":800}}"#)  // 4201 orphaned blocks, all still served
        let (s2, out2, err2) = try FetchProcess.run(
            ["--rpc", node.url, "--from", "0", "--to", "5500", "--checkpoint", ck, "--on-reorg", "rewind"])
        #expect(s2 == 75, "\(err2)")
        #expect(out2.isEmpty)
        #expect(err2.contains("no common ancestor within 4096 blocks below block 5000"), "\(err2)")
    }
}
