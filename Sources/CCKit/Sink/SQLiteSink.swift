import CCCore
import CCJSON
import CCStream

/// Writes decoded events into one SQLite table (`events` unless `--table`),
/// optionally also into one typed table per event signature.
///
/// One transaction per batch. The checkpoint marker's block is written to
/// `cc_checkpoint` inside the transaction that holds the data it covers, so
/// the database alone always knows how far it is complete; the checkpoint
/// file is written after that commit. Inserts are upserts on the log's
/// identity (see `uniqueKey`), which makes receiving an event twice harmless;
/// `"removed": true` deletes the row.
package final class SQLiteSink: Sink, RowSink {
    package struct Options: Sendable {
        package var path: String
        package var table: String = "events"
        package var perEventTables: Bool = false
        /// The table for plain records (`RecordTable`).
        package var recordsTable: String = "records"
        /// The checkpoint file: names a fresh stream's rows before its first
        /// marker (`SQLiteStreamScope.pendingTag`).
        package var checkpointPath: String?
        /// How long a write waits for a reader or another writer holding a lock.
        package var busyTimeoutMilliseconds: Int32 = 10_000
        /// Log size that starts a background checkpoint (`WALCheckpointer`);
        /// the log is started over at about twice that.
        var walCheckpointBytes = 32 << 20

        package init(path: String) { self.path = path }
    }

    package let kind = "sqlite"
    let options: Options
    let db: SQLiteConnection
    let tableName: String
    private let insert: SQLiteStatement
    private let delete: SQLiteStatement
    private let saveCheckpoint: SQLiteStatement
    private let loadCheckpoint: SQLiteStatement
    private var perEvent: PerEventTables?
    /// Created with the first record that needs them.
    private var records: RecordTable?
    private var rawLogs: RawLogTable?
    private let checkpointer: WALCheckpointer
    /// The log, to sync before a checkpoint file names what it holds.
    private let walSync: FileSync
    private let begin: SQLiteStatement
    private let commitStatement: SQLiteStatement
    package private(set) var pendingEvents = 0
    var binder = TextBinder()
    /// Text of rows prepared here (`append(_:)`) that is not in the line.
    private let side = SideBuffer()
    private let numeric = NumericArgs()
    /// Which stream this run's rows belong to (`cc_stream`).
    let scope = SQLiteStreamScope()

    /// Rows written (upserted) and deleted, for metrics.
    package private(set) var insertedTotal = 0
    package private(set) var deletedTotal = 0

    /// The unique key of every table the sink writes: a log is
    /// `(chain_id, block_hash, log_index)`, and since a block hash fixes its
    /// block number, putting `block_number` in front identifies the same
    /// rows. In block order the key then appends at the end of its index,
    /// where a key led by the hash lands at a random place (2.5x the cost of
    /// an insert: see the README), and it serves block-number range queries,
    /// so it is also the block_number index.
    package static let uniqueKey = "block_number, chain_id, block_hash, log_index"
    /// Databases written before the key above; still written correctly.
    static let legacyUniqueKey = "chain_id, block_hash, log_index"

    package static let baseColumns = [
        "chain_id", "block_number", "block_hash", "block_timestamp", "transaction_hash", "transaction_index",
        "log_index", "address",
    ]

    package init(_ options: Options) throws(ChainCastError) {
        self.options = options
        db = try SQLiteConnection(path: options.path)
        tableName = options.table
        try db.exec("PRAGMA busy_timeout = \(options.busyTimeoutMilliseconds)")
        // A new database gets 64 KiB pages: fewer, larger WAL frames and
        // shallower B-trees (22% less time per event than 16 KiB, 35% less
        // than the 4 KiB default). An existing file keeps its page size.
        if try db.query("PRAGMA page_count") == [["0"]] { try db.exec("PRAGMA page_size = 65536") }
        let mode = try db.prepare("PRAGMA journal_mode = WAL")
        let walOK = try mode.step() && mode.text(0)?.lowercased() == "wal"
        mode.reset()
        if !walOK {
            throw .io("SQLite database \(options.path): cannot switch to WAL mode (is it on a network file system?)")
        }
        // NORMAL: a COMMIT writes the log without waiting for the disk; what
        // a checkpoint names is synced before the file is written (see
        // `deferredSync`), and a killed process loses nothing either way.
        // A large page cache keeps the indexes' working set in memory (SQLite
        // allocates it only as pages are used). No automatic checkpoint: the
        // `WALCheckpointer` does it beside the writer.
        try db.exec(
            """
            PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;
            PRAGMA wal_autocheckpoint = 0
            """)
        let t = SQLIdentifier.quote(options.table)
        let base = SQLIdentifier.sanitize(options.table)
        try db.exec(
            """
            BEGIN IMMEDIATE;
            CREATE TABLE IF NOT EXISTS \(t) (
              chain_id INTEGER NOT NULL, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL,
              block_timestamp INTEGER, transaction_hash TEXT, transaction_index INTEGER,
              log_index INTEGER NOT NULL, address TEXT COLLATE NOCASE, event TEXT, signature TEXT, args TEXT,
              \(SQLiteStreamScope.columnDDL));
            """)
        do {
            try Self.checkColumns(db, table: options.table)
            try SQLiteStreamScope.addColumn(db, table: options.table)
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
        try db.exec(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS \(SQLIdentifier.quote(base + "_block_number"))
              ON \(t)(\(Self.uniqueKey));
            CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(base + "_address")) ON \(t)(address);
            CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(base + "_event")) ON \(t)(event);
            CREATE TABLE IF NOT EXISTS cc_checkpoint (
              chain_id INTEGER NOT NULL, filter TEXT NOT NULL, block_number INTEGER NOT NULL,
              block_hash TEXT NOT NULL, updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
              PRIMARY KEY (chain_id, filter));
            """)
        // v1.1 markers' pipeline (see `PipelineHash`); added to older databases.
        if try db.query("SELECT 1 FROM pragma_table_info('cc_checkpoint') WHERE name = 'pipeline'").isEmpty {
            try db.exec("ALTER TABLE cc_checkpoint ADD COLUMN pipeline TEXT")
        }
        try db.exec("COMMIT")
        insert = try Self.prepareUpsert(
            db, table: t,
            columns: Self.baseColumns + ["event", "signature", "args", SQLiteStreamScope.column])
        delete = try db.prepare(Self.deleteStatement(table: t))
        saveCheckpoint = try db.prepare(
            """
            INSERT INTO cc_checkpoint (chain_id, filter, block_number, block_hash, updated_at, pipeline)
            VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?5)
            ON CONFLICT (chain_id, filter) DO UPDATE SET block_number = excluded.block_number,
              block_hash = excluded.block_hash, updated_at = excluded.updated_at, pipeline = excluded.pipeline
            """)
        loadCheckpoint = try db.prepare(
            "SELECT block_number, block_hash FROM cc_checkpoint WHERE chain_id = ?1 AND filter = ?2")
        begin = try db.prepare("BEGIN IMMEDIATE")
        commitStatement = try db.prepare("COMMIT")
        if options.perEventTables {
            perEvent = try PerEventTables(
                db: db, mainTable: options.table, reserved: [options.recordsTable, RawLogTable.name], scope: scope)
        }
        walSync = try FileSync(path: db.walPath)
        // Last: nothing may throw once its thread runs.
        let pageSize = (try db.query("PRAGMA page_size").first?.first ?? nil).flatMap { Int($0) } ?? 4096
        checkpointer = try WALCheckpointer(
            writer: db, thresholdFrames: Int32(clamping: options.walCheckpointBytes / max(pageSize, 512)))
    }

    deinit { checkpointer.stop() }

    /// `INSERT … ON CONFLICT DO UPDATE` of `columns` (bound as ?1, ?2, … in
    /// that order), against the unique key, or the legacy key on a table an
    /// earlier version created.
    static func prepareUpsert(_ db: SQLiteConnection, table: String, columns: [String]) throws(ChainCastError)
        -> SQLiteStatement
    {
        let params = (1...columns.count).map { "?\($0)" }.joined(separator: ", ")
        func upsert(_ key: String) -> String {
            let keyColumns = key.split(separator: ",").map { String($0.drop(while: { $0 == " " })) }
            let updates = columns.filter { !keyColumns.contains($0) }.map { "\($0) = excluded.\($0)" }
            return """
                INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(params))
                ON CONFLICT (\(key)) DO UPDATE SET \(updates.joined(separator: ", "))
                """
        }
        do { return try db.prepare(upsert(uniqueKey)) } catch { return try db.prepare(upsert(legacyUniqueKey)) }
    }

    /// Deletes one log's row: ?1 chain, ?2 block hash, ?3 log index, ?4 block
    /// number (which the unique key needs to find it).
    static func deleteStatement(table: String) -> String {
        "DELETE FROM \(table) WHERE block_number = ?4 AND chain_id = ?1 AND block_hash = ?2 AND log_index = ?3"
    }

    /// An existing table of that name must be one we can write: refuse a
    /// user's unrelated table instead of failing on the first insert.
    static func checkColumns(_ db: SQLiteConnection, table: String) throws(ChainCastError) {
        let info = try db.prepare("SELECT name FROM pragma_table_info(?1)")
        info.bind(1, text: table)
        var have = Set<String>()
        while try info.step() { if let n = info.text(0) { have.insert(n.lowercased()) } }
        info.reset()
        let need = baseColumns + ["event", "signature", "args"]
        if let missing = need.first(where: { !have.contains($0) }) {
            throw .config(
                "table \(table) in \(db.path) is not an events table (it has no column \(missing)); choose another --table"
            )
        }
    }

    /// The checkpoint the database holds for a chain and filter.
    package func storedCheckpoint(chainId: UInt64, filter: String) throws(ChainCastError) -> (
        blockNumber: UInt64, blockHash: String
    )? {
        loadCheckpoint.bind(1, int: Int64(bitPattern: chainId))
        loadCheckpoint.bind(2, text: filter)
        defer { loadCheckpoint.reset() }
        guard try loadCheckpoint.step() else { return nil }
        return (UInt64(bitPattern: loadCheckpoint.int(0)), loadCheckpoint.text(1) ?? "")
    }

    package func resume(from checkpoint: CheckpointMarker?, state: SinkState?) throws(ChainCastError) {
        // Called only with a checkpoint file: the run is a stream.
        scope.expectStream(filter: checkpoint?.filter, checkpointPath: options.checkpointPath ?? "")
        guard let checkpoint else {
            try dropEarlierPending()
            return
        }
        if let state { try state.expectType("sqlite") }
        // The database commits its checkpoint row before the file is written,
        // so the file may lag behind the database (a kill in between) but
        // never be ahead of it.
        guard let stored = try storedCheckpoint(chainId: checkpoint.chainId, filter: checkpoint.filter) else {
            throw .config(
                "checkpoint file names block \(checkpoint.blockNumber) of chain \(checkpoint.chainId), but "
                    + "\(options.path) has no checkpoint for that chain and filter: is this the database "
                    + "the checkpoint was written for?")
        }
        if stored.blockNumber < checkpoint.blockNumber {
            throw .config(
                "checkpoint file is at block \(checkpoint.blockNumber), but \(options.path) only has data up to "
                    + "block \(stored.blockNumber): the database was replaced or restored; use a fresh checkpoint file")
        }
        if stored.blockNumber == checkpoint.blockNumber
            && stored.blockHash.lowercased() != checkpoint.blockHash.lowercased()
        {
            throw .config(
                "checkpoint file names block \(checkpoint.blockNumber) with hash \(checkpoint.blockHash), "
                    + "but \(options.path) committed hash \(stored.blockHash) for that block")
        }
    }

    package func check(_ e: DecodedEvent) throws(ChainCastError) {
        try SQLiteLimits.checkIntegers(
            chainId: e.chainId, blockNumber: e.blockNumber, blockTimestamp: e.blockTimestamp,
            transactionIndex: e.transactionIndex, logIndex: e.logIndex)
        if let perEvent {
            try ensureTransaction()
            try perEvent.prepare(e)
        }
    }

    package func checkRawLog(_ log: DecodedEvent) throws(ChainCastError) {
        try SQLiteLimits.checkIntegers(
            chainId: log.chainId, blockNumber: log.blockNumber, blockTimestamp: log.blockTimestamp,
            transactionIndex: log.transactionIndex, logIndex: log.logIndex, what: "raw log")
    }

    func check(row r: EventRow) throws(ChainCastError) {
        try SQLiteLimits.checkIntegers(
            chainId: r.chainId, blockNumber: r.blockNumber, blockTimestamp: r.blockTimestamp,
            transactionIndex: r.transactionIndex, logIndex: r.logIndex)
    }

    private func ensureTransaction() throws(ChainCastError) {
        if !db.isInTransaction { try begin.run() }
    }

    package func append(_ e: DecodedEvent) throws(ChainCastError) {
        side.reset()
        let line = e.root.tape.base
        try write(EventRow(e, lineBase: line, side: side, numeric: numeric), line: line, side: side)
        if let perEvent {
            try rolledBackOnError { () throws(ChainCastError) in
                try perEvent.apply(e, chainId: Int64(bitPattern: e.chainId ?? 0), binder: &binder)
            }
        }
        pendingEvents += 1
    }

    package func appendRecord(_ record: JSONValue, at position: RecordPosition) throws(ChainCastError) {
        try ensureTransaction()
        try rolledBackOnError { () throws(ChainCastError) in
            if records == nil { records = try RecordTable(db: db, name: options.recordsTable, scope: scope) }
            try records!.append(record, at: position, binder: &binder)
        }
        pendingEvents += 1
    }

    package func appendRawLog(_ log: DecodedEvent) throws(ChainCastError) {
        try ensureTransaction()
        try rolledBackOnError { () throws(ChainCastError) in
            if rawLogs == nil { rawLogs = try RawLogTable(db: db, scope: scope) }
            try rawLogs!.append(log, binder: &binder)
        }
        pendingEvents += 1
    }

    /// Rows are prepared on the reader thread unless per-event tables need
    /// the whole event.
    var rowColumns: EventRow.Columns? { perEvent == nil ? .all : nil }

    /// `append` for a row the reader thread prepared.
    func append(row: EventRow, from batch: ScannedBatch) throws(ChainCastError) {
        try write(row, line: batch.lineBase, side: batch.side)
        pendingEvents += 1
    }

    /// Upserts (or, for a removal, deletes) one row of the events table:
    /// bind and step, nothing else.
    private func write(_ r: EventRow, line: UnsafePointer<UInt8>, side: SideBuffer) throws(ChainCastError) {
        try ensureTransaction()
        let chain = Int64(bitPattern: r.chainId ?? 0)
        if r.removed {
            delete.bind(1, int: chain)
            bindText(delete, 2, r.blockHash.bytes(line: line, side: side))
            delete.bind(3, int: Int64(bitPattern: r.logIndex))
            delete.bind(4, int: Int64(bitPattern: r.blockNumber))
            try rolledBackOnError { () throws(ChainCastError) in try delete.run() }
            deletedTotal += db.changes
        } else {
            insert.bind(1, int: chain)
            insert.bind(2, int: Int64(bitPattern: r.blockNumber))
            bindText(insert, 3, r.blockHash.bytes(line: line, side: side))
            if let ts = r.blockTimestamp { insert.bind(4, int: Int64(bitPattern: ts)) } else { insert.bindNull(4) }
            bindText(insert, 5, r.transactionHash.bytes(line: line, side: side))
            if let ti = r.transactionIndex { insert.bind(6, int: Int64(bitPattern: ti)) } else { insert.bindNull(6) }
            insert.bind(7, int: Int64(bitPattern: r.logIndex))
            bindText(insert, 8, r.address.bytes(line: line, side: side))
            bindText(insert, 9, r.event.bytes(line: line, side: side))
            bindText(insert, 10, r.signature.bytes(line: line, side: side))
            bindText(insert, 11, r.args.bytes(line: line, side: side))
            scope.bind(insert, 12, block: Int64(bitPattern: r.blockNumber))
            try rolledBackOnError { () throws(ChainCastError) in try insert.run() }
            insertedTotal += 1
        }
    }

    /// The batch outlives the step, and every parameter is bound before each
    /// step: bound in place (see `SQLiteStatement.bind(_:borrowing:)`).
    @inline(__always)
    private func bindText(_ s: SQLiteStatement, _ index: Int32, _ text: UnsafeBufferPointer<UInt8>?) {
        if let text { s.bind(index, borrowing: text) } else { s.bindNull(index) }
    }

    /// A failed statement (disk full, read-only) abandons the batch: roll back
    /// so the database is exactly its last commit, then report.
    private func rolledBackOnError(_ body: () throws(ChainCastError) -> Void) throws(ChainCastError) {
        do { try body() } catch {
            if db.isInTransaction { try? db.exec("ROLLBACK") }
            pendingEvents = 0
            throw error
        }
    }

    package func flush() throws(ChainCastError) {
        guard db.isInTransaction else {
            pendingEvents = 0
            return
        }
        try rolledBackOnError { () throws(ChainCastError) in try commitStatement.run() }
        pendingEvents = 0
    }

    package func commit(_ checkpoint: CheckpointMarker) throws(ChainCastError) -> SinkState {
        try SQLiteLimits.checkMarker(checkpoint)
        try ensureTransaction()
        if scope.learn(checkpoint.filter) {
            try rolledBackOnError { () throws(ChainCastError) in try claimPending(as: scope.tag) }
        }
        saveCheckpoint.bind(1, int: Int64(bitPattern: checkpoint.chainId))
        saveCheckpoint.bind(2, text: checkpoint.filter)
        saveCheckpoint.bind(3, int: Int64(bitPattern: checkpoint.blockNumber))
        saveCheckpoint.bind(4, text: checkpoint.blockHash)
        saveCheckpoint.bind(5, text: checkpoint.effectivePipeline)
        try rolledBackOnError { () throws(ChainCastError) in try saveCheckpoint.run() }
        try flush()
        return state()
    }

    /// A fresh run starts over from its `--from`: what an earlier fresh run
    /// of this pipeline wrote before it was killed, ahead of any marker, is
    /// written again, except rows of blocks a reorg has replaced since, which
    /// nothing else would retract (no checkpoint, so no rewind).
    private func dropEarlierPending() throws(ChainCastError) {
        var tables = try logTables()
        if try SQLiteStreamScope.hasColumn(db, table: options.recordsTable) { tables.append(options.recordsTable) }
        try ensureTransaction()
        try rolledBackOnError { () throws(ChainCastError) in
            for t in tables {
                let d = try db.prepare("DELETE FROM \(SQLIdentifier.quote(t)) WHERE cc_stream = ?1")
                d.bind(1, text: scope.pendingTag)
                try d.run()
            }
        }
        try flush()
    }

    /// The tables of logs whose rows carry `cc_stream`: events, the per-event
    /// tables, and `raw_logs` when there is one.
    private func logTables() throws(ChainCastError) -> [String] {
        let tables = [tableName] + (perEvent?.tableNames ?? [])
        return try SQLiteStreamScope.hasColumn(db, table: RawLogTable.name) ? tables + [RawLogTable.name] : tables
    }

    /// The first marker names the stream: the rows this pipeline wrote
    /// before it (the first range of a fresh run) are its rows.
    private func claimPending(as tag: String) throws(ChainCastError) {
        if let blocks = scope.pendingBlocks {
            for t in try logTables() {
                let claim = try db.prepare(
                    """
                    UPDATE \(SQLIdentifier.quote(t)) SET cc_stream = ?1
                    WHERE block_number BETWEEN ?2 AND ?3 AND cc_stream = ?4
                    """)
                claim.bind(1, text: tag)
                claim.bind(2, int: blocks.lowerBound)
                claim.bind(3, int: blocks.upperBound)
                claim.bind(4, text: scope.pendingTag)
                try claim.run()
            }
        }
        try records?.claimPending(as: tag)
        scope.forgetPending()
    }

    /// The checkpoint file's `sink` object.
    private func state() -> SinkState { .sqlite(table: tableName) }

    /// Deletes every row above the block for the chain, in the events table
    /// and the per-event tables, and moves a stored checkpoint above it back
    /// to it, all in the open transaction: the next commit (the fork point's
    /// marker) makes retraction and checkpoint durable together.
    package func rewind(_ r: RewindRecord) throws(ChainCastError) -> RewindRetraction {
        try ensureTransaction()
        let chain = Int64(bitPattern: r.chainId)
        let above = Int64(bitPattern: r.blockNumber)
        try rolledBackOnError { () throws(ChainCastError) in
            let delete = try db.prepare(
                "DELETE FROM \(SQLIdentifier.quote(tableName)) WHERE block_number > ?1 AND chain_id = ?2 AND "
                    + scope.rewindCondition(3))
            delete.bind(1, int: above)
            delete.bind(2, int: chain)
            scope.bindRewind(delete, 3)
            try delete.run()
            deletedTotal += db.changes
            try perEvent?.rewind(chainId: chain, above: above)
            try retractSideTables(chain: chain, above: above)
            // This stream's checkpoint only (any, when the stream is unknown).
            let move = try db.prepare(
                """
                UPDATE cc_checkpoint SET block_number = ?1, block_hash = ?2,
                  updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
                WHERE chain_id = ?3 AND block_number > ?1 AND (?4 = '' OR filter = ?4)
                """)
            move.bind(1, int: above)
            move.bind(2, text: r.blockHash)
            move.bind(3, int: chain)
            move.bind(4, text: scope.tag)
            try move.run()
        }
        pendingEvents += 1
        return .withNextCommit(state: state())
    }

    /// Raw logs above the block, and plain records that follow a marker at or
    /// above it (a plain record carries no block of its own: its position is
    /// the marker before it). The tables may come from an earlier run, so
    /// they are looked up, not taken from this run's state.
    private func retractSideTables(chain: Int64, above: Int64) throws(ChainCastError) {
        let exists = try db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")
        func has(_ name: String) throws(ChainCastError) -> Bool {
            exists.bind(1, text: name)
            defer { exists.reset() }
            return try exists.step()
        }
        // A table written before `cc_stream` existed (a records table keeps its old key) is retracted whole.
        func scoped(_ table: String, _ index: Int) throws(ChainCastError) -> String {
            try SQLiteStreamScope.hasColumn(db, table: table) ? " AND " + scope.rewindCondition(index) : ""
        }
        if try has(RawLogTable.name) {
            let d = try db.prepare(
                "DELETE FROM \(SQLIdentifier.quote(RawLogTable.name)) WHERE block_number > ?1 AND chain_id = ?2"
                    + (try scoped(RawLogTable.name, 3)))
            d.bind(1, int: above)
            d.bind(2, int: chain)
            scope.bindRewind(d, 3)
            try d.run()
        }
        if try has(options.recordsTable) {
            let d = try db.prepare(
                "DELETE FROM \(SQLIdentifier.quote(options.recordsTable)) WHERE cc_after_block >= ?1 AND cc_chain_id = ?2"
                    + (try scoped(options.recordsTable, 3)))
            d.bind(1, int: above)
            d.bind(2, int: chain)
            scope.bindRewind(d, 3)
            try d.run()
            // A record that names its block (a --map keeping blockNumber) is above the
            // rewind by that block, also after an earlier marker.
            let lookup = try db.prepare(
                "SELECT column_name FROM cc_event_columns WHERE table_name = ?1 AND arg_name = 'blockNumber'")
            lookup.bind(1, text: options.recordsTable)
            let named = try lookup.step() ? lookup.text(0) : nil
            lookup.reset()
            if let column = named {
                let c = SQLIdentifier.quote(column)
                let byBlock = try db.prepare(
                    "DELETE FROM \(SQLIdentifier.quote(options.recordsTable)) WHERE cc_chain_id IN (?2, 0) AND "
                        + "typeof(\(c)) IN ('integer', 'text') AND CAST(\(c) AS INTEGER) > ?1"
                        + (try scoped(options.recordsTable, 3)))
                byBlock.bind(1, int: above)
                byBlock.bind(2, int: chain)
                scope.bindRewind(byBlock, 3)
                try byBlock.run()
            }
        }
    }

    /// A commit is in the log (safe from a killed process) when `commit`
    /// returns; syncing the log makes it safe from a power cut.
    package var deferredSync: FileSync? { walSync }

    package func finish(cleanEnd: Bool) throws(ChainCastError) -> SinkState? {
        if cleanEnd, !scope.hasStream, scope.unanchoredRecords > 0, let records {
            try ensureTransaction()
            try rolledBackOnError { () throws(ChainCastError) in
                try records.dropEarlierUnanchored(from: scope.unanchoredRecords)
            }
        }
        try flush()
        // Fold the WAL back into the database so a copied .db file is complete.
        checkpointer.stop()
        db.checkpointPassive()
        return nil
    }
}
