import CCKit
import CCTestSupport
import Foundation
import Testing

/// `cc-fetch --replay FILE` (hidden; the benchmarks' client-CPU mode) feeds
/// saved `eth_getLogs` answers through the same parse, check and write path
/// as a live fetch: its lines must be the live fetch's, and a bad file is 65
/// naming the file and line.
@Suite("cc-fetch --replay")
struct ReplayTests {
    /// The `result` of a JSON-RPC answer as its own text, byte for byte (the
    /// fixture node writes `result` last).
    static func bareResult(_ response: String) throws -> String {
        let r = try #require(response.range(of: #""result":"#))
        let rest = response[r.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(rest.hasPrefix("[") && rest.hasSuffix("]}"))
        return String(rest.dropLast())
    }

    @Test("saved answers, whole responses or bare arrays, replay to exactly the live fetch's lines")
    func replayEqualsLiveFetch() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        let dir = try TestDirectory.make("replay")
        let first = try node.rpc("eth_getLogs", #"[{"fromBlock":"0x64","toBlock":"0xc7"}]"#)
        let second = try node.rpc("eth_getLogs", #"[{"fromBlock":"0xc8","toBlock":"0x12b"}]"#)
        try (first + "\n" + "[]\n" + Self.bareResult(second) + "\n").write(
            toFile: dir + "/answers.ndjson", atomically: true, encoding: .utf8)
        let (status, out, err) = try FetchProcess.run([
            "--replay", dir + "/answers.ndjson", "--replay-chain-id", "1337",
        ])
        #expect(status == 0, "\(err)")
        #expect(err == "")
        let want = try oracleLines(url: node.url, from: 100, to: 299)
        #expect(!want.isEmpty)
        let got = records(out)
        #expect(got.count == want.count)
        if let i = zip(got, want).map({ $0 != $1 }).firstIndex(of: true) {
            Issue.record("line \(i): \(got[i]) != \(want[i])")
        }
    }

    @Test("a bad answer file is 65 naming the file, the line and what is wrong")
    func badAnswersAre65() throws {
        let node = try FixtureNode(["--blocks", "3000"])
        let dir = try TestDirectory.make("replay-bad")
        let answer = try node.rpc("eth_getLogs", #"[{"fromBlock":"0x64","toBlock":"0xc7"}]"#)
        let cases: [(String, String)] = [
            (
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32000,\"message\":\"x\"}}\n",
                "line 1: a JSON-RPC response without a result"
            ),
            ("[1,\n", "line 1: "),
            (answer + "\n" + answer + "\n", "line 2: answer overlaps or precedes the previous one"),
            (#"[{"blockNumber":"0x9"},{"blockNumber":"0x2"}]"# + "\n", "line 1: logs without ascending blockNumber"),
        ]
        for (i, (text, message)) in cases.enumerated() {
            let path = dir + "/bad\(i).ndjson"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let (status, _, err) = try FetchProcess.run(["--replay", path])
            #expect(status == 65, "case \(i): \(err)")
            #expect(err.hasPrefix("cc-fetch: \(path): \(message)"), "case \(i): \(err)")
            #expect(err.hasSuffix("\n") && err.dropLast().split(separator: "\n").count == 1, "case \(i): \(err)")
        }
    }
}
