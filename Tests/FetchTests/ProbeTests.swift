import CCKit
import CCTestSupport
import Testing

/// `cc-fetch probe` through the binary: limits found, refusals named, and
/// archive yes / no from the node's own answers.
@Suite struct ProbeTests {
    /// The report without its latency line (a measured time).
    func stable(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("latency ") }
            .joined(separator: "\n")
    }

    @Test("a pruned node is 'no' at once (geth's missing trie node), with the range and result limits it refused")
    func prunedNodeWithLimits() throws {
        let node = try FixtureNode([
            "--blocks", "300", "--range-limit", "50", "--result-limit", "20", "--state-from", "10",
        ])
        defer { node.stop() }
        let r = try BuiltBinaries.run("cc-fetch", ["probe", "--rpc", node.url])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(
            stable(r.stdout) == """
                endpoint     \(node.url)
                chain id     1337
                client       ChainCastFixture/v1.0.0/python
                head         299
                max range    10 blocks (next size refused: geth-range (at most 50 blocks))
                max results  4 logs (more refused: geth-results)
                archive      no (state at block 1 is not served)

                """)
        let j = try BuiltBinaries.run("cc-fetch", ["probe", "--rpc", node.url, "--json"])
        #expect(j.status == 0)
        #expect(
            j.stdout.replacing(/"latencyMs":[0-9.]+/, with: "") == #"{"endpoint":"\#(node.url)","chainId":1337,"#
                + #""clientVersion":"ChainCastFixture/v1.0.0/python","head":299,,"maxRange":10,"#
                + #""rangeRefusal":"geth-range (at most 50 blocks)","maxResults":4,"#
                + #""resultRefusal":"geth-results","archive":false}"# + "\n")
    }

    @Test func archiveNode() throws {
        let node = try FixtureNode(["--blocks", "300", "--chain-id", "1", "--state-from", "0"])
        defer { node.stop() }
        let r = try BuiltBinaries.run("cc-fetch", ["probe", "--rpc", node.url])
        #expect(r.status == 0)
        #expect(
            stable(r.stdout) == """
                endpoint     \(node.url)
                chain id     1 (ethereum)
                client       ChainCastFixture/v1.0.0/python
                head         299
                max range    100 blocks (largest size tried)
                max results  479 logs (largest answer seen)
                archive      yes (state at block 1 is served)

                """)
        let j = try BuiltBinaries.run("cc-fetch", ["probe", "--rpc", node.url, "--json"])
        #expect(
            j.stdout.hasSuffix(#""rangeRefusal":null,"maxResults":479,"resultRefusal":null,"archive":true}"# + "\n"))
    }
}
