import CCCore
import CCStream

#if canImport(Glibc)
    import Glibc
#endif

/// Which stream wrote a row of the SQLite sink, so that one stream's rewind
/// retracts only its own rows.
///
/// Several pipelines may write one database (one per token, each with its
/// own checkpoint file: `cc_checkpoint` has a row per chain and filter). A
/// resuming cc-fetch sends a rewind at its checkpoint, and a rewind that
/// deleted every row above its block for the chain deleted the other
/// pipelines' rows too, with exit 0. Every row therefore carries `cc_stream`,
/// the filter of the markers its run carries (the checkpoint's identity in
/// this database), and rewinds, checkpoint moves and record keys are scoped
/// by it.
///
/// A fresh run with a checkpoint learns its filter from its first marker,
/// after the first range's rows (which a batch flush may commit): those are
/// written under `pendingTag`, a name of this pipeline's own (its checkpoint
/// file's path), and the marker's commit makes them the stream's. No other
/// pipeline's rewind touches them, a rerun after a kill writes the same
/// keys, and this pipeline's rewinds retract them. (Holding them uncommitted
/// instead would hold SQLite's one write lock, and every other pipeline's
/// commits, until that marker.) Without a checkpoint on the sink's side a
/// run has no stream: its rows are `''`, nobody's, and its rewinds retract
/// every row above their block, the stream contract's plain rule. Rows
/// written before this column existed are `''` too, and no stream's rewind
/// deletes them. A row several streams deliver (overlapping filters)
/// belongs to the last writer, as in `cc-sink postgres`.
package final class SQLiteStreamScope {
    static let column = "cc_stream"
    static let columnDDL = "cc_stream TEXT NOT NULL DEFAULT ''"
    /// `''` (no checkpoint), `pendingTag`, or the markers' filter.
    private(set) var tag = ""
    /// This pipeline's rows before its filter is known: `pending:` and a hash
    /// of the checkpoint file's absolute path.
    private(set) var pendingTag = ""
    /// `tag`'s bytes, at a stable address: bound without a copy per row
    /// (never a null address: that binds NULL, not '').
    private var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    private var bytes: UnsafeBufferPointer<UInt8>
    /// Plain records written as nobody's in this run (ordinals 0 ..< n after no marker).
    private(set) var unanchoredRecords: Int64 = 0
    /// Blocks of the rows written as `pending`: where the first marker's
    /// commit finds them (through the block-number index, not a scan).
    private(set) var pendingBlocks: ClosedRange<Int64>?

    init() { bytes = UnsafeBufferPointer(start: storage, count: 0) }

    deinit { storage.deallocate() }

    /// The run has a checkpoint, so it is a stream: `pending` until its filter is known.
    var hasStream: Bool { !tag.isEmpty }
    var isPending: Bool { !pendingTag.isEmpty && tag == pendingTag }

    /// A checkpoint file was given: the filter comes from it, or from the first marker.
    func expectStream(filter: String?, checkpointPath: String) {
        pendingTag = "pending:" + StreamID.of(Self.canonicalPath(checkpointPath))
        set(filter.flatMap { $0.isEmpty ? nil : $0 } ?? pendingTag)
    }

    /// A marker names the filter; true when the rows so far were `pending`.
    func learn(_ filter: String) -> Bool {
        guard isPending, !filter.isEmpty else { return false }
        set(filter)
        return true
    }

    /// After the pending rows became the stream's.
    func forgetPending() { pendingBlocks = nil }

    /// One spelling per file (`x.ck`, `./x.ck`, `../d/x.ck`, `/d//x.ck`): the
    /// directory resolved by realpath(3) (it exists: the checkpoint is
    /// written there), then the file name.
    package static func canonicalPath(_ path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let resolved = realpath(dir, nil) else { return path }
        defer { free(resolved) }
        let d = String(cString: resolved)
        return (d == "/" ? "" : d) + "/" + name
    }

    private func set(_ t: String) {
        tag = t
        let utf8 = Array(t.utf8)
        storage.deallocate()
        storage = .allocate(capacity: max(utf8.count, 1))
        storage.initialize(from: utf8, count: utf8.count)
        bytes = UnsafeBufferPointer(start: storage, count: utf8.count)
    }

    /// Binds the tag (bound in place: the statement is stepped before the tag changes).
    @inline(__always)
    func bind(_ s: SQLiteStatement, _ index: Int32) { s.bind(index, borrowing: bytes) }

    /// `bind` for a log's row, noting its block while the tag is `pending`.
    @inline(__always)
    func bind(_ s: SQLiteStatement, _ index: Int32, block: Int64) {
        if isPending {
            pendingBlocks =
                min(pendingBlocks?.lowerBound ?? block, block)...max(pendingBlocks?.upperBound ?? block, block)
        }
        s.bind(index, borrowing: bytes)
    }

    func noteRecord() { if !hasStream { unanchoredRecords += 1 } }

    /// `WHERE` condition of a rewind's delete, with the tags as parameters
    /// `?index` and `?index+1` (see `bindRewind`): this stream's rows, also
    /// those its pipeline wrote before a first marker; every row for a run
    /// without a stream.
    func rewindCondition(_ index: Int) -> String {
        hasStream ? "cc_stream IN (?\(index), ?\(index + 1))" : "?\(index) = ''"
    }

    /// Binds the tags for `rewindCondition`; a statement without the
    /// parameters ignores them.
    func bindRewind(_ s: SQLiteStatement, _ index: Int32) {
        s.bind(index, text: tag)
        s.bind(index + 1, text: pendingTag)
    }

    static func hasColumn(_ db: SQLiteConnection, table: String) throws(ChainCastError) -> Bool {
        let q = try db.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = 'cc_stream'")
        q.bind(1, text: table)
        defer { q.reset() }
        return try q.step()
    }

    /// Adds `cc_stream` to a table an earlier version created: its rows are
    /// nobody's (`''`).
    static func addColumn(_ db: SQLiteConnection, table: String) throws(ChainCastError) {
        guard try !hasColumn(db, table: table) else { return }
        try db.exec("ALTER TABLE \(SQLIdentifier.quote(table)) ADD COLUMN \(columnDDL)")
    }
}
