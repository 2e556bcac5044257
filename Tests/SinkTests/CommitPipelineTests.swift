import Foundation
import Testing

@testable import CCCore
@testable import CCHTTP
@testable import CCSink
@testable import CCStream

/// A sink that records what `CheckpointCommitter` asks of it.
private final class RecordingSink: Sink {
    let kind = "test"
    var calls: [String] = []
    var pendingEvents = 0
    let deferredSync: FileSync?

    init(deferredSync: FileSync? = nil) { self.deferredSync = deferredSync }

    func resume(from checkpoint: CheckpointMarker?, state: SinkState?) throws(ChainCastError) {}

    func append(_ event: DecodedEvent) throws(ChainCastError) {
        calls.append("event \(event.blockNumber)/\(event.logIndex)")
        pendingEvents += 1
    }

    func flush() throws(ChainCastError) {
        calls.append("flush \(pendingEvents)")
        pendingEvents = 0
    }

    func commit(_ checkpoint: CheckpointMarker) throws(ChainCastError) -> SinkState {
        calls.append("commit \(pendingEvents) + marker \(checkpoint.blockNumber)")
        pendingEvents = 0
        return .other(type: "test")
    }

    func checkpointWritten() throws(ChainCastError) { calls.append("checkpoint written") }

    func rewind(_ record: RewindRecord) throws(ChainCastError) -> RewindRetraction {
        calls.append("rewind \(record.blockNumber)")
        pendingEvents += 1
        return .asData
    }
}

/// Records, at each call, which block the checkpoint file names: the order
/// of retraction and checkpoint when a rewind moves the checkpoint back.
private final class RewindOrderSink: Sink {
    let kind = "test"
    let file: String
    let inTransaction: Bool
    var calls: [String] = []
    var pendingEvents = 0

    init(file: String, inTransaction: Bool) {
        self.file = file
        self.inTransaction = inTransaction
    }

    private var fileBlock: String {
        ((try? CheckpointFile(path: file).read()) ?? nil).map { "\($0.blockNumber)" } ?? "-"
    }

    func resume(from checkpoint: CheckpointMarker?, state: SinkState?) throws(ChainCastError) {}

    func append(_ event: DecodedEvent) throws(ChainCastError) {
        calls.append("event \(event.blockNumber)")
        pendingEvents += 1
    }

    func flush() throws(ChainCastError) {
        calls.append("flush \(pendingEvents) (file at \(fileBlock))")
        pendingEvents = 0
    }

    func commit(_ checkpoint: CheckpointMarker) throws(ChainCastError) -> SinkState {
        calls.append("commit \(pendingEvents) + marker \(checkpoint.blockNumber) (file at \(fileBlock))")
        pendingEvents = 0
        return .other(type: "test")
    }

    func rewind(_ record: RewindRecord) throws(ChainCastError) -> RewindRetraction {
        calls.append("rewind \(record.blockNumber) (file at \(fileBlock))")
        pendingEvents += 1
        return inTransaction ? .withNextCommit(state: .other(type: "test")) : .asData
    }
}

@Suite("cc-sink: commits, checkpoint files and the WAL")
struct CommitPipelineTests {
    private static func input(_ text: String) throws -> String {
        let dir = try SinkTest.tempDir("commit")
        try SinkTest.write(text, to: dir + "/in.ndjson")
        return dir
    }

    private static func run(_ sink: Sink, input: String, checkpoint: String?, batchSize: Int) throws {
        var policy = CheckpointCommitter.Policy()
        policy.batchSize = batchSize
        let committer = CheckpointCommitter(
            sink: sink, checkpointPath: checkpoint, policy: policy, metrics: SinkMetrics(path: nil, sink: sink.kind))
        try committer.resume()
        try committer.run(inputPath: input)
    }

    @Test("a full batch that a marker follows goes into the marker's commit: one transaction, not two")
    func fullBatchJoinsMarker() throws {
        let dir = try Self.input(
            [
                SinkTest.transfer(block: 1, log: 0), SinkTest.transfer(block: 1, log: 1), SinkTest.marker(block: 1),
                SinkTest.transfer(block: 2, log: 0), SinkTest.transfer(block: 2, log: 1),
                SinkTest.transfer(block: 3, log: 0), SinkTest.marker(block: 3), SinkTest.transfer(block: 4, log: 0),
                SinkTest.transfer(block: 4, log: 1),
            ].joined(separator: "\n") + "\n")
        let sink = RecordingSink()
        try Self.run(sink, input: dir + "/in.ndjson", checkpoint: dir + "/ck.json", batchSize: 2)
        #expect(
            sink.calls == [
                "event 1/0", "event 1/1", "commit 2 + marker 1", "checkpoint written",
                "event 2/0", "event 2/1", "flush 2", "event 3/0", "commit 1 + marker 3", "checkpoint written",
                "event 4/0", "event 4/1", "flush 2",
            ])
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 3)
    }

    @Test("with a deferred sync, the checkpoint file is written off the writer and is complete when the run ends")
    func deferredCheckpointFile() throws {
        let dir = try Self.input(SinkTest.stream(from: 10, to: 29, perBlock: 2, markerEvery: 4))
        try SinkTest.write("", to: dir + "/log")
        let sink = RecordingSink(deferredSync: try FileSync(path: dir + "/log"))
        try Self.run(sink, input: dir + "/in.ndjson", checkpoint: dir + "/ck.json", batchSize: 1000)
        let cp = try #require(try CheckpointFile(path: dir + "/ck.json").read())
        #expect(cp.blockNumber == 29 && cp.blockHash == SinkTest.hash(29) && cp.sink == .other(type: "test"))
        // The writer thread does the sink's `checkpointWritten` work by itself.
        #expect(!sink.calls.contains("checkpoint written"))
        #expect(sink.calls.filter { $0.hasPrefix("commit") }.count == 5)
    }

    @Test("a checkpoint file that cannot be written stops the run with 74, naming it")
    func deferredWriteFailure() throws {
        let dir = try Self.input(SinkTest.stream(from: 10, to: 13, perBlock: 2, markerEvery: 1))
        try SinkTest.write("", to: dir + "/log")
        let sink = RecordingSink(deferredSync: try FileSync(path: dir + "/log"))
        let path = dir + "/missing/ck.json"
        do {
            try Self.run(sink, input: dir + "/in.ndjson", checkpoint: path, batchSize: 1000)
            Issue.record("the run should have failed")
        } catch let e as ChainCastError {
            #expect(e.status == .ioError)
            #expect(e.message.contains(dir + "/missing/ck.json.tmp."), "\(e.message)")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("the log is started over while the sink writes: it stays small, and the database holds every row")
    func walStaysBounded() throws {
        let dir = try Self.input(SinkTest.stream(from: 1000, to: 4999, perBlock: 5, markerEvery: 20))
        var options = SQLiteSink.Options(path: dir + "/t.db")
        options.walCheckpointBytes = 4 << 16  // four 64 KiB pages
        let sink = try SQLiteSink(options)
        try Self.run(sink, input: dir + "/in.ndjson", checkpoint: dir + "/ck.json", batchSize: 100)
        // The log file keeps the size it grew to until the last connection closes.
        let wal = try #require(try FileManager.default.attributesOfItem(atPath: dir + "/t.db-wal")[.size] as? Int)
        let db = try #require(try FileManager.default.attributesOfItem(atPath: dir + "/t.db")[.size] as? Int)
        #expect(db > 8 << 20, "\(db)")
        #expect(wal < 3 << 20, "log grew to \(wal) bytes")
        #expect(
            try SinkTest.query(dir + "/t.db", "SELECT count(*), max(block_number) FROM events") == [["20000", "4999"]])
        #expect(try CheckpointFile(path: dir + "/ck.json").read()?.blockNumber == 4999)
    }

    @Test(
        "a rewind below the checkpoint moves it back: before a retraction the next commit holds, after one written as data"
    )
    func rewindMovesTheCheckpointBack() throws {
        let rewind = #"{"$cc":"rewind","chainId":1,"blockNumber":11,"blockHash":"\#(SinkTest.hash(11))"}"#
        let input =
            [
                SinkTest.transfer(block: 10, log: 0), SinkTest.marker(block: 10), SinkTest.transfer(block: 12, log: 0),
                SinkTest.marker(block: 12), rewind, SinkTest.marker(block: 11),
                SinkTest.transfer(block: 12, log: 0, salt: 1),
                SinkTest.marker(block: 12, salt: 1),
            ].joined(separator: "\n") + "\n"
        for inTransaction in [true, false] {
            let dir = try Self.input(input)
            let sink = RewindOrderSink(file: dir + "/ck.json", inTransaction: inTransaction)
            try Self.run(sink, input: dir + "/in.ndjson", checkpoint: dir + "/ck.json", batchSize: 1000)
            let moveBack =
                inTransaction
                ? ["rewind 11 (file at 12)", "flush 1 (file at 11)"]
                : ["rewind 11 (file at 12)", "commit 1 + marker 11 (file at 12)"]
            #expect(
                sink.calls == [
                    "event 10", "commit 1 + marker 10 (file at -)", "event 12", "commit 1 + marker 12 (file at 10)",
                ] + moveBack + ["event 12", "commit 1 + marker 12 (file at 11)"])
            let ck = try #require(try CheckpointFile(path: dir + "/ck.json").read())
            #expect(ck.blockNumber == 12 && ck.blockHash == SinkTest.hash(12, salt: 1))
        }
    }
}
