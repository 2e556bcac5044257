import CCCore
import CSQLite

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thin owner of one `sqlite3*` connection. Everything the sink needs and
/// nothing more: exec, prepared statements, WAL and a busy timeout so that
/// readers (the sqlite3 shell, Datasette, Grafana) can query while we write.
///
/// Errors map to the stream contract's exit statuses: a full disk, a
/// read-only file or an I/O error is 74 (the last committed transaction stays
/// intact, SQLite guarantees that), a file that is not a database is 78.
package final class SQLiteConnection {
    let handle: OpaquePointer
    package let path: String

    /// Most columns a table of this connection may have (SQLITE_MAX_COLUMN, 2000 by default).
    var columnLimit: Int { Int(sqlite3_limit(handle, SQLITE_LIMIT_COLUMN, -1)) }

    /// Process-wide settings that must precede the first open.
    private static let configured: Void = { _ = cc_sqlite_disable_memstatus() }()

    /// `create`: make the file when it does not exist.
    package init(path: String, readOnly: Bool = false, create: Bool = true) throws(ChainCastError) {
        Self.configured
        var db: OpaquePointer?
        let flags =
            readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw ChainCastError(Self.status(for: rc), "cannot open SQLite database \(path): \(msg)")
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        DecimalCollation.register(db)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without results.
    package func exec(_ sql: String) throws(ChainCastError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(err)
            throw error(rc, msg)
        }
    }

    package func prepare(_ sql: String) throws(ChainCastError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, String(cString: sqlite3_errmsg(handle))) }
        return SQLiteStatement(stmt, connection: self)
    }

    /// Every row of a query as text (NULL as nil): for tests and small
    /// look-ups, not for the hot path.
    package func query(_ sql: String) throws(ChainCastError) -> [[String?]] {
        let s = try prepare(sql)
        var rows: [[String?]] = []
        let n = sqlite3_column_count(s.handle)
        while try s.step() {
            rows.append((0..<n).map { s.isNull($0) ? nil : s.text($0) })
        }
        s.reset()
        return rows
    }

    package var changes: Int { Int(sqlite3_changes(handle)) }

    /// A PASSIVE checkpoint of the main database: copies what of the log no
    /// reader still needs into the database file, never waiting for a lock.
    /// Best effort: a failure (or another checkpoint running) leaves the
    /// data safe in the log for the next one.
    func checkpointPassive() {
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    /// The WAL hook: called on the committing thread after every commit,
    /// with `context` and the number of pages in the log. Replaces
    /// SQLite's automatic checkpoint (and any earlier hook); nil removes it.
    func setWALHook(
        _ context: UnsafeMutableRawPointer?,
        _ hook: (@convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32)?
    ) {
        sqlite3_wal_hook(handle, hook, context)
    }

    /// The path of the database's write-ahead log.
    var walPath: String {
        guard let wal = sqlite3_filename_wal(sqlite3_db_filename(handle, "main")) else { return path + "-wal" }
        return String(cString: wal)
    }

    package var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Maps an SQLite result code to a one-line error with the contract's status.
    func error(_ rc: Int32, _ message: String) -> ChainCastError {
        ChainCastError(Self.status(for: rc), "SQLite database \(path): \(message)")
    }

    func lastError(_ rc: Int32) -> ChainCastError {
        var message = String(cString: sqlite3_errmsg(handle))
        let sys = sqlite3_system_errno(handle)
        if Self.status(for: rc) == .ioError && sys != 0 { message += " (\(String(cString: strerror(sys))))" }
        return error(rc, message)
    }

    static func status(for rc: Int32) -> ExitStatus {
        switch rc & 0xff {
        case SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_NOLFS:
            return .ioError
        case SQLITE_BUSY, SQLITE_LOCKED:
            return .tempFail
        case SQLITE_NOTADB, SQLITE_CORRUPT:
            return .config
        default:
            return .software
        }
    }
}

/// One prepared statement. Bind, step, reset; text is bound straight from the
/// scanned input bytes (SQLITE_TRANSIENT copies them, so the view may end
/// right after the call).
package final class SQLiteStatement {
    let handle: OpaquePointer
    let connection: SQLiteConnection  // keeps the connection open while statements live

    init(_ handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    @inline(__always)
    package func bind(_ index: Int32, int v: Int64) {
        sqlite3_bind_int64(handle, index, v)
    }

    /// Binds a copy of the bytes (SQLITE_TRANSIENT): they may go away right after.
    @inline(__always)
    package func bind(_ index: Int32, text bytes: UnsafeBufferPointer<UInt8>) {
        bindText(index, bytes, cc_sqlite_transient())
    }

    /// Binds the bytes without copying them (SQLITE_STATIC). Only for a
    /// statement that is stepped while the bytes are valid and has every
    /// parameter bound again before its next step, so SQLite never reads a
    /// stale pointer.
    @inline(__always)
    package func bind(_ index: Int32, borrowing bytes: UnsafeBufferPointer<UInt8>) {
        bindText(index, bytes, cc_sqlite_static())
    }

    /// `destructor` is optional: SQLITE_STATIC is the null pointer.
    @inline(__always)
    private func bindText(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>, _ destructor: sqlite3_destructor_type?) {
        guard let base = bytes.baseAddress else {
            sqlite3_bind_text(handle, index, "", 0, cc_sqlite_transient())
            return
        }
        base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { p in
            _ = sqlite3_bind_text(handle, index, p, Int32(bytes.count), destructor)
        }
    }

    package func bind(_ index: Int32, text: String) {
        var s = text
        s.withUTF8 { bind(index, text: $0) }
    }

    package func bind(_ index: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { bind(index, text: $0) }
    }

    @inline(__always)
    package func bindNull(_ index: Int32) {
        sqlite3_bind_null(handle, index)
    }

    /// Steps a statement that returns no rows, then resets it.
    @inline(__always)
    package func run() throws(ChainCastError) {
        let rc = sqlite3_step(handle)
        if rc != SQLITE_DONE && rc != SQLITE_ROW {
            let e = connection.lastError(rc)
            sqlite3_reset(handle)
            throw e
        }
        sqlite3_reset(handle)
    }

    /// Steps once; true while rows are available.
    package func step() throws(ChainCastError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let e = connection.lastError(rc)
        sqlite3_reset(handle)
        throw e
    }

    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    package func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The whole text, NULs included: a name stored with a NUL must read back
    /// as stored, or a rerun looks it up under another key.
    package func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
}
