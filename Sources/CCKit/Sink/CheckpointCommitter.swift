import CCCore
import CCJSON
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Drives a `Sink` from a stream of decoded events and checkpoint markers,
/// and owns the one rule that makes reruns exact:
///
/// 1. Batches are flushed by size and age, never waiting for a marker, but a
///    flush does not move the checkpoint. A full batch is flushed when the
///    next record is read (or none is ready): when that record is a marker,
///    the batch goes into the marker's commit instead, so data and
///    checkpoint are one transaction and one fsync, not two.
/// 2. On a marker, everything above it is made durable *first*, then the
///    checkpoint file names the marker's block (atomic write: temp file,
///    fsync, rename, fsync of the directory).
///    For a sink with a `deferredSync`, the sync and the file are written
///    by a `CheckpointFileWriter` while the sink goes on with the next batch.
/// 3. End of input without a final marker (a killed upstream looks exactly
///    like that) commits the data but leaves the checkpoint where it was.
package final class CheckpointCommitter {
    package struct Policy: Sendable {
        /// Flush after this many events.
        package var batchSize: Int = 10_000
        /// Flush a batch this many seconds after its first event.
        package var flushInterval: Double = 1.0
        /// Count and report unparsable lines instead of stopping with 65.
        package var skipInvalid = false
        /// With `skipInvalid`: append every skipped line, as read, to this file.
        package var skippedPath: String?
        package var verbose = false
        /// What a raw (undecoded) log reaching the sink does.
        package var rawLogs: RawLogs = .refuse

        package init() {}
    }

    /// `--raw-logs`: a raw log is never stored as a half-empty event row.
    package enum RawLogs: String, Sendable, CaseIterable {
        /// Stop with 65 naming the log and the fix.
        case refuse
        /// Count them and say how many at the end.
        case skip
        /// Store them with their topics and data (`Sink.appendRawLog`).
        case store
    }

    package static let tool = "cc-sink"
    let sink: Sink
    let checkpointFile: CheckpointFile?
    let policy: Policy
    package let metrics: SinkMetrics
    /// The checkpoint in force: read at start, replaced after each write.
    package private(set) var current: Checkpoint?
    private var batchStarted: Double?
    private var fileWriter: CheckpointFileWriter?
    /// The batch reached `batchSize`; flush before the next event.
    private var batchFull = false
    private var lastWasMarker = false
    private var skippedFile: SkippedLinesFile?
    /// Index in its batch of the line `handle` is at.
    private var currentLine = 0
    /// Checkpoint markers read in this run.
    private var markersSeen = 0
    /// The next plain record's position (`RecordPosition`).
    private var recordAnchor = RecordPosition(chainId: 0, afterBlock: -1, ordinal: 0)

    package init(sink: Sink, checkpointPath: String?, policy: Policy, metrics: SinkMetrics) {
        self.sink = sink
        self.checkpointFile = checkpointPath.map { CheckpointFile(path: $0) }
        self.policy = policy
        self.metrics = metrics
    }

    /// Reads the checkpoint file and lets the sink check it against its own
    /// state. Call before `run`; throws 78 when they contradict.
    package func resume() throws(ChainCastError) {
        guard let checkpointFile else { return }
        current = try checkpointFile.read()
        if let c = current {
            recordAnchor = RecordPosition(chainId: c.chainId, afterBlock: Int64(clamping: c.blockNumber), ordinal: 0)
            metrics.checkpointBlock = c.blockNumber
            if policy.verbose {
                Diagnostics.error(
                    Self.tool, "resuming after block \(c.blockNumber) (checkpoint \(checkpointFile.path))")
            }
        }
        try sink.resume(from: current?.marker, state: current?.sink)
    }

    /// Reads `inputPath` (`-`: standard input) to its end, or until SIGINT or
    /// SIGTERM (then throws StopRequested after a clean flush).
    package func run(inputPath: String) throws {
        let rows = (sink as? RowSink).flatMap { $0.rowColumns != nil ? $0 : nil }
        if policy.skipInvalid, let path = policy.skippedPath { skippedFile = try SkippedLinesFile(path: path) }
        defer { skippedFile?.close() }
        let reader = SinkReader(input: try LineReader(path: inputPath), rows: rows?.rowColumns)
        try reader.start()
        defer { reader.stop() }
        if let checkpointFile, sink.deferredSync != nil { fileWriter = try CheckpointFileWriter(file: checkpointFile) }
        // Whatever ends the run, checkpoints of committed data still get written.
        defer { fileWriter?.stop() }
        do {
            try loop(reader, rows: rows)
        } catch let e as ChainCastError where e.status == .dataError {
            // Commit what came before the bad line (the checkpoint stays), so a
            // fixed rerun has less to redo.
            try? flush()
            try? fileWriter?.drain()
            metrics.write(force: true)
            throw e
        }
        try flush()
        // Only a real end of input after a marker is a clean end: a signal
        // right after a marker must not complete files a rerun continues.
        // Without a checkpoint file nothing resumes the output, so the end of
        // the input is its end (rotated files are completed, not left hidden).
        let clean = (lastWasMarker || checkpointFile == nil) && !SignalState.shouldStop
        if let state = try sink.finish(cleanEnd: clean), clean {
            if let cur = current {
                try writeCheckpoint(cur.marker, state: state)
            } else if checkpointFile == nil {
                try sink.checkpointWritten()
            }
        }
        try fileWriter?.drain()
        metrics.write(force: true)
        reportEnd()
        if let s = SignalState.pending { throw StopRequested(signal: s) }
    }

    /// What a run that exits 0 may still have got wrong, on stderr.
    private func reportEnd() {
        if metrics.rawLogsSkipped > 0 {
            Diagnostics.error(Self.tool, "skipped \(metrics.rawLogsSkipped) raw (undecoded) logs (--raw-logs skip)")
        }
        // --checkpoint on the sink only: nothing tells it how far the data is
        // complete, so a cron job would redo (or re-post) everything each run.
        // --checkpoint on cc-fetch only: it resumes from a file nobody writes.
        if checkpointFile == nil, markersSeen > 0, !SignalState.shouldStop {
            Diagnostics.error(
                Self.tool,
                "the input has checkpoint markers (cc-fetch --checkpoint), but cc-sink has no --checkpoint: "
                    + "progress is not saved and the next run starts over; give cc-sink the same --checkpoint FILE")
        }
        if let checkpointFile, markersSeen == 0, !SignalState.shouldStop {
            Diagnostics.error(
                Self.tool,
                "no checkpoint marker in the input, so \(checkpointFile.path) was not "
                    + (current == nil ? "written" : "moved")
                    + ": cc-fetch stopped before its first marker (see its own message) or has no --checkpoint "
                    + "(give it the same --checkpoint FILE)")
        }
    }

    private func loop(_ reader: SinkReader, rows: RowSink?) throws {
        while true {
            var timeout: Int32 = 250
            if batchFull {
                // Peek without waiting: a marker that is already read joins the commit.
                timeout = 0
            } else if sink.pendingEvents > 0, let started = batchStarted {
                let left = policy.flushInterval - (monotonicSeconds() - started)
                if left <= 0 {
                    try flush()
                } else {
                    timeout = Int32(min(250, left * 1000 + 1))
                }
            }
            switch try reader.next(timeoutMilliseconds: timeout) {
            case .timeout:
                if batchFull { try flush() }
            case .end: return
            case .batch(let batch):
                defer { reader.recycle(batch) }
                for i in 0..<batch.count {
                    let (number, record) = batch.record(i)
                    currentLine = i
                    try handle(record, number, from: batch, rows: rows)
                }
            }
        }
    }

    private func handle(_ record: ScannedBatch.Record, _ number: Int, from batch: ScannedBatch, rows: RowSink?)
        throws(ChainCastError)
    {
        if batchFull {
            if case .marker = record {} else { try flush() }
        }
        let event: DecodedEvent
        switch record {
        case .event(let e): event = e
        case .row(let row):
            // Only prepared when the sink takes rows (`SinkReader(rows:)`).
            guard let rows else { throw .internalError("line \(number): a prepared row for a sink without rows") }
            try checkChain(row.chainId, number)
            do { try rows.check(row: row) } catch {
                guard error.status == .dataError else { throw error }
                try invalid(number, error.message, batch: batch)
                return
            }
            if rows.pendingEvents == 0 { batchStarted = monotonicSeconds() }
            try rows.append(row: row, from: batch)
            try counted(removed: row.removed)
            return
        case .marker(let marker):
            markersSeen += 1
            recordAnchor = RecordPosition(
                chainId: marker.chainId, afterBlock: Int64(clamping: marker.blockNumber), ordinal: 0)
            // A sink that cannot record the marker's numbers says so as bad data; name the line.
            do { try commit(marker) } catch {
                guard error.status == .dataError else { throw error }
                throw .data("line \(number): \(error.message)")
            }
            lastWasMarker = true
            return
        case .rawLog(let log):
            try rawLog(log, number, batch: batch)
            return
        case .plain(let record):
            if sink.pendingEvents == 0 { batchStarted = monotonicSeconds() }
            do {
                try sink.appendRecord(record, at: recordAnchor)
            } catch  where error.status == .dataError {
                throw .data("line \(number): \(error.message)")
            }
            recordAnchor.ordinal += 1
            metrics.records += 1
            lastWasMarker = false
            if sink.pendingEvents >= policy.batchSize { batchFull = true }
            return
        case .rewind(let r):
            try rewind(r, number)
            return
        case .otherControl: return
        case .invalid(let message):
            try invalid(number, message, batch: batch)
            return
        case .badMarker(let error): throw error
        }
        try checkChain(event.chainId, number)
        do { try sink.check(event) } catch {
            guard error.status == .dataError else { throw error }
            try invalid(number, error.message, batch: batch)
            return
        }
        if sink.pendingEvents == 0 { batchStarted = monotonicSeconds() }
        do {
            try sink.append(event)
        } catch  where error.status == .dataError {
            throw .data("line \(number): \(error.message)")
        }
        try counted(removed: event.removed)
    }

    private func rawLog(_ log: DecodedEvent, _ number: Int, batch: ScannedBatch) throws(ChainCastError) {
        switch policy.rawLogs {
        case .refuse:
            let topic0 = log.root["topics"]?[0].flatMap { $0.kind == .string ? $0.string() : nil }
            throw .data(
                "line \(number): a raw (undecoded) log reached the sink (block \(log.blockNumber), log index "
                    + "\(log.logIndex)\(topic0.map { ", topic0 " + $0 } ?? "")): decode it with cc-decode --abi "
                    + "(add --unknown drop to drop logs no ABI matches), or run cc-sink with --raw-logs skip "
                    + "or --raw-logs store")
        case .skip:
            metrics.rawLogsSkipped += 1
            if policy.verbose {
                Diagnostics.error(Self.tool, "line \(number): skipped a raw log (block \(log.blockNumber))")
            }
        case .store:
            try checkChain(log.chainId, number)
            do { try sink.checkRawLog(log) } catch {
                guard error.status == .dataError else { throw error }
                try invalid(number, error.message, batch: batch)
                return
            }
            if sink.pendingEvents == 0 { batchStarted = monotonicSeconds() }
            try sink.appendRawLog(log)
            try counted(removed: log.removed)
        }
    }

    private func checkChain(_ chain: UInt64?, _ number: Int) throws(ChainCastError) {
        if let c = current, let chain, chain != c.chainId {
            throw .config(
                "line \(number): event of chain \(chain), but checkpoint \(checkpointFile?.path ?? "") is for chain "
                    + "\(c.chainId); use the checkpoint file of this pipeline")
        }
    }

    /// After an event was appended: metrics, and a flush when the batch is full.
    private func counted(removed: Bool) throws(ChainCastError) {
        metrics.events += 1
        if removed { metrics.removed += 1 }
        lastWasMarker = false
        if sink.pendingEvents >= policy.batchSize { batchFull = true }
    }

    /// A line that is not a record, or an event this sink cannot store: 65,
    /// or with `--skip-invalid` counted, reported (the first
    /// `SkippedLinesFile.reportedLines` always, every one with -v) and set
    /// aside in the `--skipped` file.
    private func invalid(_ number: Int, _ message: String, batch: ScannedBatch) throws(ChainCastError) {
        guard policy.skipInvalid else {
            throw .data("line \(number): \(message)")
        }
        metrics.invalidLines += 1
        try skippedFile?.append(batch.bytes(ofLine: currentLine))
        if policy.verbose || metrics.invalidLines <= SkippedLinesFile.reportedLines {
            Diagnostics.error(Self.tool, "line \(number): skipped: \(message)")
        } else if metrics.invalidLines == SkippedLinesFile.reportedLines + 1 {
            Diagnostics.error(Self.tool, "more lines skipped; the count is in the final summary (-v shows each)")
        }
    }

    /// The closing line of a run that skipped lines (printed without -v too).
    package func reportSkipped() {
        guard metrics.invalidLines > 0 else { return }
        var s = "skipped \(metrics.invalidLines) invalid line\(metrics.invalidLines == 1 ? "" : "s") (--skip-invalid)"
        if let p = policy.skippedPath { s += "; they are in \(p)" }
        Diagnostics.error(Self.tool, s)
    }

    private func flush() throws(ChainCastError) {
        batchFull = false
        guard sink.pendingEvents > 0 else { return }
        try sink.flush()
        batchStarted = nil
        metrics.batches += 1
        metrics.write(force: false)
    }

    private func commit(_ marker: CheckpointMarker) throws(ChainCastError) {
        if let c = current {
            if marker.chainId != c.chainId || marker.filter != c.filter {
                throw .config(
                    "checkpoint \(checkpointFile?.path ?? "") is for chain \(c.chainId) filter \(c.filter), but the "
                        + "stream's markers are for chain \(marker.chainId) filter \(marker.filter): cc-fetch's "
                        + "query changed (--chain/--rpc, --address, --event, --topicN, or a --shard's K/N, chunk or "
                        + "range); use the checkpoint file of "
                        + "this pipeline (nothing was overwritten)")
            }
            // Only a checkpoint written before v1.1 has no pipeline to compare.
            if let stored = c.pipeline, stored != marker.effectivePipeline {
                throw .config(Self.pipelineChanged(checkpointFile?.path ?? "", c, marker))
            }
            // A marker at or below the checkpoint (a stream that was not
            // resumed from it) makes data durable but never moves it back.
            if marker.blockNumber <= c.blockNumber {
                try flush()
                return
            }
        }
        let hadPending = sink.pendingEvents > 0
        let state = try sink.commit(marker)
        if hadPending { metrics.batches += 1 }
        batchStarted = nil
        batchFull = false
        try writeCheckpoint(marker, state: state)
    }

    /// A rewind record: the sink retracts everything above its block, and a
    /// checkpoint above the block moves back to it (the marker naming the
    /// fork point then only makes the retraction durable), so a rerun resumes
    /// on the canonical chain instead of meeting an orphaned checkpoint.
    private func rewind(_ r: RewindRecord, _ number: Int) throws(ChainCastError) {
        try checkChain(r.chainId, number)
        if sink.pendingEvents == 0 { batchStarted = monotonicSeconds() }
        let retraction: RewindRetraction
        do { retraction = try sink.rewind(r) } catch {
            throw ChainCastError(error.status, "line \(number): \(error.message)")
        }
        metrics.rewinds += 1
        lastWasMarker = false
        // Records after the fork point were retracted with it; the canonical
        // ones that follow take their positions again, as on a rerun from it.
        let fork = Int64(clamping: r.blockNumber)
        if fork <= recordAnchor.afterBlock || recordAnchor.afterBlock < 0 {
            recordAnchor = RecordPosition(chainId: r.chainId, afterBlock: fork, ordinal: 0)
        }
        if policy.verbose { Diagnostics.error(Self.tool, "line \(number): rewind to block \(r.blockNumber)") }
        guard let checkpointFile, let c = current, r.blockNumber < c.blockNumber else { return }
        var back = r.marker(filter: c.filter)
        // The pipeline stays the checkpoint's: a rewind is not a marker and vouches for no configuration.
        back.pipeline = c.pipeline
        switch retraction {
        case .withNextCommit(let state):
            try fileWriter?.drain()
            let checkpoint = Checkpoint(marker: back, sink: state)
            try checkpointFile.write(checkpoint)
            current = checkpoint
            metrics.checkpoints += 1
            metrics.checkpointBlock = back.blockNumber
        case .asData:
            let state = try sink.commit(back)
            batchStarted = nil
            batchFull = false
            try writeCheckpoint(back, state: state)
            try fileWriter?.drain()
        }
        if policy.verbose {
            Diagnostics.error(Self.tool, "checkpoint moved back to block \(r.blockNumber) (rewind)")
        }
    }

    private func writeCheckpoint(_ marker: CheckpointMarker, state: SinkState) throws(ChainCastError) {
        let checkpoint = Checkpoint(marker: marker, sink: state)
        if let fileWriter, let sync = sink.deferredSync {
            try fileWriter.submit(checkpoint, after: sync)
        } else {
            try checkpointFile?.write(checkpoint)
            try sink.checkpointWritten()
        }
        current = checkpoint
        metrics.checkpoints += 1
        metrics.checkpointBlock = marker.blockNumber
        if policy.verbose {
            Diagnostics.error(Self.tool, "checkpoint: block \(marker.blockNumber) (\(metrics.events) events so far)")
        }
        metrics.write(force: false)
    }

    /// The refusal of a marker whose `pipeline` differs from the checkpoint's.
    /// The fold hides which stage changed, and the stream contract lets
    /// stages update nothing but `pipeline`, so this names the stage as far
    /// as the two hashes tell: a `pipeline` equal to the `filter` means no
    /// stage between cc-fetch and cc-sink folded it.
    static func pipelineChanged(_ path: String, _ c: Checkpoint, _ marker: CheckpointMarker) -> String {
        let stored = c.pipeline ?? c.filter
        let now = marker.effectivePipeline
        let what: String
        if stored == c.filter {
            what = "a stage that changes what passes was added between cc-fetch and cc-sink (cc-decode or cc-filter)"
        } else if now == marker.filter {
            what = "the stages between cc-fetch and cc-sink that changed what passes (cc-decode, cc-filter) are gone"
        } else {
            what =
                "the fetch filter is the same, so a stage between cc-fetch and cc-sink changed: cc-decode (its --abi "
                + "set or --unknown) or cc-filter (its program or options)"
        }
        return "checkpoint \(path) was written by another pipeline (\(stored); this stream's is \(now)): \(what); "
            + "use a new checkpoint file and destination for the new dataset, or the old options (the checkpoint "
            + "was not moved)"
    }
}
