import CCCore
import CCJSON

/// `--tables per-event`: besides the `events` table, one typed table per
/// event signature, created the first time the signature is seen, with one
/// column per ABI argument.
///
/// Names are attacker controlled (anyone can deploy a contract whose event is
/// called `"; DROP TABLE events; --`), so table and column names are
/// sanitized, made unique and quoted. The mapping from signature to table
/// and from argument name to column lives in `cc_event_tables` and
/// `cc_event_columns`, so a rerun reuses exactly the same names.
final class PerEventTables {
    struct Column {
        var key: [UInt8]  // the args member name, unescaped
        var name: String  // sanitized SQL column name
        /// What its declared type holds.
        var kind: EventSignature.ValueKind
    }

    final class Table {
        let name: String
        let signature: EventSignature?
        var columns: [Column]
        var insert: SQLiteStatement
        let delete: SQLiteStatement
        init(
            name: String, signature: EventSignature?, columns: [Column], insert: SQLiteStatement,
            delete: SQLiteStatement
        ) {
            self.name = name
            self.signature = signature
            self.columns = columns
            self.insert = insert
            self.delete = delete
        }
    }

    private let db: SQLiteConnection
    private let mainTable: String
    private let reserved: Set<String>
    private var tables: [[UInt8]: Table] = [:]
    /// The last table used: consecutive events usually share a signature.
    private var lastKey: [UInt8] = []
    private var lastTable: Table?
    private var keyScratch: [UInt8] = []
    private let registerTable: SQLiteStatement
    private let registerColumn: SQLiteStatement
    private let scope: SQLiteStreamScope

    /// `reserved`: the sink's other tables (records, raw logs), which an event
    /// of that name (anyone can deploy one) must not take before they exist.
    init(db: SQLiteConnection, mainTable: String, reserved: [String], scope: SQLiteStreamScope) throws(ChainCastError) {
        self.db = db
        self.scope = scope
        self.mainTable = mainTable
        self.reserved = Set(reserved.map { $0.lowercased() })
        try db.exec(
            """
            CREATE TABLE IF NOT EXISTS cc_event_tables (
              signature TEXT PRIMARY KEY, table_name TEXT NOT NULL UNIQUE COLLATE NOCASE);
            CREATE TABLE IF NOT EXISTS cc_event_columns (
              table_name TEXT NOT NULL, position INTEGER NOT NULL, arg_name TEXT NOT NULL,
              column_name TEXT NOT NULL, PRIMARY KEY (table_name, position));
            """)
        registerTable = try db.prepare("INSERT INTO cc_event_tables (signature, table_name) VALUES (?1, ?2)")
        registerColumn = try db.prepare(
            "INSERT INTO cc_event_columns (table_name, position, arg_name, column_name) VALUES (?1, ?2, ?3, ?4)")
        try load()
    }

    private func load() throws(ChainCastError) {
        let q = try db.prepare("SELECT signature, table_name FROM cc_event_tables")
        var found: [(String, String)] = []
        while try q.step() { found.append((q.text(0) ?? "", q.text(1) ?? "")) }
        q.reset()
        let cq = try db.prepare(
            "SELECT arg_name, column_name FROM cc_event_columns WHERE table_name = ?1 ORDER BY position")
        // The declared types as `addColumn` wrote them (a collation is not in pragma_table_info).
        let ddl = try db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1")
        for (sig, name) in found {
            ddl.bind(1, text: name)
            let sql = try ddl.step() ? ddl.text(0) ?? "" : ""
            ddl.reset()
            cq.bind(1, text: name)
            var cols: [Column] = []
            while try cq.step() {
                let column = cq.text(1) ?? ""
                let type = [EventSignature.ColumnType.decimal, .integer].first {
                    sql.contains(SQLIdentifier.quote(column) + " " + $0.rawValue)
                }
                cols.append(
                    Column(
                        key: Array((cq.text(0) ?? "").utf8), name: column,
                        kind: EventSignature.valueKind(of: type ?? .text)))
            }
            cq.reset()
            try SQLiteStreamScope.addColumn(db, table: name)
            let t = try makeTable(name: name, signature: EventSignature(sig), columns: cols)
            tables[Array(sig.utf8)] = t
        }
    }

    private func makeTable(name: String, signature: EventSignature?, columns: [Column]) throws(ChainCastError) -> Table
    {
        Table(
            name: name, signature: signature, columns: columns,
            insert: try prepareInsert(name, columns),
            delete: try db.prepare(SQLiteSink.deleteStatement(table: SQLIdentifier.quote(name))))
    }

    private func prepareInsert(_ name: String, _ columns: [Column]) throws(ChainCastError) -> SQLiteStatement {
        try SQLiteSink.prepareUpsert(
            db, table: SQLIdentifier.quote(name),
            columns: SQLiteSink.baseColumns + [SQLiteStreamScope.column] + columns.map { SQLIdentifier.quote($0.name) })
    }

    /// Every table name already in the database, lowercased.
    private func existingTableNames() throws(ChainCastError) -> Set<String> {
        let q = try db.prepare("SELECT lower(name) FROM sqlite_master WHERE type IN ('table', 'view', 'index')")
        var names: Set<String> = [mainTable.lowercased()]
        while try q.step() { if let n = q.text(0) { names.insert(n) } }
        q.reset()
        return names
    }

    private func createTable(signatureText: String, event: String?) throws(ChainCastError) -> Table {
        let sig = EventSignature(signatureText)
        let base = SQLIdentifier.sanitize(sig?.name ?? event ?? "event")
        var taken = try existingTableNames()
        taken.formUnion(["cc_checkpoint", "cc_event_tables", "cc_event_columns"])
        taken.formUnion(reserved)
        // The table's index is `<name>_block_number`: both names must be free,
        // or an event called `X` after one called `X_block_number` collides.
        let name = SQLIdentifier.unique(
            base.lowercased().hasPrefix("cc_") ? "_" + base : base, avoiding: taken, alsoFree: "_block_number")
        try db.exec(
            """
            CREATE TABLE \(SQLIdentifier.quote(name)) (
              chain_id INTEGER NOT NULL, block_number INTEGER NOT NULL, block_hash TEXT NOT NULL,
              block_timestamp INTEGER, transaction_hash TEXT, transaction_index INTEGER,
              log_index INTEGER NOT NULL, address TEXT COLLATE NOCASE, \(SQLiteStreamScope.columnDDL));
            CREATE UNIQUE INDEX \(SQLIdentifier.quote(name + "_block_number"))
              ON \(SQLIdentifier.quote(name))(\(SQLiteSink.uniqueKey));
            """)
        registerTable.bind(1, text: signatureText)
        registerTable.bind(2, text: name)
        try registerTable.run()
        return try makeTable(name: name, signature: sig, columns: [])
    }

    /// Adds a column for an argument name the table has not seen, typed from
    /// the ABI type at that position of the signature.
    private func addColumn(_ t: Table, key: [UInt8], position: Int) throws(ChainCastError) {
        let abiType = t.signature.flatMap { position < $0.types.count ? $0.types[position] : nil } ?? "string"
        let type = EventSignature.columnType(for: abiType)
        var taken = Set(SQLiteSink.baseColumns)
        for c in t.columns { taken.insert(c.name.lowercased()) }
        let keyText = String(decoding: key, as: UTF8.self)
        let name = SQLIdentifier.unique(SQLIdentifier.sanitize(keyText), avoiding: taken)
        try db.exec(
            "ALTER TABLE \(SQLIdentifier.quote(t.name)) ADD COLUMN \(SQLIdentifier.quote(name)) \(type.rawValue)")
        // Address arguments are what one looks rows up by (a holder's
        // transfers); the signature does not say which were indexed in the
        // log, so every address column gets an index.
        if type == .address {
            let index = SQLIdentifier.unique(t.name + "_" + name, avoiding: try existingTableNames())
            try db.exec(
                "CREATE INDEX \(SQLIdentifier.quote(index)) ON \(SQLIdentifier.quote(t.name))(\(SQLIdentifier.quote(name)))"
            )
        }
        registerColumn.bind(1, text: t.name)
        registerColumn.bind(2, int: Int64(t.columns.count))
        registerColumn.bind(3, text: keyText)
        registerColumn.bind(4, text: name)
        try registerColumn.run()
        t.columns.append(Column(key: key, name: name, kind: EventSignature.valueKind(of: type)))
        t.insert = try prepareInsert(t.name, t.columns)
    }

    private func table(for e: DecodedEvent) throws(ChainCastError) -> Table? {
        guard let sigValue = e.signature else { return nil }
        keyScratch.removeAll(keepingCapacity: true)
        sigValue.unescapedBytes(into: &keyScratch)
        if let lastTable, keyScratch == lastKey { return lastTable }
        let t: Table
        if let found = tables[keyScratch] {
            t = found
        } else {
            let text = String(decoding: keyScratch, as: UTF8.self)
            t = try createTable(signatureText: text, event: e.event?.string())
            tables[keyScratch] = t
        }
        lastKey = keyScratch
        lastTable = t
        return t
    }

    /// The column of an args member: usually the one at the same position.
    @inline(__always)
    private static func columnIndex(_ t: Table, _ key: JSONValue, _ position: Int) -> Int? {
        if key.hasEscapes {
            var k: [UInt8] = []
            key.unescapedBytes(into: &k)
            return t.columns.firstIndex(where: { $0.key == k })
        }
        let b = key.stringContents
        if position < t.columns.count, FieldName.same(b, t.columns[position].key) { return position }
        return t.columns.firstIndex(where: { FieldName.same(b, $0.key) })
    }

    /// Creates the event's table and columns before anything of the event is
    /// written; throws `.data` when SQLite could not hold them, so the event
    /// is refused as bad data instead of failing the same way on every rerun.
    func prepare(_ e: DecodedEvent) throws(ChainCastError) {
        // Without a signature an event has no table of its own: it stays in the events table, whatever its width.
        guard e.signature != nil else { return }
        if let args = e.args, args.kind == .object {
            // Before creating a table for it: nothing is left behind for an event that cannot fit.
            try checkColumnCount(args.count, e)
        }
        guard !e.removed, let t = try table(for: e) else { return }
        try addMissingColumns(t, e)
        try refuseUnfit(e, t)
    }

    /// An argument its column's declared type cannot hold (see `EventSignature.ValueKind`):
    /// bad data on its line, rather than text in a numeric column.
    private func refuseUnfit(_ e: DecodedEvent, _ t: Table) throws(ChainCastError) {
        guard let args = e.args else { return }
        var unfit: (key: String, value: String, column: Column)?
        args.forEachFirstMemberAndPosition { k, v, position in
            guard unfit == nil, let i = Self.columnIndex(t, k, position), !EventSignature.fits(v, t.columns[i].kind)
            else { return }
            unfit = (k.string(), DecodedEvent.excerpt(v), t.columns[i])
        }
        if let u = unfit {
            let holds = u.column.kind == .wideInteger ? "decimal integers" : "integers and bools"
            throw .data(
                "cannot store this event in table \(t.name): argument \(u.key) is \(u.value), but its column "
                    + "\(u.column.name) holds \(holds)")
        }
    }

    private func checkColumnCount(_ argumentColumns: Int, _ e: DecodedEvent) throws(ChainCastError) {
        try TableWidth.check(
            argumentColumns + SQLiteLimits.baseColumnCount, limit: db.columnLimit, database: "SQLite",
            storing: TableWidth.event(e), in: "a per-event table", isEvent: true)
    }

    private func addMissingColumns(_ t: Table, _ e: DecodedEvent) throws(ChainCastError) {
        guard let args = e.args, args.kind == .object else { return }
        var missing: [([UInt8], Int)] = []
        // First occurrences only (each key once), at their parameter's position.
        args.forEachFirstMemberAndPosition { key, _, position in
            if Self.columnIndex(t, key, position) == nil {
                var k: [UInt8] = []
                key.unescapedBytes(into: &k)
                missing.append((k, position))
            }
        }
        guard !missing.isEmpty else { return }
        try checkColumnCount(t.columns.count + missing.count, e)
        for (k, p) in missing { try addColumn(t, key: k, position: p) }
    }

    /// Every per-event table's name.
    var tableNames: [String] { tables.values.map(\.name) }

    /// A rewind: every table's rows of this stream above the block for the chain.
    func rewind(chainId: Int64, above block: Int64) throws(ChainCastError) {
        for t in tables.values {
            let delete = try db.prepare(
                "DELETE FROM \(SQLIdentifier.quote(t.name)) WHERE block_number > ?1 AND chain_id = ?2 AND "
                    + scope.rewindCondition(3))
            delete.bind(1, int: block)
            delete.bind(2, int: chainId)
            scope.bindRewind(delete, 3)
            try delete.run()
        }
    }

    func apply(_ e: DecodedEvent, chainId: Int64, binder: inout TextBinder) throws(ChainCastError) {
        guard let t = try table(for: e) else { return }
        if e.removed {
            t.delete.bind(1, int: chainId)
            binder.bind(t.delete, 2, e.blockHash)
            t.delete.bind(3, int: Int64(bitPattern: e.logIndex))
            t.delete.bind(4, int: Int64(bitPattern: e.blockNumber))
            try t.delete.run()
            return
        }
        // Make sure every argument has a column before binding anything: adding
        // one re-prepares the insert statement.
        try addMissingColumns(t, e)
        let s = t.insert
        binder.bindLogColumns(s, chainId: chainId, e)
        scope.bind(s, Int32(SQLiteSink.baseColumns.count) + 1, block: Int64(bitPattern: e.blockNumber))
        let first = Int32(SQLiteSink.baseColumns.count) + 2
        for i in 0..<t.columns.count { s.bindNull(first + Int32(i)) }
        if let args = e.args, args.kind == .object {
            args.forEachFirstMemberAndPosition { key, value, position in
                let found = Self.columnIndex(t, key, position)
                guard let index = found else { return }
                let p = first + Int32(index)
                switch value.kind {
                case .null: s.bindNull(p)
                case .bool: s.bind(p, int: value.bool == true ? 1 : 0)
                case .string, .number:
                    if let n = TextBinder.int64(decimal: value) { s.bind(p, int: n) } else { binder.bind(s, p, value) }
                case .array, .object: binder.bindRawJSON(s, p, value)
                }
            }
        }
        try s.run()
    }
}

extension FieldName {
    /// Compares a scanned key without escapes with a stored unescaped name.
    @inline(__always)
    static func same(_ b: UnsafeBufferPointer<UInt8>, _ key: [UInt8]) -> Bool {
        b.count == key.count && key.withUnsafeBufferPointer { k in b.elementsEqual(k) }
    }
}
