import CCCore
import CCJSON

/// The SQLite sink's tables for records that are not decoded events, created
/// when the first one arrives.
///
/// Plain records (a `cc-filter --map` reshape, an `--agg` row) go to one
/// table (`records` unless `--records-table`) with a column per top-level
/// key, added as keys appear and typed from the first value that is not
/// null (integers of any size, numbers or strings, exact `TEXT COLLATE
/// decimal`; bools INTEGER; addresses `TEXT COLLATE NOCASE`; objects and
/// arrays JSON text). A record's key is the stream that wrote it
/// (`SQLiteStreamScope`) and its `RecordPosition` (the marker it follows,
/// its ordinal after it): a rerun upserts the same rows, and another
/// pipeline's records at the same position are other rows. A table created
/// before `cc_stream` keeps its old key (position only).
final class RecordTable {
    static let keyColumns = ["cc_stream", "cc_chain_id", "cc_after_block", "cc_ordinal"]
    static let legacyKeyColumns = ["cc_chain_id", "cc_after_block", "cc_ordinal"]
    private let db: SQLiteConnection
    private let scope: SQLiteStreamScope
    /// `keyColumns`, or `legacyKeyColumns` for a table an earlier version made.
    private let key: [String]
    let name: String
    private var columns: [(key: [UInt8], name: String)] = []
    private var insert: SQLiteStatement
    private let registerColumn: SQLiteStatement
    private var keyScratch: [UInt8] = []

    init(db: SQLiteConnection, name: String, scope: SQLiteStreamScope) throws(ChainCastError) {
        self.db = db
        self.name = name
        self.scope = scope
        let t = SQLIdentifier.quote(name)
        try db.exec(
            """
            CREATE TABLE IF NOT EXISTS \(t) (
              \(SQLiteStreamScope.columnDDL),
              cc_chain_id INTEGER NOT NULL, cc_after_block INTEGER NOT NULL, cc_ordinal INTEGER NOT NULL,
              PRIMARY KEY (cc_stream, cc_chain_id, cc_after_block, cc_ordinal));
            CREATE TABLE IF NOT EXISTS cc_event_columns (
              table_name TEXT NOT NULL, position INTEGER NOT NULL, arg_name TEXT NOT NULL,
              column_name TEXT NOT NULL, PRIMARY KEY (table_name, position));
            """)
        let info = try db.prepare("SELECT name FROM pragma_table_info(?1)")
        info.bind(1, text: name)
        var have = Set<String>()
        while try info.step() { if let n = info.text(0) { have.insert(n.lowercased()) } }
        info.reset()
        key = have.contains("cc_stream") ? Self.keyColumns : Self.legacyKeyColumns
        if let missing = Self.legacyKeyColumns.first(where: { !have.contains($0) }) {
            throw .config(
                "table \(name) in \(db.path) is not a records table (it has no column \(missing)); "
                    + "choose another --records-table")
        }
        let q = try db.prepare(
            "SELECT arg_name, column_name FROM cc_event_columns WHERE table_name = ?1 ORDER BY position")
        q.bind(1, text: name)
        while try q.step() { columns.append((Array((q.text(0) ?? "").utf8), q.text(1) ?? "")) }
        q.reset()
        registerColumn = try db.prepare(
            "INSERT INTO cc_event_columns (table_name, position, arg_name, column_name) VALUES (?1, ?2, ?3, ?4)")
        insert = try Self.prepareInsert(db, name, key, columns.map(\.name))
    }

    private static func prepareInsert(
        _ db: SQLiteConnection, _ name: String, _ keyColumns: [String], _ names: [String]
    ) throws(ChainCastError) -> SQLiteStatement {
        let all = keyColumns + names.map(SQLIdentifier.quote)
        let params = (1...all.count).map { "?\($0)" }.joined(separator: ", ")
        let updates = names.map { "\(SQLIdentifier.quote($0)) = excluded.\(SQLIdentifier.quote($0))" }
        let conflict =
            updates.isEmpty ? "DO NOTHING" : "DO UPDATE SET " + updates.joined(separator: ", ")
        return try db.prepare(
            """
            INSERT INTO \(SQLIdentifier.quote(name)) (\(all.joined(separator: ", "))) VALUES (\(params))
            ON CONFLICT (\(keyColumns.joined(separator: ", "))) \(conflict)
            """)
    }

    private func column(of key: JSONValue) -> Int? {
        keyScratch.removeAll(keepingCapacity: true)
        key.unescapedBytes(into: &keyScratch)
        return columns.firstIndex { $0.key == keyScratch }
    }

    private func addColumn(key: [UInt8], first value: JSONValue) throws(ChainCastError) {
        var taken = Set(Self.keyColumns)
        for c in columns { taken.insert(c.name.lowercased()) }
        let keyText = String(decoding: key, as: UTF8.self)
        let column = SQLIdentifier.unique(SQLIdentifier.sanitize(keyText), avoiding: taken)
        let type = Self.columnType(value)
        try db.exec(
            "ALTER TABLE \(SQLIdentifier.quote(name)) ADD COLUMN \(SQLIdentifier.quote(column)) \(type.rawValue)")
        if type == .address {
            let index = SQLIdentifier.unique(name + "_" + column, avoiding: try existingNames())
            try db.exec(
                "CREATE INDEX \(SQLIdentifier.quote(index)) ON \(SQLIdentifier.quote(name))(\(SQLIdentifier.quote(column)))"
            )
        }
        registerColumn.bind(1, text: name)
        registerColumn.bind(2, int: Int64(columns.count))
        registerColumn.bind(3, text: keyText)
        registerColumn.bind(4, text: column)
        try registerColumn.run()
        columns.append((key, column))
        insert = try Self.prepareInsert(db, name, self.key, columns.map(\.name))
    }

    /// The first marker named the stream: the records this pipeline wrote
    /// before it (`pendingTag`) are its records.
    func claimPending(as tag: String) throws(ChainCastError) {
        guard key == Self.keyColumns else { return }
        let s = try db.prepare(
            "UPDATE OR REPLACE \(SQLIdentifier.quote(name)) SET cc_stream = ?1 WHERE cc_stream = ?2")
        s.bind(1, text: tag)
        s.bind(2, text: scope.pendingTag)
        try s.run()
    }

    /// A run without any marker gives its records no identity but their
    /// ordinals: at its end, the rows of an earlier such run past its last
    /// ordinal go, so the table holds this run's records (as `>` would),
    /// never a mix of two runs.
    func dropEarlierUnanchored(from count: Int64) throws(ChainCastError) {
        let stream = key == Self.keyColumns ? "cc_stream = '' AND " : ""
        let s = try db.prepare(
            """
            DELETE FROM \(SQLIdentifier.quote(name))
            WHERE \(stream)cc_chain_id = 0 AND cc_after_block = -1 AND cc_ordinal >= ?1
            """)
        s.bind(1, int: count)
        try s.run()
    }

    private func existingNames() throws(ChainCastError) -> Set<String> {
        let q = try db.prepare("SELECT lower(name) FROM sqlite_master")
        var names = Set<String>()
        while try q.step() { if let n = q.text(0) { names.insert(n) } }
        q.reset()
        return names
    }

    static func columnType(_ v: JSONValue) -> EventSignature.ColumnType {
        switch v.kind {
        case .bool: return .integer
        // Every integer, small or not: a column typed INTEGER by a first small
        // value would store a later wide one as a rounded REAL (cc-filter's
        // `int()` writes small results as numbers, wide ones as strings).
        case .number:
            return NumericArgs.isCanonicalInteger(v.raw) ? .decimal : .text
        case .string:
            let b = v.stringContents
            if NumericArgs.isCanonicalInteger(b) { return .decimal }
            if b.count == 42, b[0] == UInt8(ascii: "0"), b[1] | 0x20 == UInt8(ascii: "x"),
                b[2...].allSatisfy({ Hex.nibble[Int($0)] != 0xFF })
            {
                return .address
            }
            return .text
        default: return .text
        }
    }

    func append(_ record: JSONValue, at p: RecordPosition, binder: inout TextBinder) throws(ChainCastError) {
        var missing: [([UInt8], JSONValue)] = []
        // First occurrences only (each key once); a null says nothing of the
        // type: the column comes with the first value that is not.
        record.forEachFirstMember { key, value in
            if !value.isNull, column(of: key) == nil { missing.append((keyScratch, value)) }
        }
        let needed = key.count + columns.count + missing.count
        if !missing.isEmpty {
            try TableWidth.check(
                needed, limit: db.columnLimit, database: "SQLite", storing: "this record", in: name, isEvent: false)
        }
        for (k, v) in missing { try addColumn(key: k, first: v) }
        let s = insert
        var k: Int32 = 1
        if key == Self.keyColumns {
            scope.bind(s, 1)
            k = 2
        }
        scope.noteRecord()
        s.bind(k, int: Int64(bitPattern: p.chainId))
        s.bind(k + 1, int: p.afterBlock)
        s.bind(k + 2, int: p.ordinal)
        let first = Int32(key.count) + 1
        for i in 0..<columns.count { s.bindNull(first + Int32(i)) }
        record.forEachFirstMember { key, value in
            guard let i = column(of: key) else { return }
            let p = first + Int32(i)
            switch value.kind {
            case .null: s.bindNull(p)
            case .bool: s.bind(p, int: value.bool == true ? 1 : 0)
            case .number:
                if let n = TextBinder.int64(decimal: value) {
                    s.bind(p, int: n)
                } else {
                    binder.bindRawJSON(s, p, value)
                }
            case .string: binder.bind(s, p, value)
            case .array, .object: binder.bindRawJSON(s, p, value)
            }
        }
        try s.run()
    }
}

/// Raw (undecoded) logs kept by `--raw-logs store`: the events table's log
/// columns plus `topics` (a JSON array) and `data`, in a table of their own
/// (`raw_logs`), so the events table only ever holds decoded events.
final class RawLogTable {
    static let name = "raw_logs"
    private let insert: SQLiteStatement
    private let delete: SQLiteStatement
    private let scope: SQLiteStreamScope

    init(db: SQLiteConnection, scope: SQLiteStreamScope) throws(ChainCastError) {
        self.scope = scope
        let t = SQLIdentifier.quote(Self.name)
        try db.exec(
            """
            CREATE TABLE IF NOT EXISTS \(t) (
              chain_id INTEGER NOT NULL, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL,
              block_timestamp INTEGER, transaction_hash TEXT, transaction_index INTEGER,
              log_index INTEGER NOT NULL, address TEXT COLLATE NOCASE, topics TEXT, data TEXT,
              \(SQLiteStreamScope.columnDDL));
            CREATE UNIQUE INDEX IF NOT EXISTS \(SQLIdentifier.quote(Self.name + "_block_number"))
              ON \(t)(\(SQLiteSink.uniqueKey));
            """)
        try SQLiteStreamScope.addColumn(db, table: Self.name)
        insert = try SQLiteSink.prepareUpsert(
            db, table: t, columns: SQLiteSink.baseColumns + ["topics", "data", SQLiteStreamScope.column])
        delete = try db.prepare(SQLiteSink.deleteStatement(table: t))
    }

    func append(_ e: DecodedEvent, binder: inout TextBinder) throws(ChainCastError) {
        let chain = Int64(bitPattern: e.chainId ?? 0)
        if e.removed {
            delete.bind(1, int: chain)
            binder.bind(delete, 2, e.blockHash)
            delete.bind(3, int: Int64(bitPattern: e.logIndex))
            delete.bind(4, int: Int64(bitPattern: e.blockNumber))
            try delete.run()
            return
        }
        let s = insert
        binder.bindLogColumns(s, chainId: chain, e)
        if let topics = e.root["topics"] { binder.bindRawJSON(s, 9, topics) } else { s.bindNull(9) }
        binder.bindOptional(s, 10, e.root["data"])
        scope.bind(s, 11, block: Int64(bitPattern: e.blockNumber))
        try s.run()
    }
}
