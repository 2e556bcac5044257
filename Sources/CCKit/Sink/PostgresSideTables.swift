import CCCore
import CCJSON

/// The PostgreSQL sink's tables for records that are not decoded events,
/// created when the first one arrives, as the SQLite sink's `RecordTable`
/// and `RawLogTable` are.
///
/// Raw logs (`--raw-logs store`) go to `raw_logs`: the events table's log
/// columns plus `topics` (jsonb) and `data`. Plain records (a `--map`
/// reshape, an `--agg` row) go to `records` (or `--records-table`), keyed by
/// (`cc_stream`, `cc_chain_id`, `cc_after_block`, `cc_ordinal`): the stream,
/// the checkpoint marker the record follows and its ordinal after it, so a
/// rerun from the same checkpoint upserts the same rows and writers of other
/// streams never collide. A column per top-level key, added as keys appear
/// and typed from the first non-null value; a later value the type cannot
/// hold turns the column into text, as SQLite would simply store it.
///
/// Both are staged like events: `COPY` text into a temporary table, one
/// set-based merge per batch in the batch's transaction.
final class PostgresSideTables {
    static let rawLogsName = "raw_logs"
    static let recordKey = ["cc_stream", "cc_chain_id", "cc_after_block", "cc_ordinal"]

    private let db: PostgresConnection
    private let schema: String
    let recordsName: String
    private let stream: String
    private var raw = PostgresCopyBuffer()
    private var recs = PostgresCopyBuffer()
    private(set) var rawReady = false
    private(set) var recordsReady = false
    /// The records table's columns: (key, column, PostgreSQL type), in the order they were added.
    private var columns: [(key: String, name: String, type: String)] = []
    private var keyScratch: [UInt8] = []

    init(db: PostgresConnection, schema: String, recordsTable: String, stream: String) {
        self.db = db
        self.schema = schema
        recordsName = recordsTable
        self.stream = stream
    }

    var hasRows: Bool { raw.rows > 0 || recs.rows > 0 }

    func reset() {
        raw.reset()
        recs.reset()
    }

    private var quotedSchema: String { SQLIdentifier.quote(schema) }
    private var rawTable: String { quotedSchema + "." + SQLIdentifier.quote(Self.rawLogsName) }
    private var recordsTable: String { quotedSchema + "." + SQLIdentifier.quote(recordsName) }

    // MARK: Raw logs

    /// Creates `raw_logs` and returns the statements that index it (run
    /// under the schema's DDL lock). A table of that name that is not ours is
    /// refused before an index on its columns fails with the server's words.
    func rawLogsDDL() throws(ChainCastError) -> String {
        let q = SQLIdentifier.quote
        try db.exec("CREATE TABLE IF NOT EXISTS \(rawTable) (\(PostgresSink.baseDDL), topics jsonb, data text)")
        try requireColumns(Self.rawLogsName, ["block_number", "log_index", "cc_stream", "topics", "data"])
        return """
            CREATE UNIQUE INDEX IF NOT EXISTS \(q(Self.rawLogsName + "_key")) ON \(rawTable)(\(PostgresSink.key));
            CREATE INDEX IF NOT EXISTS \(q(Self.rawLogsName + "_address")) ON \(rawTable)(address);
            """
    }

    /// After `rawLogsDDL` committed: creates the staging table.
    func prepareRawLogs() throws(ChainCastError) {
        try db.exec(
            """
            CREATE TEMP TABLE IF NOT EXISTS cc_staging_raw (seq bigint, removed boolean, chain_id bigint,
              block_number bigint, block_hash text, transaction_hash text, transaction_index integer,
              log_index integer, address text, block_timestamp bigint, topics jsonb, data text)
              ON COMMIT DELETE ROWS
            """)
        rawReady = true
    }

    func appendRawLog(_ e: DecodedEvent, seq: Int64) {
        raw.int(seq)
        raw.bool(e.removed)
        raw.int(e.chainId ?? 0)
        raw.int(e.blockNumber)
        raw.string(e.blockHash)
        raw.string(e.transactionHash)
        raw.int(e.transactionIndex)
        raw.int(e.logIndex)
        raw.string(e.address)
        raw.int(e.blockTimestamp)
        raw.json(e.root["topics"])
        raw.string(e.root["data"])
        raw.endRow()
    }

    // MARK: Records

    /// Whether `record` has a key without a column, or a value its column's
    /// type cannot hold: then `recordsDDL` must run before it is staged.
    func needsDDL(_ record: JSONValue) -> Bool {
        if !recordsReady { return true }
        var needs = false
        record.forEachFirstMember { k, v in
            if needs || v.isNull { return }
            keyScratch.removeAll(keepingCapacity: true)
            k.unescapedBytes(into: &keyScratch)
            keyScratch.removeAll { $0 == 0 }  // as PostgresSQL.key
            guard let c = columns.first(where: { $0.key.utf8.elementsEqual(keyScratch) }) else {
                needs = true
                return
            }
            if !Self.fits(v, c.type) { needs = true }
        }
        return needs
    }

    /// The statements that create the records table and add or widen the
    /// columns `record` needs, after reloading what other writers added
    /// (run under the schema's DDL lock).
    func recordsDDL(for record: JSONValue) throws(ChainCastError) -> String {
        let q = SQLIdentifier.quote
        var sql = """
            CREATE TABLE IF NOT EXISTS \(recordsTable) (
              cc_stream text NOT NULL, cc_chain_id bigint NOT NULL, cc_after_block bigint NOT NULL,
              cc_ordinal bigint NOT NULL, PRIMARY KEY (\(Self.recordKey.joined(separator: ", "))));
            CREATE TABLE IF NOT EXISTS \(quotedSchema).cc_record_columns (
              table_name text NOT NULL, key text NOT NULL, column_name text NOT NULL, position integer NOT NULL,
              PRIMARY KEY (table_name, key));

            """
        try db.exec(sql)  // in the DDL transaction: the reload below needs them
        sql = ""
        try requireColumns(recordsName, Self.recordKey)
        try loadColumns()
        var taken = Set(Self.recordKey)
        for c in columns { taken.insert(c.name.lowercased()) }
        var seen = Set<String>()
        var additions: [(key: String, value: JSONValue)] = []
        record.forEachFirstMember { k, v in
            let key = PostgresSQL.key(k)
            if v.isNull || !seen.insert(key).inserted { return }
            additions.append((key, v))
        }
        let added = additions.filter { a in !columns.contains { $0.key == a.key } }.count
        try TableWidth.check(
            Self.recordKey.count + columns.count + added, limit: PostgresSQL.maxColumns, database: "PostgreSQL",
            storing: "this record", in: recordsName, isEvent: false)
        for (key, value) in additions {
            if let i = columns.firstIndex(where: { $0.key == key }) {
                guard !Self.fits(value, columns[i].type) else { continue }
                // A value the column's type cannot hold: text holds every one, and keeps what is there.
                let col = q(columns[i].name)
                sql += "ALTER TABLE \(recordsTable) ALTER COLUMN \(col) TYPE text USING \(col)::text;\n"
                columns[i].type = "text"
                continue
            }
            let type = Self.columnType(value)
            let name = SQLIdentifier.unique(SQLIdentifier.sanitize(key), avoiding: taken)
            taken.insert(name.lowercased())
            sql += "ALTER TABLE \(recordsTable) ADD COLUMN \(q(name)) \(type);\n"
            if type == "text", Self.isAddress(value) {
                let index = SQLIdentifier.sanitize(recordsName + "_" + name)
                sql += "CREATE INDEX IF NOT EXISTS \(q(index)) ON \(recordsTable)(\(q(name)));\n"
            }
            sql += """
                INSERT INTO \(quotedSchema).cc_record_columns (table_name, key, column_name, position)
                VALUES (\(PostgresSQL.literal(recordsName)), \(PostgresSQL.literal(key)), \
                \(PostgresSQL.literal(name)), \(columns.count));

                """
            columns.append((key, name, type))
        }
        return sql
    }

    /// After `recordsDDL` committed: creates the staging table.
    func prepareRecords() throws(ChainCastError) {
        try db.exec(
            """
            CREATE TEMP TABLE IF NOT EXISTS cc_staging_records (seq bigint, cc_chain_id bigint,
              cc_after_block bigint, cc_ordinal bigint, record jsonb) ON COMMIT DELETE ROWS
            """)
        recordsReady = true
    }

    func appendRecord(_ record: JSONValue, at p: RecordPosition, seq: Int64) {
        recs.int(seq)
        recs.int(Int64(bitPattern: p.chainId))
        recs.int(p.afterBlock)
        recs.int(p.ordinal)
        recs.json(record)
        recs.endRow()
    }

    private func loadColumns() throws(ChainCastError) {
        let types = try db.query(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
            """, [recordsTable])
        var typeOf: [String: String] = [:]
        for r in types { if let n = r[0], let t = r[1] { typeOf[n] = t } }
        columns = try db.query(
            "SELECT key, column_name FROM \(quotedSchema).cc_record_columns WHERE table_name = $1 ORDER BY position",
            [recordsName]
        ).compactMap { r in
            guard let k = r[0], let n = r[1], let t = typeOf[n] else { return nil }
            return (k, n, t)
        }
    }

    /// PostgreSQL's type for a key's first non-null value.
    static func columnType(_ v: JSONValue) -> String {
        switch v.kind {
        case .bool: return "boolean"
        case .number: return TextBinder.int64(decimal: v) != nil ? "bigint" : "numeric"
        case .string: return NumericArgs.isCanonicalInteger(v.stringContents) && !v.hasEscapes ? "numeric" : "text"
        case .array, .object: return "jsonb"
        case .null: return "text"
        }
    }

    /// Whether `(record->>key)::type` (or `->` for jsonb) takes `v` without an error.
    static func fits(_ v: JSONValue, _ type: String) -> Bool {
        switch type {
        case "text", "jsonb": return true
        case "boolean": return EventSignature.fits(v, .bool)
        case "bigint": return EventSignature.fits(v, .int64)
        case "numeric":
            return v.isNull || v.kind == .number
                || (v.kind == .string && !v.hasEscapes && NumericArgs.isCanonicalInteger(v.stringContents))
        // Anything but an integer of at most 78 digits fails the cast, or rounds (5.5).
        case "numeric(78,0)": return EventSignature.fits(v, .wideInteger)
        default: return false
        }
    }

    private static func isAddress(_ v: JSONValue) -> Bool {
        guard v.kind == .string, !v.hasEscapes else { return false }
        let b = v.stringContents
        return b.count == 42 && b[0] == UInt8(ascii: "0") && b[1] | 0x20 == UInt8(ascii: "x")
            && b[2...].allSatisfy { Hex.nibble[Int($0)] != 0xFF }
    }

    // MARK: Batch

    /// Copies the staged rows into the open transaction and returns the merge statements.
    func copyStaged() throws(ChainCastError) -> String {
        let q = SQLIdentifier.quote
        let streamLiteral = PostgresSQL.literal(stream)
        var sql = ""
        if raw.rows > 0 {
            try db.copyIn(
                """
                COPY cc_staging_raw (seq, removed, chain_id, block_number, block_hash, transaction_hash,
                  transaction_index, log_index, address, block_timestamp, topics, data) FROM STDIN
                """, raw.bytes)
            let base = PostgresSink.baseColumns.split(separator: ",").map { $0.filter { $0 != " " } }
            let values = base.map {
                $0 == "block_time" ? "to_timestamp(s.block_timestamp)" : $0 == "cc_stream" ? streamLiteral : "s.\($0)"
            }
            sql += PostgresSink.mergeSQL(
                table: rawTable, staging: "cc_staging_raw", key: PostgresSink.key, columns: base + ["topics", "data"],
                values: values + ["s.topics", "s.data"], removable: true)
            sql += "TRUNCATE cc_staging_raw;\n"
        }
        if recs.rows > 0 {
            try db.copyIn(
                "COPY cc_staging_records (seq, cc_chain_id, cc_after_block, cc_ordinal, record) FROM STDIN",
                recs.bytes)
            let values = [streamLiteral, "s.cc_chain_id", "s.cc_after_block", "s.cc_ordinal"]
            sql += PostgresSink.mergeSQL(
                table: recordsTable, staging: "cc_staging_records",
                key: Self.recordKey.dropFirst().joined(separator: ", "),
                columns: Self.recordKey + columns.map { q($0.name) },
                values: values + columns.map { Self.extract($0.key, as: $0.type) }, removable: false,
                conflictKey: Self.recordKey.joined(separator: ", "))
            sql += "TRUNCATE cc_staging_records;\n"
        }
        reset()
        return sql
    }

    private static func extract(_ key: String, as type: String) -> String {
        let k = PostgresSQL.literal(key)
        switch type {
        case "jsonb": return "s.record->\(k)"
        case "text": return "s.record->>\(k)"
        default: return "(s.record->>\(k))::\(type)"
        }
    }

    /// The statements that retract this stream's raw logs above `block` and
    /// its records that follow a marker at or above it (a plain record has no block of its own), for tables that exist (any writer may have created them).
    func rewindSQL(chain: UInt64, above block: UInt64) throws(ChainCastError) -> String {
        let exists = try db.query(
            "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL", [rawTable, recordsTable]
        ).first
        let s = PostgresSQL.literal(stream)
        var sql = ""
        if exists?[0] == "t" {
            sql +=
                "DELETE FROM \(rawTable) WHERE block_number > \(block) AND chain_id = \(chain) AND cc_stream = \(s);\n"
        }
        if exists?[1] == "t" {
            sql += """
                DELETE FROM \(recordsTable) WHERE cc_stream = \(s) AND cc_chain_id = \(Int64(bitPattern: chain)) \
                AND cc_after_block >= \(Int64(clamping: block));

                """
            // A record that names its block (a --map keeping blockNumber) is above the rewind
            // by that block, also after an earlier marker.
            let typed =
                try db.query(
                    """
                    SELECT c.column_name FROM \(quotedSchema).cc_record_columns c
                    JOIN information_schema.columns i ON i.table_schema = $1 AND i.table_name = c.table_name
                      AND i.column_name = c.column_name
                    WHERE c.table_name = $2 AND c.key = 'blockNumber' AND i.data_type IN ('bigint', 'numeric')
                    """, [schema, recordsName]
                ).first?.first ?? nil
            if let column = typed {
                sql += """
                    DELETE FROM \(recordsTable) WHERE cc_stream = \(s) \
                    AND cc_chain_id IN (\(Int64(bitPattern: chain)), 0) AND \(SQLIdentifier.quote(column)) > \(block);

                    """
            }
        }
        return sql
    }

    private func requireColumns(_ table: String, _ need: [String]) throws(ChainCastError) {
        let have = try db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
            [schema, table]
        ).compactMap { $0.first ?? nil }
        if let missing = need.first(where: { !have.contains($0) }) {
            throw .config(
                "table \(schema).\(table) is not the sink's \(table == Self.rawLogsName ? "raw_logs" : "records") "
                    + "table (it has no column \(missing)); "
                    + (table == Self.rawLogsName ? "choose another --schema" : "choose another --records-table"))
        }
    }
}
