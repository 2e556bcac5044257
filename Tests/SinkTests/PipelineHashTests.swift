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

    /// A marker whose `pipeline` is not a string (null, a number: hand-made)
    /// got a second `pipeline` key, which readers skip (the first one wins).
    @Test("a pipeline that is not a string is replaced in place, as if absent", arguments: ["null", "5", "[1]"])
    func nonStringPipeline(_ value: String) throws {
        let bare = Self.marker
        let odd = String(bare.dropLast()) + #","pipeline":"# + value + "}"
        for stage in ["'\(SinkTest.binary("cc-decode"))' --abi erc20", "'\(SinkTest.binary("cc-filter"))' true"] {
            let a = try SinkTest.shell("echo '\(odd)' | \(stage)")
            let b = try SinkTest.shell("echo '\(bare)' | \(stage)")
            #expect(a.status == 0, "\(a.stderr)")
            #expect(a.stdout.components(separatedBy: "\"pipeline\"").count == 2, "\(a.stdout)")
            #expect(a.stdout == b.stdout)
        }
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
        // Only `pipeline` is added: the contract lets a stage update nothing else of a marker.
        #expect(d1 == Self.marker.dropLast() + #","pipeline":""# + value + "\"}\n")
        #expect(try pipe("\(decode) --abi erc20") == d1)
        #expect(try pipe("\(decode) --abi erc20 --unknown drop") != d1)
        // What else changes what passes or what it holds: --strict drops logs
        // with dirty padding, --chain-id fills the key, --keep-raw adds fields,
        // and of two events a log matches alike, the first given decodes it.
        #expect(try pipe("\(decode) --abi erc20 --strict") != d1)
        #expect(try pipe("\(decode) --abi erc20 --chain-id 1") != d1)
        #expect(try pipe("\(decode) --abi erc20 --keep-raw") != d1)
        let mine = "'event Transfer(address indexed a, address indexed b, uint256 c)'"
        #expect(try pipe("\(decode) --abi \(mine) --abi erc20") != pipe("\(decode) --abi erc20 --abi \(mine)"))
        // Where the order changes nothing, it changes nothing.
        #expect(try pipe("\(decode) --abi erc20 --abi erc721") == pipe("\(decode) --abi erc721 --abi erc20"))
        #expect(try pipe("\(decode) --abi erc721") != d1)
        // cc-filter folds into the pipeline it received, replacing the field in place.
        let f1 = try pipe("\(decode) --abi erc20 | \(filter) 'event == \"Transfer\"'")
        #expect(PipelineField.strip(f1) == Self.marker + "\n")
        #expect(f1 != d1 && !f1.contains(String(value)))
        #expect(try pipe("\(decode) --abi erc20 | \(filter) 'event == \"Approval\"'") != f1)
        #expect(try pipe("\(decode) --abi erc20 | \(filter) 'event == \"Transfer\"'") == f1)
    }

    @Test(
        "the refusal (78) names what changed as far as the hashes tell: a stage between, a stage added, cc-fetch's query"
    )
    func refusalNamesTheStage() throws {
        let node = try FixtureNode(["--blocks", "400"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir()
        func q(_ s: String) -> String { "'" + s + "'" }
        func run(_ to: Int, decode: String = "--abi erc20 --unknown drop", filter: String = "true", fetch: String = "")
            throws -> BinaryRun
        {
            try SinkTest.shell(
                "cd \(q(dir)) && \(q(SinkTest.binary("cc-fetch"))) --rpc \(node.url) -q --from 0 --to \(to) \(fetch) "
                    + "--checkpoint ck.json | \(q(SinkTest.binary("cc-decode"))) \(decode) "
                    + "| \(q(SinkTest.binary("cc-filter"))) \(q(filter)) "
                    + "| \(q(SinkTest.binary("cc-sink"))) sqlite t.db --checkpoint ck.json --raw-logs skip >/dev/null; "
                    + "echo \"status=${PIPESTATUS[*]}\" >&2"
            ).withoutResumeNotes
        }
        var r = try run(100)
        #expect(r.stderr == "status=0 0 0 0\n")
        let first = try #require(try CheckpointFile(path: dir + "/ck.json").read())
        #expect(first.pipeline != nil && first.pipeline != first.filter)
        r = try run(150)
        #expect(r.stderr == "status=0 0 0 0\n")
        let saved = SinkTest.read(dir + "/ck.json")
        let refusal = "cc-sink: checkpoint ck.json was written by another pipeline ("
        // The sink's status: the last of PIPESTATUS.
        func sinkStatus(_ r: BinaryRun) -> String? {
            r.stderr.split(separator: "\n").last?.split(separator: " ").last.map(String.init)
        }

        r = try run(200, filter: "event == \"Transfer\"")
        #expect(r.stderr.hasPrefix(refusal), "\(r.stderr)")
        let between =
            "): the fetch filter is the same, so a stage between cc-fetch and cc-sink changed: cc-decode (its --abi "
            + "set or --unknown) or cc-filter (its program or options); use a new checkpoint file"
        #expect(r.stderr.contains(between), "\(r.stderr)")
        #expect(sinkStatus(r) == "78")

        r = try run(200, decode: "--abi erc721 --unknown drop")
        #expect(r.stderr.contains(between), "\(r.stderr)")
        #expect(sinkStatus(r) == "78")

        r = try run(200, decode: "--abi erc20 --unknown pass")
        #expect(r.stderr.contains(between), "\(r.stderr)")
        #expect(sinkStatus(r) == "78")

        // The stages between removed: the markers carry the bare filter.
        r = try SinkTest.shell(
            "cd \(q(dir)) && \(q(SinkTest.binary("cc-fetch"))) --rpc \(node.url) -q --from 0 --to 200 "
                + "--checkpoint ck.json | \(q(SinkTest.binary("cc-sink"))) sqlite t.db --checkpoint ck.json "
                + "--raw-logs skip >/dev/null"
        ).withoutResumeNotes
        #expect(r.status == 78)
        #expect(
            r.stderr.contains(
                "): the stages between cc-fetch and cc-sink that changed what passes (cc-decode, cc-filter) are gone"),
            "\(r.stderr)")

        // cc-fetch's own query: cc-fetch refuses the checkpoint before it fetches anything.
        r = try run(200, fetch: "--address 0x00000000000000000000000000000000000000aa")
        #expect(r.stderr.hasPrefix("cc-fetch: checkpoint ck.json was written for another filter ("), "\(r.stderr)")
        #expect(r.stderr.contains("cc-fetch's query changed"))
        #expect(r.stderr.contains("status=78 "), "\(r.stderr)")
        // Nothing moved: the checkpoint is the one of the last accepted run.
        #expect(SinkTest.read(dir + "/ck.json") == saved)
        // The original pipeline carries on.
        r = try run(200)
        #expect(r.stderr == "status=0 0 0 0\n")
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
        #expect(r.stdout.contains("so a stage between cc-fetch and cc-sink changed: cc-decode (its --abi set"))
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

extension BinaryRun {
    /// Without cc-fetch's notes about where it resumes (the tests here are about the sink's refusal).
    var withoutResumeNotes: BinaryRun {
        var r = self
        r.stderr = stderr.split(separator: "\n", omittingEmptySubsequences: false).filter {
            !$0.hasPrefix("cc-fetch: resuming after the checkpoint") && !$0.hasPrefix("cc-fetch: the checkpoint ")
        }.joined(separator: "\n")
        return r
    }
}
