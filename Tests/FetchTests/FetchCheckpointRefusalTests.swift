import CCKit
import CCTestSupport
import Foundation
import Testing

/// `--checkpoint FILE` that cc-fetch must not resume from, through the binary:
/// the exact message and exit status, and nothing on stdout.
@Suite struct FetchCheckpointRefusalTests {
    /// The filter id cc-fetch gives an unfiltered query on the fixture chain (read from a marker).
    func filterID(_ node: FixtureNode) throws -> String {
        let ck = TestDirectory.path("probe-ck") + ".json"
        let (s, out, err) = try FetchProcess.run(["--rpc", node.url, "--from", "0", "--to", "3", "--checkpoint", ck])
        #expect(s == 0, "\(err)")
        let m = try #require(markers(out).first)
        return String(m.split(separator: "\"filter\":\"")[1].prefix { $0 != "\"" })
    }

    func write(_ text: String) throws -> String {
        let path = TestDirectory.path("ck") + ".json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func refusals() throws {
        let node = try FixtureNode(["--blocks", "300"])
        defer { node.stop() }
        let filter = try filterID(node)
        let hash = "0x" + String(repeating: "ab", count: 32)
        let args = ["--rpc", node.url, "--from", "0", "--to", "299", "-q", "--checkpoint"]

        let otherChain = try write(
            #"{"version":1,"chainId":1,"blockNumber":10,"blockHash":"\#(hash)","filter":"\#(filter)"}"#)
        let (s1, out1, err1) = try FetchProcess.run(args + [otherChain])
        #expect(s1 == 78)
        #expect(err1 == "cc-fetch: checkpoint \(otherChain) is for chain 1, but the node is chain 1337\n")
        #expect(out1 == "")

        let aboveHead = try write(
            #"{"version":1,"chainId":1337,"blockNumber":5000,"blockHash":"\#(hash)","filter":"\#(filter)"}"#)
        let (s2, out2, err2) = try FetchProcess.run(args + [aboveHead])
        #expect(s2 == 75)
        #expect(
            err2
                == "cc-fetch: checkpoint \(aboveHead) is at block 5000, above the node's head: the node is behind, try again later\n"
        )
        #expect(out2 == "")

        let dir = try TestDirectory.make("ck-dir")
        let (s3, out3, err3) = try FetchProcess.run(args + [dir])
        #expect(s3 == 74)
        #expect(err3 == "cc-fetch: checkpoint \(dir): cannot read the file\n")
        #expect(out3 == "")
    }

    @Test("a checkpoint above the confirmed head: nothing to fetch, its rewind and marker again")
    func checkpointAboveTheConfirmedHead() throws {
        let node = try FixtureNode(["--blocks", "300"])
        defer { node.stop() }
        let filter = try filterID(node)
        let hash = try #require(try oracleHash(url: node.url, block: 295))
        let ck = try write(
            #"{"version":1,"chainId":1337,"blockNumber":295,"blockHash":"\#(hash)","filter":"\#(filter)"}"#)
        let (s, out, err) = try FetchProcess.run(
            ["--rpc", node.url, "--from", "0", "--confirmations", "10", "--checkpoint", ck])
        #expect(s == 0)
        #expect(
            out == #"{"$cc":"rewind","chainId":1337,"blockNumber":295,"blockHash":"\#(hash)"}"# + "\n"
                + #"{"$cc":"checkpoint","chainId":1337,"blockNumber":295,"blockHash":"\#(hash)","filter":"\#(filter)"}"#
                + "\n")
        #expect(
            err
                == "cc-fetch: resuming after the checkpoint \(ck) at block 295; --from 0 only applies to a new checkpoint file\n"
        )
    }
}
