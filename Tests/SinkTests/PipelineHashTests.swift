import CCKit
import CCTestSupport
import Foundation
import Testing

/// The `pipeline` field of checkpoint markers (stream contract v1.1): each
/// stage folds its configuration in, and the sink refuses a checkpoint that
/// another pipeline wrote.
@Suite("pipeline hash")
struct PipelineHashTests {
    static let marker = #"{"$cc":"checkpoint","chainId":1,"blockNumber":7,"blockHash":"0xab","filter":"3f9a","x":[1]}"#

    @Test("the spec's formula: hex(sha256(previous | stage:config)) cut to 16 digits")
    func formula() {
        // python3 -c 'import hashlib; print(hashlib.sha256(b"3f9a|cc-filter:x").hexdigest()[:16])'
        #expect(PipelineHash.fold("3f9a", stage: "cc-filter", config: "x") == "ae9b8f00146f5ad2")
    }

    @Test("cc-decode and cc-filter change only the marker's pipeline; the same configuration gives the same hash")
    func stagesFold() throws {
        func pipe(_ script: String) throws -> String {
            let r = try SinkTest.shell("echo '\(Self.marker)' | " + script)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        let decode = "'\(SinkTest.binary("cc-decode"))'"
        let filter = "'\(SinkTest.binary("cc-filter"))'"
        let d1 = try pipe("\(decode) --abi erc20")
        let value = try #require(d1.firstMatch(of: #/"pipeline":"([0-9a-f]{16})"/#)?.output.1)
        #expect(d1 == Self.marker.dropLast() + #","pipeline":""# + value + "\"}\n")
        #expect(try pipe("\(decode) --abi erc20") == d1)
        #expect(try pipe("\(decode) --abi erc20 --unknown drop") != d1)
        #expect(try pipe("\(decode) --abi erc721") != d1)
        // cc-filter folds into the pipeline it received, replacing the field in place.
        let f1 = try pipe("\(decode) --abi erc20 | \(filter) 'event == \"Transfer\"'")
        #expect(PipelineField.strip(f1) == Self.marker + "\n")
        #expect(f1 != d1 && !f1.contains(String(value)))
        #expect(try pipe("\(decode) --abi erc20 | \(filter) 'event == \"Approval\"'") != f1)
        #expect(try pipe("\(decode) --abi erc20 | \(filter) 'event == \"Transfer\"'") == f1)
    }

    @Test("the sink refuses (78) a marker of another pipeline, accepts the same one and adopts it on old checkpoints")
    func sinkRefuses() throws {
        let node = try FixtureNode(["--blocks", "400"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir()
        func run(_ to: Int, _ stages: String) throws -> BinaryRun {
            try SinkTest.shell(
                "cd '\(dir)' && '\(SinkTest.binary("cc-fetch"))' --rpc \(node.url) -q --from 0 --to \(to) "
                    + "--checkpoint ck.json | \(stages) | '\(SinkTest.binary("cc-sink"))' sqlite t.db "
                    + "--checkpoint ck.json --raw-logs skip 2>&1 >/dev/null | grep -v '^cc-fetch: resuming\\|skipped'")
        }
        let decode = "'\(SinkTest.binary("cc-decode"))' --abi erc20"
        var r = try run(100, decode)
        let first = try #require(try CheckpointFile(path: dir + "/ck.json").read())
        #expect(first.blockNumber == 100 && first.pipeline != nil && first.pipeline != first.filter)
        // The database's checkpoint row keeps it too.
        #expect(try SinkTest.query(dir + "/t.db", "SELECT pipeline FROM cc_checkpoint") == [[first.pipeline]])
        r = try run(200, decode)
        #expect(r.stdout == "")
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 200)
        r = try run(300, decode + " --unknown drop")
        #expect(r.stdout.hasPrefix("cc-sink: checkpoint ck.json was written by another pipeline ("), "\(r.stdout)")
        #expect(r.stdout.contains("cc-decode's --abi set or --unknown"))
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 200)
        // A checkpoint file from before v1.1 (no pipeline) takes the stream's.
        var old = try #require(try CheckpointFile(path: dir + "/ck.json").read())
        old.pipeline = nil
        try CheckpointFile(path: dir + "/ck.json").write(old)
        r = try run(300, decode + " --unknown drop")
        #expect(r.stdout == "")
        let now = try #require(try CheckpointFile(path: dir + "/ck.json").read())
        #expect(now.blockNumber == 300 && now.pipeline != first.pipeline)
    }
}
