import CCKit
import CCTestSupport
import Foundation
import Testing

@Suite("cc-fetch --shard and plan")
struct ShardTests {
    @Test("plan prints one line per shard; the chunks are dealt round-robin")
    func plan() throws {
        let r = try BuiltBinaries.run(
            "cc-fetch", ["plan", "--shards", "3", "--from", "100", "--to", "135", "--shard-chunk", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.lines == [
                #"{"shard":"0/3","index":0,"count":3,"from":100,"to":135,"chunk":10,"chunks":2,"blocks":16,"first":100,"last":135,"args":"--from 100 --to 135 --shard 0/3 --shard-chunk 10"}"#,
                #"{"shard":"1/3","index":1,"count":3,"from":100,"to":135,"chunk":10,"chunks":1,"blocks":10,"first":110,"last":119,"args":"--from 100 --to 135 --shard 1/3 --shard-chunk 10"}"#,
                #"{"shard":"2/3","index":2,"count":3,"from":100,"to":135,"chunk":10,"chunks":1,"blocks":10,"first":120,"last":129,"args":"--from 100 --to 135 --shard 2/3 --shard-chunk 10"}"#,
            ])
        for bad in [["--shards", "0", "--from", "1", "--to", "2"], ["--shards", "2", "--from", "5", "--to", "2"]] {
            #expect(try BuiltBinaries.run("cc-fetch", ["plan"] + bad).status == 64)
        }
    }

    @Test("N shards together are the unsharded run, each in block order")
    func shardsCoverTheRangeOnce() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        let (status, all, err) = try FetchProcess.run(["--rpc", node.url, "--from", "0", "--to", "2999"])
        #expect(status == 0, "\(err)")
        var union: [String] = []
        for k in 0..<3 {
            let (s, out, e) = try FetchProcess.run(
                ["--rpc", node.url, "--from", "0", "--to", "2999", "--shard", "\(k)/3", "--shard-chunk", "250"])
            #expect(s == 0, "\(e)")
            let mine = records(out)
            let blocks = mine.map { line -> Int in
                let hex = line.split(separator: "\"blockNumber\":\"")[1].prefix(while: { $0 != "\"" })
                return Int(hex.dropFirst(2), radix: 16) ?? -1
            }
            #expect(blocks == blocks.sorted())
            #expect(blocks.allSatisfy { ($0 / 250) % 3 == k })
            union += mine
        }
        #expect(!union.isEmpty)
        #expect(union.sorted() == records(all).sorted())
    }

    /// A shard whose --to is above the settled head stopped there with 0: a
    /// scheduler never reran it, and a follower starting at --to + 1 left the
    /// blocks between a hole. It fetches what it can, then exits 75; a shard
    /// with nothing above the settled head is not affected.
    @Test("a shard that cannot reach --to yet exits 75 after what it could fetch")
    func shardShortOfItsEnd() throws {
        let node = try FixtureNode(["--blocks", "2000"])
        let args = ["--rpc", node.url, "--from", "0", "--to", "1999", "--confirmations", "12", "--shard-chunk", "500"]
        let (s0, _, e0) = try FetchProcess.run(args + ["--shard", "0/2"])
        #expect(s0 == 0, "\(e0)")
        #expect(e0 == "")
        let (s1, out, e1) = try FetchProcess.run(args + ["--shard", "1/2"])
        #expect(s1 == 75)
        #expect(
            e1 == "cc-fetch: --to 1999 is above the head 1999 minus 12 confirmation(s): this shard fetched what it "
                + "could and must run again once the chain has passed block 1999\n")
        let last = records(out).last ?? ""
        #expect(last.contains("\"blockNumber\":\"0x7c"), "\(last)")  // 1984-1987: the settled head's neighbourhood
    }

    /// Chunks were listed before anything was fetched: `plan` over 2^63
    /// blocks allocated 35 GB and aborted, a shard's fetch never started.
    @Test("plan and a shard over 2^63 blocks work by arithmetic")
    func hugeRanges() throws {
        let node = try FixtureNode(["--blocks", "1000"])
        let (sp, plan, ep) = try FetchProcess.run(
            ["plan", "--shards", "2", "--from", "0", "--to", "9223372036854775807"], timeout: 30)
        #expect(sp == 0, "\(ep)")
        #expect(plan.split(separator: "\n").count == 2)
        let (s, out, err) = try FetchProcess.run(
            ["--rpc", node.url, "--from", "0", "--to", "9223372036854775807", "--shard", "0/2"], timeout: 60)
        #expect(s == 75, "\(err)")
        #expect(records(out) == (try oracleLines(url: node.url, from: 0, to: 999)))
    }

    @Test("a shard with no chunk in the range says so")
    func shardWithoutChunks() throws {
        let node = try FixtureNode(["--blocks", "1000"])
        let (s, out, err) = try FetchProcess.run(["--rpc", node.url, "--from", "0", "--to", "999", "--shard", "1/2"])
        #expect(s == 0)
        #expect(out == "")
        #expect(
            err == "cc-fetch: shard 1/2 has no chunk of 10000 blocks in [0, 999]: nothing to fetch (a smaller "
                + "--shard-chunk spreads the range)\n")
    }

    @Test("the shard is part of the checkpoint's identity: 2/8's checkpoint is refused by 3/8 and 2/4")
    func checkpointIdentity() throws {
        let node = try FixtureNode(["--blocks", "1000"])
        let dir = try TestDirectory.make("shard")
        let ck = dir + "/ck.json"
        let fetch = { (shard: String) in
            "cc-fetch --rpc \(node.url) --from 0 --to 999 --shard \(shard) --shard-chunk 50 --checkpoint \(ck)"
        }
        let first = try BuiltBinaries.shell(
            "\(fetch("2/8")) | cc-sink file \(dir)/out.ndjson --raw-logs store --checkpoint \(ck)")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try CheckpointFile(path: ck).read()?.blockNumber == 949)
        for other in ["3/8", "2/4"] {
            let r = try BuiltBinaries.shell(fetch(other) + " > /dev/null")
            #expect(r.status == 78, "\(other): \(r.stderr)")
            #expect(r.stderr.contains("another filter"))
        }
        // The same shard again: nothing new, only its checkpoint marker.
        let again = try BuiltBinaries.shell(fetch("2/8"))
        #expect(again.status == 0, "\(again.stderr)")
        let newLogs = records(again.stdout).count
        #expect(newLogs == 0)
        #expect(again.stdout.contains(#""blockNumber":949"#))
    }
}
