import CCKit
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("cc-sink: SIGINT/SIGTERM")
struct SinkSignalTests {
    /// Feeds `input` through a FIFO that stays open (a live upstream), then
    /// sends `signal` once the sink has committed it: once `ready` holds
    /// (polled; a fixed delay was too short for instrumented binaries on a
    /// busy machine), or after 60 s.
    static func stopped(
        by signal: Int32, sink: [String], input: String, dir: String, ready: () -> Bool
    ) throws -> SinkTest.Result {
        let fifo = dir + "/in.fifo"
        guard mkfifo(fifo, 0o600) == 0 else { throw SinkTestError("mkfifo failed") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [
            "-c",
            "exec '\(SinkTest.binary("cc-sink"))' \(sink.map { "'\($0)'" }.joined(separator: " ")) < in.fifo 2> err.txt",
        ]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        try p.run()
        let writer = open(fifo, O_WRONLY)
        defer { close(writer) }
        let bytes = Array(input.utf8)
        _ = bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        let deadline = Date().addingTimeInterval(60)
        while !ready() && Date() < deadline { usleep(50_000) }
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return SinkTest.Result(status: status, stdout: "", stderr: SinkTest.read(dir + "/err.txt"))
    }

    @Test("SIGTERM: commits what was read, keeps the checkpoint at the last marker, exits 143")
    func sigterm() throws {
        let dir = try SinkTest.tempDir()
        let input = SinkTest.stream(from: 1, to: 4, markerEvery: 2) + SinkTest.transfer(block: 5, log: 0) + "\n"
        let r = try Self.stopped(
            by: SIGTERM, sink: ["sqlite", "t.db", "--checkpoint", "ck.json", "--flush-interval", "200ms"], input: input,
            dir: dir
        ) {
            // Committed at the block-4 marker, and block 5's event flushed after --flush-interval.
            (try? CheckpointFile(path: dir + "/ck.json").read()?.blockNumber) == 4
                && (try? SinkTest.keys(dir + "/t.db"))?.last == "5:0"
        }
        #expect(r.status == 143, "\(r.stderr)")
        #expect(try SinkTest.keys(dir + "/t.db") == SinkTest.expectedKeys(from: 1, to: 4) + ["5:0"])
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 4)
    }

    @Test("SIGINT after a marker does not complete rotated files early: 130, the .part file stays open")
    func sigintKeepsFilesOpen() throws {
        let dir = try SinkTest.tempDir()
        let input = SinkTest.stream(from: 1, to: 4, markerEvery: 2)
        let r = try Self.stopped(
            by: SIGINT,
            sink: ["file", "out/{event}-{from}-{to}.ndjson", "--rotate-blocks", "10", "--checkpoint", "ck.json"],
            input: input, dir: dir
        ) { (try? CheckpointFile(path: dir + "/ck.json").read()?.blockNumber) == 4 }
        #expect(r.status == 130, "\(r.stderr)")
        #expect(FileSinkTests.tree(dir + "/out").keys.sorted() == [".Transfer-0-open.ndjson.part"])
        // The rerun continues the same file and completes it at the end.
        let rest = SinkTest.stream(from: 5, to: 12, markerEvery: 2)
        let again = try SinkTest.run(
            "cc-sink", ["file", "out/{event}-{from}-{to}.ndjson", "--rotate-blocks", "10", "--checkpoint", "ck.json"],
            stdin: rest, directory: dir)
        #expect(again.status == 0, "\(again.stderr)")
        let files = FileSinkTests.tree(dir + "/out")
        #expect(files.keys.sorted() == ["Transfer-0-9.ndjson", "Transfer-10-12.ndjson"])
        #expect(files["Transfer-0-9.ndjson"]?.split(separator: "\n").count == 27)
    }
}
