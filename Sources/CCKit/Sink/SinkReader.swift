import CCCore
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads and parses the sink's input on a thread of its own, so that parsing
/// overlaps with writing: at full speed SQLite's B-trees and fsyncs take most
/// of one core, and reading and scanning the JSON a good part of another.
///
/// Batches come back in input order. At most `depth` batches exist, so a slow
/// sink slows the reader (and, through the pipe, upstream) instead of growing
/// memory. The reader stops at end of input, at SIGINT/SIGTERM (within the
/// 250 ms it waits for input at a time), on a read error (handed over after
/// the lines before it), or when the consumer calls `stop`.
final class SinkReader: @unchecked Sendable {
    // @unchecked: `ready`, `free`, `ended`, `failure` and `cancelled` are only
    // touched with `monitor` held. `input` is only used by the reader thread
    // once it runs. A batch belongs to one side at a time: the reader fills
    // one it took from `free`; the consumer reads one `next` returned until
    // it hands it back with `recycle`; the monitor orders those hand-overs.
    enum Next {
        case batch(ScannedBatch)
        case timeout
        case end
    }

    private let input: LineReader
    private let monitor = Monitor()
    private var ready: [ScannedBatch] = []
    private var free: [ScannedBatch]
    private var ended = false
    private var failure: ChainCastError?
    private var cancelled = false
    private var thread: WorkerThread?

    /// `rows`: also classify the lines and prepare events as `EventRow`s
    /// with these columns on the reader thread (for a `RowSink`).
    init(input: LineReader, depth: Int = 4, rows: EventRow.Columns? = nil) {
        self.input = input
        free = (0..<max(depth, 1)).map { _ in
            let b = ScannedBatch()
            b.rowColumns = rows
            return b
        }
    }

    func start() throws(ChainCastError) {
        thread = try WorkerThread("input reader") { self.readLoop() }
    }

    /// Stops the reader (if it still runs) and waits for it. Idempotent.
    func stop() {
        monitor.signal {
            cancelled = true
        }
        thread?.join()
    }

    /// The next batch in input order; `.timeout` when none came within
    /// `timeoutMilliseconds`; `.end` after the last one. Throws the reader's
    /// error once every batch before it was returned.
    func next(timeoutMilliseconds: Int32) throws(ChainCastError) -> Next {
        let deadline = Monitor.deadline(milliseconds: timeoutMilliseconds)
        return try monitor.locked { () throws(ChainCastError) -> Next in
            while ready.isEmpty && !ended {
                if !monitor.wait(until: deadline) && ready.isEmpty && !ended { return .timeout }
            }
            if !ready.isEmpty { return .batch(ready.removeFirst()) }
            if let failure { throw failure }
            return .end
        }
    }

    /// Hands a batch `next` returned back for reuse; hold no view into it.
    func recycle(_ batch: ScannedBatch) {
        batch.reset()
        monitor.signal {
            free.append(batch)
        }
    }

    private func readLoop() {
        while true {
            guard let batch = takeFree() else { return }
            if SignalState.shouldStop {
                publish(batch, end: true, failure: nil)
                return
            }
            var outcome = LineReader.Outcome.data
            var failure: ChainCastError?
            do {
                outcome = try input.nextLines(timeoutMilliseconds: 250) { line, number in
                    batch.add(line, number: number)
                }
            } catch {
                failure = error
            }
            batch.takeLines(from: input)
            batch.scan()
            let end = outcome == .eof || failure != nil
            publish(batch, end: end, failure: failure)
            if end { return }
        }
    }

    /// A batch to fill, or nil once the consumer stopped us.
    private func takeFree() -> ScannedBatch? {
        monitor.locked {
            while free.isEmpty && !cancelled { monitor.wait() }
            return cancelled ? nil : free.removeLast()
        }
    }

    private func publish(_ batch: ScannedBatch, end: Bool, failure: ChainCastError?) {
        monitor.signal {
            if batch.isEmpty { free.append(batch) } else { ready.append(batch) }
            if end {
                ended = true
                self.failure = failure
            }
        }
    }
}
