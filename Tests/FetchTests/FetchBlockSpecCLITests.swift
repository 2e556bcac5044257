import CCKit
import CCTestSupport
import Foundation
import Testing

/// One `--from`/`--to` (and `--confirmations`, `--follow`) choice through the
/// binary against a 300-block fixture node (head 299, safe 267, finalized
/// 235, block n at 1700000000 + 12·n): the exact logs or the exact refusal.
struct BlockSpecRun: CustomTestStringConvertible, Sendable {
    var node = ["--blocks", "300"]
    var args: [String]
    var status: Int32 = 0
    var stderr = ""
    /// The oracle range the output must hold exactly; nil: no output at all.
    var range: (UInt64, UInt64)?
    var testDescription: String { (node + ["|"] + args).joined(separator: " ") }
}

let blockSpecRuns: [BlockSpecRun] = [
    BlockSpecRun(args: ["--from", "finalized", "--to", "safe"], range: (235, 267)),
    BlockSpecRun(args: ["--from", "earliest", "--to", "0x5"], range: (0, 5)),
    BlockSpecRun(args: ["--from", "-3"], range: (297, 299)),
    BlockSpecRun(
        args: ["--from", "2023-11-14T22:13:20Z", "--to", "2023-11-14T22:14:20Z"], range: (0, 4)),
    BlockSpecRun(
        args: ["--from", "safe", "--to", "finalized"], status: 64, stderr: "cc-fetch: --from 267 is after --to 235\n"),
    BlockSpecRun(
        args: ["--to", "5"], status: 64,
        stderr: """
            Error: say where to start: --from BLOCK (or --checkpoint FILE, or --follow for new logs only)
            Usage: cc-fetch [--rpc <URL> ...] [--chain <NAME>] --from <BLOCK> [--to <BLOCK>] [<filter>] [<options>]
                     cc-fetch probe [--rpc <URL> ...] [--json]
                     cc-fetch plan --shards <N> --from <BLOCK> --to <BLOCK> [--shard-chunk <BLOCKS>]
              See 'cc-fetch --help' for more information.

            """),
    // --follow without --from starts above the head; a fixed --to below it is an empty request.
    BlockSpecRun(
        args: ["--follow", "--to", "5"], status: 64, stderr: "cc-fetch: --from 300 is after --to 5\n"),
    BlockSpecRun(
        args: ["--from", "0", "--to", "1970-01-01T00:00:00Z"], status: 64,
        stderr: "cc-fetch: --to 1970-01-01T00:00:00Z: the chain has no block before that time\n"),
    // A time after the head's timestamp starts above the head.
    BlockSpecRun(
        args: ["--from", "2030-01-01"], status: 64, stderr: "cc-fetch: --from 300 is after --to 299\n"),
    BlockSpecRun(
        args: ["--from", "290", "--to", "400"],
        stderr:
            "cc-fetch: --to 400 is above the head 299 minus 0 confirmation(s): stopping at block 299\n",
        range: (290, 299)),
    // Nothing has 1000 confirmations yet: nothing to do, and no complaint.
    BlockSpecRun(args: ["--from", "0", "--to", "latest", "--confirmations", "1000"]),
]

/// Following up to a fixed --to ends there: the tracked path (0 confirmations)
/// with its own range splitting, the bulk catch-up before it, and a provider
/// that refuses even one block.
let followRuns: [BlockSpecRun] = [
    BlockSpecRun(
        node: ["--blocks", "300", "--range-limit", "20"],
        args: ["--from", "100", "--to", "299", "--follow", "--confirmations", "0"], range: (100, 299)),
    BlockSpecRun(args: ["--from", "0", "--to", "299", "--follow", "--confirmations", "0"], range: (0, 299)),
    BlockSpecRun(
        node: ["--blocks", "300", "--result-limit", "1"],
        args: ["--from", "250", "--to", "299", "--follow", "--confirmations", "0"], status: 69,
        stderr: "cc-fetch: the provider refuses even a single block (250): geth-results\n"),
    BlockSpecRun(
        node: ["--blocks", "300", "--result-limit", "1"], args: ["--from", "250", "--to", "299"], status: 69,
        stderr: "cc-fetch: the provider refuses even a single block (250): geth-results\n"),
]

@Suite struct FetchBlockSpecCLITests {
    @Test(arguments: blockSpecRuns + followRuns)
    func blockSpecs(_ c: BlockSpecRun) throws {
        let node = try FixtureNode(c.node)
        defer { node.stop() }
        let (status, out, err) = try FetchProcess.run(["--rpc", node.url, "-q"] + c.args)
        #expect(status == c.status)
        #expect(err == c.stderr)
        if let (from, to) = c.range {
            // A node with limits cannot answer the oracle's one call: ask an unlimited one (the same chain).
            let clean = c.node == ["--blocks", "300"] ? node : try FixtureNode(["--blocks", "300"])
            defer { if clean !== node { clean.stop() } }
            #expect(out == (try oracleLines(url: clean.url, from: from, to: to)).map { $0 + "\n" }.joined())
        } else {
            #expect(out == "")
        }
    }
}

@Suite struct FetchVerboseTests {
    @Test("-v closes with one summary line: logs, blocks, calls, splits, the final chunk")
    func summary() throws {
        let node = try FixtureNode(["--blocks", "300", "--range-limit", "40"])
        defer { node.stop() }
        let (s1, out1, err1) = try FetchProcess.run(
            ["--rpc", node.url, "--from", "0", "--to", "99", "-v", "--chunk-size", "50", "--concurrency", "1"])
        #expect(s1 == 0)
        #expect(records(out1).count == 546)
        #expect(
            err1.wholeMatch(
                of:
                    /cc-fetch: 546 logs from 100 blocks in [0-9]+\.[0-9]{2} s \([0-9]+ logs\/s\), 5 eth_getLogs calls, 1 splits, final chunk 40 blocks\n/
            ) != nil, "\(err1)")
        let (s2, _, err2) = try FetchProcess.run(
            ["--rpc", node.url, "--from", "290", "--to", "299", "--follow", "-v", "--confirmations", "0"])
        #expect(s2 == 0)
        #expect(
            err2.wholeMatch(
                of:
                    /cc-fetch: following the head from block 290 every 6\.00 s, 0 confirmation\(s\)\ncc-fetch: 46 logs from 10 blocks in [0-9]+\.[0-9]{2} s \([0-9]+ logs\/s\), 1 eth_getLogs calls, 0 splits, final chunk 1000 blocks\n/
            ) != nil, "\(err2)")
    }
}

/// A provider whose eth_getLogs answers break the contract (logs out of order).
@Suite struct LyingProviderTests {
    @Test("a backfill asks once more, then stops with 69 naming the breach")
    func backfillGivesUp() throws {
        let node = try FixtureNode(["--blocks", "300", "--reverse-logs-every", "1"])
        defer { node.stop() }
        let (s, out, err) = try FetchProcess.run(["--rpc", node.url, "--from", "250", "--to", "299", "-q"])
        #expect(s == 69)
        #expect(out == "")
        #expect(
            err
                == "cc-fetch: eth_getLogs broke its contract twice: log 299/2 after 299/3: answer for blocks 250-299 is out of order\n"
        )
    }

    @Test("following, a lying answer is asked again at the next poll; the honest one is written once")
    func followWaitsForAnHonestAnswer() throws {
        let node = try FixtureNode(["--blocks", "300", "--reverse-logs-every", "1"])
        defer { node.stop() }
        let p = try FetchProcess([
            "--rpc", node.url, "--from", "250", "--to", "299", "--follow", "--confirmations", "0", "--poll-interval",
            "0.05", "-v", "--chunk-size", "10",
        ])
        let noted =
            "cc-fetch: blocks 250-259: log 259/1 after 259/2: answer for blocks 250-259 is out of order; trying again at the next poll\n"
        var waited = 0
        while !p.stderr.contains(noted) && waited < 600 {
            usleep(20_000)
            waited += 1
        }
        #expect(p.stderr.contains(noted), "\(p.stderr)")
        _ = try node.control(#"{"faults":{"reverse_logs_every":0}}"#)
        #expect(p.wait(timeout: 30) == 0)
        #expect(p.stdout == (try oracleLines(url: node.url, from: 250, to: 299)).map { $0 + "\n" }.joined())
    }
}
