import CCCore

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
/// A fresh run learns its filter from its first marker, after the first
/// range's rows: those are written with `''` and tagged when the marker is
/// committed (`untagged` says which blocks to look at). A row several
/// streams deliver (overlapping filters) belongs to the last writer, as in
/// `cc-sink postgres`.
final class SQLiteStreamScope {
    static let column = "cc_stream"
    static let columnDDL = "cc_stream TEXT NOT NULL DEFAULT ''"

    /// `''` until a checkpoint or marker names the filter.
    private(set) var tag = ""
    /// `tag`'s bytes, at a stable address: bound without a copy per row
    /// (never a null address: that binds NULL, not '').
    private var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    private var bytes: UnsafeBufferPointer<UInt8>
    /// Blocks of the rows written while `tag` was unknown, per chain.
    private(set) var untagged: [Int64: ClosedRange<Int64>] = [:]
    /// Plain records written while `tag` was unknown (ordinals 0 ..< n after no marker).
    private(set) var untaggedRecords: Int64 = 0

    init() { bytes = UnsafeBufferPointer(start: storage, count: 0) }

    deinit { storage.deallocate() }

    var isKnown: Bool { !tag.isEmpty }

    /// Sets the filter; false when it was known already (nothing to tag).
    func learn(_ filter: String) -> Bool {
        guard !isKnown, !filter.isEmpty else { return false }
        tag = filter
        let utf8 = Array(filter.utf8)
        storage.deallocate()
        storage = .allocate(capacity: utf8.count)
        storage.initialize(from: utf8, count: utf8.count)
        bytes = UnsafeBufferPointer(start: storage, count: utf8.count)
        return true
    }

    /// Binds the tag, and notes the row's block when the tag is not known yet.
    @inline(__always)
    func bind(_ s: SQLiteStatement, _ index: Int32, chain: Int64, block: Int64) {
        if !isKnown {
            let r = untagged[chain]
            untagged[chain] = min(r?.lowerBound ?? block, block)...max(r?.upperBound ?? block, block)
        }
        bindTag(s, index)
    }

    /// Binds the tag for a plain record (see `noteRecord`).
    @inline(__always)
    func bindTag(_ s: SQLiteStatement, _ index: Int32) { s.bind(index, borrowing: bytes) }

    func noteRecord() { if !isKnown { untaggedRecords += 1 } }

    func forgetUntagged() {
        untagged = [:]
        untaggedRecords = 0
    }

    /// `WHERE` condition of a rewind's delete, with the tag as parameter
    /// `?index` (see `bindRewind`): this stream's rows and those no stream
    /// has claimed (written before this column existed, or before a run's
    /// first marker); every row while the stream is unknown (a rewind with
    /// no checkpoint on this side), the spec's plain rule.
    func rewindCondition(_ index: Int) -> String {
        isKnown ? "cc_stream IN (?\(index), '')" : "?\(index) = ''"
    }

    /// Binds the tag for `rewindCondition`; a statement without the
    /// parameter ignores it.
    func bindRewind(_ s: SQLiteStatement, _ index: Int32) { s.bind(index, text: tag) }

    static func hasColumn(_ db: SQLiteConnection, table: String) throws(ChainCastError) -> Bool {
        let q = try db.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = 'cc_stream'")
        q.bind(1, text: table)
        defer { q.reset() }
        return try q.step()
    }

    /// Adds `cc_stream` to a table an earlier version created: its rows are
    /// nobody's (`''`), which every stream's rewind retracts, as before.
    static func addColumn(_ db: SQLiteConnection, table: String) throws(ChainCastError) {
        guard try !hasColumn(db, table: table) else { return }
        try db.exec("ALTER TABLE \(SQLIdentifier.quote(table)) ADD COLUMN \(columnDDL)")
    }
}
