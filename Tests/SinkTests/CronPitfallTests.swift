import CCKit
import CCTestSupport
import Foundation
import Testing

/// Cron jobs that used to "succeed" while doing the wrong thing (issue 11,
/// item 4): each one now either works or says what is wrong on stderr.
@Suite("cron pitfalls")
struct CronPitfallTests {
    static func q(_ s: String) -> String { "'" + s + "'" }

    static func pipeline(_ node: String, _ fetchArgs: String, _ sinkArgs: String, dir: String) throws -> BinaryRun {
        try SinkTest.shell(
            "cd \(q(dir)) && \(q(SinkTest.binary("cc-fetch"))) --rpc \(node) -q \(fetchArgs) "
                + "| \(q(SinkTest.binary("cc-sink"))) \(sinkArgs)")
    }

    @Test("the checkpoint overriding --from or past --to, and --checkpoint on one side only, are reported")
    func checkpointNotices() throws {
        let node = try FixtureNode(["--blocks", "1000"])
        defer { node.stop() }
        let dir = try SinkTest.tempDir()
        let sink = "sqlite t.db --raw-logs store --checkpoint ck.json"
        var r = try Self.pipeline(node.url, "--from 100 --to 200 --checkpoint ck.json", sink, dir: dir)
        #expect(r.status == 0)
        #expect(r.stderr == "")
        // The same command line again: nothing to do, and the sink is told where the data stands.
        r = try Self.pipeline(node.url, "--from 100 --to 200 --checkpoint ck.json", sink, dir: dir)
        #expect(r.status == 0)
        #expect(
            r.stderr
                == "cc-fetch: the checkpoint ck.json is at block 200, at or past --to 200 (block 200): nothing to fetch\n"
        )
        // Extending the range: the checkpoint wins over --from, and says so.
        r = try Self.pipeline(node.url, "--from 100 --to 300 --checkpoint ck.json", sink, dir: dir)
        #expect(r.status == 0)
        #expect(
            r.stderr
                == "cc-fetch: resuming after the checkpoint ck.json at block 200; --from 100 only applies to a new "
                + "checkpoint file\n")
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 300)
        // --from naming the very block it resumes at is not worth a word.
        r = try Self.pipeline(node.url, "--from 301 --to 310 --checkpoint ck.json", sink, dir: dir)
        #expect(r.status == 0)
        #expect(r.stderr == "")
        // --checkpoint on the sink only: no marker ever comes, and the sink says so.
        r = try Self.pipeline(node.url, "--from 400 --to 410", sink, dir: dir)
        #expect(r.status == 0)
        #expect(
            r.stderr
                == "cc-sink: no checkpoint marker in the input, so ck.json was not moved: cc-fetch stopped before "
                + "its first marker (see its own message) or has no --checkpoint (give it the same --checkpoint FILE)\n"
        )
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 310)
        // --checkpoint on the fetch only: the sink sees markers and nowhere to record them.
        r = try Self.pipeline(
            node.url, "--from 400 --to 410 --checkpoint other.json", "sqlite t.db --raw-logs store", dir: dir)
        #expect(r.status == 0)
        #expect(
            r.stderr
                == "cc-sink: the input has checkpoint markers (cc-fetch --checkpoint), but cc-sink has no "
                + "--checkpoint: progress is not saved and the next run starts over; give cc-sink the same "
                + "--checkpoint FILE\n")
    }

    @Test("rotated files without markers or checkpoint are completed at the end, not left as hidden .part files")
    func rotationWithoutMarkers() throws {
        let dir = try SinkTest.tempDir()
        let input = SinkTest.stream(from: 1, to: 25, perBlock: 1, markerEvery: 1000, finalMarker: false)
        let r = try SinkTest.run(
            "cc-sink", ["file", "out/t-{from}-{to}.ndjson", "--rotate-blocks", "10"], stdin: input, directory: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/out").sorted()
        #expect(names == ["t-0-9.ndjson", "t-10-19.ndjson", "t-20-25.ndjson"])
        #expect(SinkTest.read(dir + "/out/t-20-25.ndjson").split(separator: "\n").count == 6)
    }
}
