import CCKit
import CCTestSupport
import Foundation
import Testing

/// README.md's "Your first backfill", run as written (only the endpoint, the
/// token and the dates substituted) against the fixture node, with answers
/// computed independently from the raw logs in Python.
@Suite("README: your first backfill")
struct FirstBackfillTests {
    /// The fixture chain's first token (seed 1).
    static let token = "0xa4b8a2683f4f48c2ba9e8464e5819b0a457c0808"

    /// The ```sh blocks between the first-backfill markers.
    static func blocks() throws -> [String] {
        let readme = try String(contentsOfFile: SinkTest.repositoryRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- first-backfill -->"))
        let end = try #require(readme.range(of: "<!-- /first-backfill -->"))
        let part = readme[start.upperBound..<end.lowerBound]
        return part.components(separatedBy: "```sh\n").dropFirst().map { String($0.components(separatedBy: "```")[0]) }
    }

    /// Transfers of the token in blocks from...to, from cc-fetch's raw logs:
    /// "to|sum|count" of the top 5 receivers (lowercase), and the total count.
    static func expected(_ node: FixtureNode, from: Int, to: Int, dir: String) throws -> (top5: String, count: Int) {
        let script = """
            import json, sys
            TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
            sums, counts, n = {}, {}, 0
            for line in sys.stdin:
                r = json.loads(line)
                if "$cc" in r or r["topics"][0] != TRANSFER or len(r["topics"]) != 3:
                    continue
                to = "0x" + r["topics"][2][-40:]
                sums[to] = sums.get(to, 0) + int(r["data"], 16)
                counts[to] = counts.get(to, 0) + 1
                n += 1
            top = sorted(sums, key=lambda a: -sums[a])[:5]
            print("\\n".join("%s|%d|%d" % (a, sums[a], counts[a]) for a in top))
            print(n)
            """
        try SinkTest.write(script, to: dir + "/expected.py")
        let r = try SinkTest.shell(
            "'\(SinkTest.binary("cc-fetch"))' --rpc \(node.url) --address \(token) --from \(from) --to \(to) -q "
                + "| python3 '\(dir)/expected.py'")
        #expect(r.status == 0, "\(r.stderr)")
        var lines = r.stdout.split(separator: "\n").map(String.init)
        let count = Int(lines.removeLast()) ?? -1
        return (lines.joined(separator: "\n") + "\n", count)
    }

    @Test("one day into SQLite, the top 5 receivers exact, then extended by the cron command")
    func walkthrough() throws {
        let node = try FixtureNode(["--blocks", "20000"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir("backfill")
        let blocks = try Self.blocks()
        #expect(blocks.count == 3)
        // Block n is at 1700000000 + 12n: 2023-11-15T00:00Z is between blocks 533 and 534.
        func prepare(_ block: String) -> String {
            let lines = block.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
                if line.hasPrefix("RPC=") { return "RPC=\(node.url)" }
                if line.hasPrefix("TOKEN=") { return "TOKEN=\(Self.token)" }
                return String(line)
            }
            return "set -eo pipefail; export PATH='\(BuiltBinaries.directory)':$PATH; cd '\(dir)'\n"
                + "RPC=\(node.url); TOKEN=\(Self.token)\n"
                + lines.joined(separator: "\n")
                .replacingOccurrences(of: "2024-01-01", with: "2023-11-15")
                .replacingOccurrences(of: "2024-01-02", with: "2023-11-16")
                .replacingOccurrences(of: "$(date -u +%F)", with: "2023-11-17")
        }
        var r = try SinkTest.shell(prepare(blocks[0]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        #expect(try CheckpointFile(path: dir + "/usdc.ck.json").read()?.blockNumber == 7733)
        let day1 = try Self.expected(node, from: 534, to: 7733, dir: dir)
        #expect(day1.count > 100)
        #expect(try SinkTest.query(dir + "/usdc.db", "SELECT count(*) FROM Transfer") == [["\(day1.count)"]])
        #expect(
            try SinkTest.query(dir + "/usdc.db", "SELECT min(block_number), max(block_number) FROM Transfer")
                .first.map { Int($0[0] ?? "") ?? 0 >= 534 && Int($0[1] ?? "") ?? 0 <= 7733 } == true)

        r = try SinkTest.shell(prepare(blocks[1]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.lowercased() == day1.top5)

        r = try SinkTest.shell(prepare(blocks[2]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        #expect(try CheckpointFile(path: dir + "/usdc.ck.json").read()?.blockNumber == 14933)
        let both = try Self.expected(node, from: 534, to: 14933, dir: dir)
        #expect(try SinkTest.query(dir + "/usdc.db", "SELECT count(*) FROM Transfer") == [["\(both.count)"]])
        // The same cron run again: nothing new, said on stderr, nothing stored twice.
        r = try SinkTest.shell(prepare(blocks[2]))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("nothing to fetch"))
        #expect(try SinkTest.query(dir + "/usdc.db", "SELECT count(*) FROM Transfer") == [["\(both.count)"]])
        r = try SinkTest.shell(prepare(blocks[1]))
        #expect(r.stdout.lowercased() == both.top5)
    }
}

/// The README's first example, as written (the start block moved to the
/// fixture chain's range), stores only decoded events and answers its SQL.
@Suite("README: the first example")
struct FirstExampleTests {
    @Test func firstExample() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir("first-example")
        let readme = try String(contentsOfFile: SinkTest.repositoryRoot + "/README.md", encoding: .utf8)
        let start = try #require(readme.range(of: "<!-- first-example -->\n```sh\n"))
        let end = try #require(readme.range(of: "```\n<!-- /first-example -->"))
        let block = readme[start.upperBound..<end.lowerBound].replacingOccurrences(
            of: "--from 19000000", with: "--from 0")
        let r = try SinkTest.shell(
            "set -eo pipefail; export PATH='\(BuiltBinaries.directory)':$PATH; cd '\(dir)'; RPC=\(node.url)\n" + block)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        // Independently: ERC-20 Transfers (three topics) of at least 10^24, from the raw logs.
        let script = """
            import json, sys
            T = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
            vs = [int(r["data"], 16) for r in map(json.loads, sys.stdin)
                  if "$cc" not in r and r["topics"][0] == T and len(r["topics"]) == 3]
            big = [v for v in vs if v >= 10**24]
            print("%d|%d" % (len(big), sum(big)))
            """
        try SinkTest.write(script, to: dir + "/expected.py")
        let want = try SinkTest.shell(
            "'\(SinkTest.binary("cc-fetch"))' --rpc \(node.url) --from 0 --to 2999 -q | python3 '\(dir)/expected.py'")
        #expect(want.status == 0, "\(want.stderr)")
        #expect(r.stdout == want.stdout)
        #expect(
            try SinkTest.query(dir + "/usdc.db", "SELECT count(*) FROM events WHERE event IS NULL OR args IS NULL") == [
                ["0"]
            ])
    }
}
