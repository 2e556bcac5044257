import CCCore
import CCJSON
import CCStream

/// Where decoded events end up. `CheckpointCommitter` drives a sink: it hands
/// over events, asks for a flush when a batch is full or old, and at every
/// checkpoint marker asks the sink to make everything durable *with* the
/// marker, then writes the checkpoint file with the state the sink returned.
///
/// The contract that makes reruns exact: whatever a sink made durable past
/// the last checkpoint is either idempotent to receive again (SQLite upserts,
/// webhook idempotency keys) or undone on `resume` (files are truncated back
/// to the length the checkpoint recorded).
package protocol Sink: AnyObject {
    /// `sqlite`, `file` or `webhook`: the checkpoint's `sink.type`.
    var kind: String { get }

    /// Compares the checkpoint file (nil when there is none) and its `sink`
    /// object with the sink's own state and gets ready to continue after it.
    /// Throws `.config` when they contradict; nothing is modified then.
    func resume(from checkpoint: CheckpointMarker?, state: SinkState?) throws(ChainCastError)

    /// Throws `.data` (without the line number) when this sink cannot store
    /// `event` at all (a number above what it can hold, a table SQLite would
    /// refuse), before anything of it is written: the committer then treats
    /// the line as invalid, so `--skip-invalid` gets a pipeline past it
    /// instead of every rerun failing on the same event.
    func check(_ event: DecodedEvent) throws(ChainCastError)

    func append(_ event: DecodedEvent) throws(ChainCastError)

    /// A plain record (stream contract v1.1: a reshape, an aggregate row),
    /// at `position`, which identifies it across reruns.
    func appendRecord(_ record: JSONValue, at position: RecordPosition) throws(ChainCastError)

    /// `check` for a raw log about to be stored (`--raw-logs store`).
    func checkRawLog(_ log: DecodedEvent) throws(ChainCastError)

    /// A raw (undecoded) log, with `--raw-logs store`.
    func appendRawLog(_ log: DecodedEvent) throws(ChainCastError)

    /// Events appended since the last flush or commit.
    var pendingEvents: Int { get }

    /// Makes everything appended so far durable, without moving the checkpoint.
    func flush() throws(ChainCastError)

    /// Makes everything appended so far durable together with `checkpoint`
    /// and returns the state to store as the checkpoint file's `sink`.
    func commit(_ checkpoint: CheckpointMarker) throws(ChainCastError) -> SinkState

    /// A `rewind` record: retract everything held above `record.blockNumber`
    /// for its chain (rows, lines, deliveries since earlier runs included),
    /// counting as one pending event. Says how a checkpoint that moves back
    /// to the rewind's block must be ordered with the retraction.
    func rewind(_ record: RewindRecord) throws(ChainCastError) -> RewindRetraction

    /// Nil when `commit` returns with the data on disk. Otherwise the data
    /// is only safe from a killed process when `commit` returns, and on disk
    /// once this file is synced: `CheckpointCommitter` then syncs it and
    /// writes the checkpoint file on a thread of its own while the sink goes
    /// on (and does not call `checkpointWritten`).
    var deferredSync: FileSync? { get }

    /// The checkpoint file returned by the last `commit` is durably in place.
    func checkpointWritten() throws(ChainCastError)

    /// End of input, after a final flush. `cleanEnd`: the last record was a
    /// checkpoint marker, so nothing past the checkpoint was written. Returns
    /// a new `sink` state when finishing changed what the checkpoint must
    /// record (the file sink completes its files), else nil.
    func finish(cleanEnd: Bool) throws(ChainCastError) -> SinkState?
}

/// Where a plain record sits in the stream. Upstream stages are
/// deterministic, so a rerun from the same checkpoint sends the same records
/// in the same order: the checkpoint marker a record follows and its ordinal
/// after that marker name it, which lets a sink store it exactly once.
package struct RecordPosition: Sendable, Equatable {
    /// The chain of that marker (0 when unknown).
    package var chainId: UInt64
    /// The block of the last marker before the record, or of the checkpoint
    /// the run resumed from; -1 before any.
    package var afterBlock: Int64
    /// 0 for the first record after that marker.
    package var ordinal: Int64

    package init(chainId: UInt64, afterBlock: Int64, ordinal: Int64) {
        self.chainId = chainId
        self.afterBlock = afterBlock
        self.ordinal = ordinal
    }
}

/// How a sink's retraction of a rewind becomes durable, which decides
/// whether a checkpoint moving back to the rewind's block is written before
/// it or after it. Either way a kill at any moment leaves a checkpoint at or
/// below the data, so the rerun's own rewind finishes the retraction.
package enum RewindRetraction {
    /// Inside the sink's open transaction, committed with the next
    /// checkpoint (SQLite): the file moving back (with this `sink` state) is
    /// written first, since the retraction may be committed by a batch flush.
    case withNextCommit(state: SinkState)
    /// As data (a line in a file, a webhook delivery): committed first, then
    /// the checkpoint names it.
    case asData
}

extension Sink {
    package func check(_ event: DecodedEvent) throws(ChainCastError) {}
    package func checkRawLog(_ log: DecodedEvent) throws(ChainCastError) {}
    package func appendRecord(_ record: JSONValue, at position: RecordPosition) throws(ChainCastError) {
        throw .data("the \(kind) sink cannot store records that are not events")
    }
    package func appendRawLog(_ log: DecodedEvent) throws(ChainCastError) { try append(log) }
    package var deferredSync: FileSync? { nil }
    package func checkpointWritten() throws(ChainCastError) {}
    package func finish(cleanEnd: Bool) throws(ChainCastError) -> SinkState? { nil }
}

extension SinkState {
    /// Refuses a checkpoint that another kind of sink wrote.
    func expectType(_ kind: String) throws(ChainCastError) {
        guard let found = type else { throw .config("checkpoint file's \"sink\" object has no \"type\"") }
        if found != kind {
            throw .config(
                "checkpoint file was written by the \(found) sink, not the \(kind) sink; use another --checkpoint file")
        }
    }
}
