import CCCore
import CCJSON
import CCStream

/// Writes decoded events into PostgreSQL: the `events` table (or `--table`)
/// and, with `--tables per-event`, one typed table per event signature.
///
/// A batch is kept as `COPY` text in memory; a flush copies it into a
/// temporary staging table and merges it with one set-based statement per
/// table: the last record of a log in the batch wins, a removal deletes,
/// everything else is an upsert on the log's identity, in key order so two
/// writers never take row locks in opposite orders. The `cc_checkpoint` row
/// is upserted in the same transaction as the data it covers, keyed by the
/// stream's identity (`--stream`, chain, filter, pipeline): any number of
/// processes can write the same tables, each exactly-once for its stream.
/// Tables and columns are created in short transactions of their own under
/// an advisory lock, never inside a data transaction.
package final class PostgresSink: Sink {
    package struct Options: Sendable {
        package var conninfo: String
        package var schema: String = "public"
        package var table: String = "events"
        package var perEventTables = false
        /// Part of the checkpoint row's key: a shard's name (`2/8`) when
        /// several processes write the same chain and filter.
        package var stream: String = ""
        /// The table for plain records (`PostgresSideTables`).
        package var recordsTable: String = "records"

        package init(conninfo: String) { self.conninfo = conninfo }
    }

    package let kind = "postgres"
    let options: Options
    let db: PostgresConnection
    private let schema: String
    private let events: String
    private var copy = PostgresCopyBuffer()
    var shape = PostgresBatchShape()
    private var inTransaction = false
    package private(set) var pendingEvents = 0
    private var seq: Int64 = 0
    /// Per-event tables known so far, by signature.
    private var tables: [String: EventTable] = [:]
    /// Signatures with rows in the staged batch.
    private var touched: Set<String> = []
    private var keyScratch: [UInt8] = []
    /// The last signature seen, as bytes and text, and argument names known
    /// to have columns for it: consecutive events usually share both, so the
    /// per-event path allocates nothing for them.
    private var lastSignatureBytes: [UInt8] = []
    private var lastSignatureText = ""
    private var lastKeys: [[UInt8]]?
    /// Raw logs and plain records, staged beside the events.
    private let side: PostgresSideTables

    struct EventTable {
        var name: String
        /// (argument name, column name, column type), in the signature's order.
        var columns: [(key: String, name: String, type: String)]
    }

    static let key = "block_number, chain_id, block_hash, log_index"
    static let keyColumns = ["block_number", "chain_id", "block_hash", "log_index"]
    static var baseColumnCount: Int { baseColumns.split(separator: ",").count }
    static let baseColumns =
        "chain_id, block_number, block_hash, block_time, transaction_hash, transaction_index, log_index, address, "
        + "cc_stream"
    /// `cc_stream`: the `--stream` that last wrote the row. A rewind record
    /// (a fork, or cc-fetch resuming from its checkpoint) retracts only its
    /// own stream's rows, so one shard resuming never deletes what the
    /// other shards and the follower wrote above its block.
    static let baseDDL = """
        chain_id bigint NOT NULL, block_number bigint NOT NULL, block_hash text NOT NULL,
        block_time timestamptz, transaction_hash text, transaction_index integer,
        log_index integer NOT NULL, address text, cc_stream text NOT NULL DEFAULT ''
        """

    package init(_ options: Options) throws(ChainCastError) {
        self.options = options
        db = try PostgresConnection(conninfo: options.conninfo)
        schema = SQLIdentifier.quote(options.schema)
        events = schema + "." + SQLIdentifier.quote(options.table)
        side = PostgresSideTables(
            db: db, schema: options.schema, recordsTable: options.recordsTable, stream: options.stream)
        let base = SQLIdentifier.sanitize(options.table)
        try ddl { () throws(ChainCastError) in
            // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema is there,
            // which a role given only its own schema lacks: it is issued only for a missing schema.
            let missing = try db.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [options.schema]).isEmpty
            try db.exec(
                (missing ? "CREATE SCHEMA IF NOT EXISTS \(schema);\n" : "")
                    + "CREATE TABLE IF NOT EXISTS \(events) (\(Self.baseDDL), event text, signature text, args jsonb)")
            // A table of that name that is not ours is refused before an index on its columns fails.
            let have = try db.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2",
                [options.schema, options.table]
            ).compactMap { $0.first ?? nil }
            for need in [
                "chain_id", "block_number", "block_hash", "log_index", "cc_stream", "event", "signature", "args",
            ]
            where !have.contains(need) {
                throw .config(
                    "table \(options.schema).\(options.table) is not an events table (it has no column \(need)); "
                        + "choose another --table or --schema")
            }
            return """
                CREATE UNIQUE INDEX IF NOT EXISTS \(SQLIdentifier.quote(base + "_key")) ON \(events)(\(Self.key));
                CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(base + "_address")) ON \(events)(address);
                CREATE INDEX IF NOT EXISTS \(SQLIdentifier.quote(base + "_event")) ON \(events)(event);
                CREATE TABLE IF NOT EXISTS \(schema).cc_checkpoint (
                  stream text NOT NULL, chain_id bigint NOT NULL, filter text NOT NULL, pipeline text NOT NULL,
                  block_number bigint NOT NULL, block_hash text NOT NULL, sink jsonb,
                  updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stream, chain_id, filter, pipeline));
                CREATE TABLE IF NOT EXISTS \(schema).cc_event_tables (
                  signature text PRIMARY KEY, table_name text NOT NULL UNIQUE, columns jsonb NOT NULL);
                """
        }
        try db.exec(
            """
            CREATE TEMP TABLE cc_staging (seq bigint, removed boolean, chain_id bigint, block_number bigint,
              block_hash text, block_time timestamptz, transaction_hash text, transaction_index integer,
              log_index integer, address text, block_timestamp bigint, event text, signature text, args jsonb)
              ON COMMIT DELETE ROWS
            """)
        try loadTables()
    }

    /// Runs schema changes in a transaction of their own, serialized across
    /// every writer of the schema, so concurrent first runs do not race on
    /// `CREATE … IF NOT EXISTS`.
    private func ddl(_ sql: () throws(ChainCastError) -> String) throws(ChainCastError) {
        try db.exec("BEGIN")
        do {
            try db.query("SELECT pg_advisory_xact_lock(hashtext($1))", ["chaincast:" + options.schema])
            let statements = try sql()
            if !statements.isEmpty { try db.exec(statements) }  // an empty query is an error to libpq
            try db.exec("COMMIT")
        } catch {
            try? db.exec("ROLLBACK")
            throw error
        }
    }

    private func loadTables() throws(ChainCastError) {
        let rows = try db.query("SELECT signature, table_name, columns::text FROM \(schema).cc_event_tables")
        for r in rows {
            guard let sig = r[0], let name = r[1], let cols = r[2] else { continue }
            tables[sig] = EventTable(name: name, columns: Self.parseColumns(cols))
        }
    }

    /// `[[key, name, type], …]` as stored in `cc_event_tables.columns`.
    private static func parseColumns(_ text: String) -> [(key: String, name: String, type: String)] {
        var out: [(key: String, name: String, type: String)] = []
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { buf in
            guard let line = try? JSONLine(UnsafeBufferPointer(buf)), line.root.kind == .array else { return }
            for i in 0..<line.root.count {
                guard let c = line.root[i], c.count == 3, let k = c[0], let n = c[1], let t = c[2] else { continue }
                out.append((k.string(), n.string(), t.string()))
            }
        }
        return out
    }

    private static func columnsJSON(_ cols: [(key: String, name: String, type: String)]) -> String {
        var w = JSONWriter(capacity: 256)
        w.raw("[")
        for (i, c) in cols.enumerated() {
            if i > 0 { w.raw(",") }
            w.raw("[")
            w.string(c.key)
            w.raw(",")
            w.string(c.name)
            w.raw(",")
            w.string(c.type)
            w.raw("]")
        }
        w.raw("]")
        return String(decoding: w.bytes, as: UTF8.self)
    }

    // MARK: Checkpoint

    private var streamKey: String { options.stream }
    /// `refuseSharedStream` found no other identity in this stream.
    private var streamChecked = false

    /// A stream is one pipeline: rows carry only its `--stream` name, so a
    /// rewind of one (a fork, or any resume) deletes every row of the stream
    /// above its block. A second chain, filter or pipeline writing under the
    /// same name (two tokens, or shards, without `--stream`) would have its
    /// rows deleted by the first one's resume, with exit 0; it is refused.
    private func refuseSharedStream(_ m: CheckpointMarker) throws(ChainCastError) {
        guard !streamChecked else { return }
        let other = try db.query(
            """
            SELECT chain_id, filter FROM \(schema).cc_checkpoint
            WHERE stream = $1 AND NOT (chain_id = $2 AND filter = $3 AND pipeline = $4) LIMIT 1
            """, [streamKey, String(m.chainId), m.filter.lowercased(), m.effectivePipeline.lowercased()])
        if let r = other.first {
            throw .config(
                "stream '\(streamKey)' in \(db.label) already belongs to another pipeline (cc_checkpoint: chain "
                    + "\(r[0] ?? "?"), filter \(r[1] ?? "?")): its rewinds would delete this one's rows; give each "
                    + "pipeline its own --stream NAME")
        }
        streamChecked = true
    }

    /// The row of this stream for a chain, filter and pipeline.
    func storedCheckpoint(_ m: CheckpointMarker) throws(ChainCastError) -> (UInt64, String)? {
        let rows = try db.query(
            """
            SELECT block_number, block_hash FROM \(schema).cc_checkpoint
            WHERE stream = $1 AND chain_id = $2 AND filter = $3 AND pipeline = $4
            """, [streamKey, String(m.chainId), m.filter.lowercased(), m.effectivePipeline.lowercased()])
        guard let r = rows.first, let b = r[0].flatMap({ UInt64($0) }) else { return nil }
        return (b, r[1] ?? "")
    }

    /// `--checkpoint-from-db`: the checkpoint this stream's row records, for
    /// a worker without a checkpoint file of its own. Nil when there is none
    /// (a first run); 78 when several chains or filters share the stream name.
    package func checkpointFromDatabase() throws(ChainCastError) -> Checkpoint? {
        let rows = try db.query(
            """
            SELECT chain_id, block_number, block_hash, filter, pipeline FROM \(schema).cc_checkpoint
            WHERE stream = $1
            """, [streamKey])
        guard let r = rows.first else { return nil }
        if rows.count > 1 {
            throw .config(
                "cc_checkpoint holds \(rows.count) rows for stream '\(streamKey)' (several chains, filters or "
                    + "pipelines): give each pipeline its own --stream name")
        }
        guard let chain = r[0].flatMap({ UInt64($0) }), let block = r[1].flatMap({ UInt64($0) }), let hash = r[2],
            let filter = r[3], let pipeline = r[4]
        else { throw .internalError("cc_checkpoint row with NULL values") }
        return Checkpoint(
            chainId: chain, blockNumber: block, blockHash: hash, filter: filter,
            pipeline: pipeline == filter ? nil : pipeline, sink: state())
    }

    package func resume(from checkpoint: CheckpointMarker?, state: SinkState?) throws(ChainCastError) {
        guard let checkpoint else { return }
        if let state { try state.expectType(kind) }
        try refuseSharedStream(checkpoint)
        guard let (block, hash) = try storedCheckpoint(checkpoint) else {
            throw .config(
                "checkpoint file names block \(checkpoint.blockNumber) of chain \(checkpoint.chainId), but "
                    + "\(db.label) has no cc_checkpoint row for that chain, filter and pipeline"
                    + (streamKey.isEmpty ? "" : " of stream '\(streamKey)'")
                    + ": is this the database (and --schema, --stream) the checkpoint was written for?")
        }
        if block < checkpoint.blockNumber {
            throw .config(
                "checkpoint file is at block \(checkpoint.blockNumber), but \(db.label) only has data up to block "
                    + "\(block): the database was replaced or restored; use a fresh checkpoint file")
        }
        if block == checkpoint.blockNumber && hash.lowercased() != checkpoint.blockHash.lowercased() {
            throw .config(
                "checkpoint file names block \(checkpoint.blockNumber) with hash \(checkpoint.blockHash), but "
                    + "\(db.label) committed hash \(hash) for that block")
        }
    }

    private func state() -> SinkState {
        .postgres(schema: options.schema, table: options.table, stream: options.stream)
    }

    // MARK: Events

    private static let largest = UInt64(Int64.max)

    package func check(_ e: DecodedEvent) throws(ChainCastError) {
        try Self.refuseNumbers(e)
        guard options.perEventTables, !e.removed, let sig = e.signature, sig.kind == .string else { return }
        let text = signatureText(sig)
        if lastKeys == nil || !Self.sameKeys(e.args, lastKeys!) {
            try ensureTable(for: e, signature: text)
            var keys: [[UInt8]] = []
            e.args?.forEachFirstMember { k, _ in
                var b: [UInt8] = []
                k.unescapedBytes(into: &b)
                keys.append(b)
            }
            lastKeys = keys
        }
        if let t = tables[text], let args = e.args { try Self.refuseUnfit(args, in: t) }
    }

    /// An argument its typed column cannot hold (`"0x10"` or `5.5` for a
    /// uint256, `"yes"` for a bool: a hand-made stream) is refused here, as
    /// bad data with its line, rather than failing the cast in the merge:
    /// that would fail the whole batch on every rerun, `--skip-invalid` or not.
    private static func refuseUnfit(_ args: JSONValue, in t: EventTable) throws(ChainCastError) {
        var unfit: (key: String, column: String, type: String, value: String)?
        args.forEachFirstMemberAndPosition { k, v, position in
            guard unfit == nil else { return }
            // Usually the column at the same position, compared without making a String.
            let c: (key: String, name: String, type: String)?
            if position < t.columns.count, !k.hasEscapes, t.columns[position].key.utf8.elementsEqual(k.stringContents) {
                c = t.columns[position]
            } else {
                let key = PostgresSQL.key(k)
                c = t.columns.first { $0.key == key }
            }
            guard let c, !PostgresSideTables.fits(v, c.type) else { return }
            unfit = (c.key, c.name, c.type, DecodedEvent.excerpt(v))
        }
        if let u = unfit {
            throw .data(
                "cannot store this event in table \(t.name): argument \(u.key) is \(u.value), which its column "
                    + "\(u.column) (\(u.type)) cannot hold")
        }
    }

    /// Every event and stored raw log passes here: the comparisons come
    /// first, and only a number that does not fit builds the message.
    private static func refuseNumbers(_ e: DecodedEvent, _ what: String = "event") throws(ChainCastError) {
        guard
            e.blockNumber > Self.largest || (e.chainId ?? 0) > Self.largest || (e.blockTimestamp ?? 0) > Self.largest
                || (e.transactionIndex ?? 0) > UInt64(Int32.max) || e.logIndex > UInt64(Int32.max)
        else { return }
        for (v, name) in [
            (e.chainId, "chainId"), (e.blockNumber, "blockNumber"), (e.blockTimestamp, "blockTimestamp"),
        ] {
            if let v, v > Self.largest {
                throw .data("cannot store this \(what) in PostgreSQL: \(name) \(v) is above \(Self.largest) (bigint)")
            }
        }
        for (v, name) in [(e.transactionIndex, "transactionIndex"), (Optional(e.logIndex), "logIndex")] {
            if let v, v > UInt64(Int32.max) {
                throw .data("cannot store this \(what) in PostgreSQL: \(name) \(v) is above \(Int32.max) (integer)")
            }
        }
    }

    /// The signature as text, reused while consecutive events share it.
    private func signatureText(_ sig: JSONValue) -> String {
        keyScratch.removeAll(keepingCapacity: true)
        sig.unescapedBytes(into: &keyScratch)
        if keyScratch != lastSignatureBytes {
            lastSignatureBytes = keyScratch
            lastSignatureText = String(decoding: keyScratch, as: UTF8.self)
            lastKeys = nil
        }
        return lastSignatureText
    }

    /// Whether the args object's member names are `known`, in order (no allocation without escapes).
    private static func sameKeys(_ args: JSONValue?, _ known: [[UInt8]]) -> Bool {
        guard let args, args.kind == .object else { return known.isEmpty }
        guard args.count == known.count else { return false }
        var i = 0
        var same = true
        args.forEachMember { k, _ in
            if same { same = !k.hasEscapes && FieldName.same(k.stringContents, known[i]) }
            i += 1
        }
        return same
    }

    package func append(_ e: DecodedEvent) throws(ChainCastError) {
        seq += 1
        copy.int(seq)
        copy.bool(e.removed)
        copy.int(e.chainId ?? 0)
        copy.int(e.blockNumber)
        copy.string(e.blockHash)
        copy.null()  // block_time: computed from block_timestamp in the merge
        copy.string(e.transactionHash)
        copy.int(e.transactionIndex)
        copy.int(e.logIndex)
        copy.string(e.address)
        copy.int(e.blockTimestamp)
        copy.string(e.event)
        copy.string(e.signature)
        copy.json(e.args)
        copy.endRow()
        shape.add(block: e.blockNumber, log: e.logIndex, chain: e.chainId ?? 0, removed: e.removed)
        if options.perEventTables, let sig = e.signature, sig.kind == .string {
            let s = signatureText(sig)
            if tables[s] != nil { touched.insert(s) }
        }
        pendingEvents += 1
    }

    package func checkRawLog(_ log: DecodedEvent) throws(ChainCastError) { try Self.refuseNumbers(log, "raw log") }

    /// `--raw-logs store`: into `raw_logs`, never as a half-empty event row.
    package func appendRawLog(_ log: DecodedEvent) throws(ChainCastError) {
        if !side.rawReady {
            if inTransaction { try flush() }
            try ddl { () throws(ChainCastError) in try side.rawLogsDDL() }
            try side.prepareRawLogs()
        }
        seq += 1
        side.appendRawLog(log, seq: seq)
        pendingEvents += 1
    }

    /// A plain record, into the records table; a new key or a value its
    /// column cannot hold changes the table first, outside any data transaction.
    package func appendRecord(_ record: JSONValue, at position: RecordPosition) throws(ChainCastError) {
        guard record.kind == .object else { throw .data("a record that is not a JSON object") }
        if side.needsDDL(record) {
            if inTransaction { try flush() }
            try ddl { () throws(ChainCastError) -> String in try side.recordsDDL(for: record) }
            try side.prepareRecords()
        }
        seq += 1
        side.appendRecord(record, at: position, seq: seq)
        pendingEvents += 1
    }

    /// Creates the signature's table, or adds columns for arguments it has
    /// not seen, committing any open data transaction first (what is staged
    /// stays staged) so schema locks are never taken inside one.
    private func ensureTable(for e: DecodedEvent, signature: String) throws(ChainCastError) {
        // Each key once, with its parameter's position (which a repeated key does not shift).
        var keys: [(key: String, position: Int)] = []
        if let args = e.args, args.kind == .object {
            args.forEachFirstMemberAndPosition { k, _, p in keys.append((PostgresSQL.key(k), p)) }
        }
        if let t = tables[signature], keys.allSatisfy({ k in t.columns.contains { $0.key == k.key } }) { return }
        // PostgreSQL's limit, checked before anything is created: the ALTER would
        // fail the batch on every rerun; this refuses the one event instead.
        let have = tables[signature]?.columns ?? []
        let columns = Self.baseColumnCount + have.count + keys.filter { k in !have.contains { $0.key == k.key } }.count
        try TableWidth.check(
            columns, limit: PostgresSQL.maxColumns, database: "PostgreSQL", storing: TableWidth.event(e),
            in: "a per-event table", isEvent: true)
        if inTransaction { try flush() }
        try ddl { () throws(ChainCastError) -> String in
            try loadTables()  // another writer may have created it meanwhile
            let sig = EventSignature(signature)
            var sql = ""
            var t: EventTable
            // Every relation of the schema (tables and indexes share one namespace), and those this DDL adds.
            var relations = Set(
                try db.query(
                    "SELECT lower(relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = $1", [options.schema]
                ).compactMap { $0.first ?? nil })
            if let found = tables[signature] {
                t = found
            } else {
                var taken = relations
                taken.formUnion([
                    options.table.lowercased(), options.recordsTable.lowercased(), PostgresSideTables.rawLogsName,
                    "cc_checkpoint", "cc_event_tables", "cc_record_columns", "cc_staging",
                ])
                let base = SQLIdentifier.sanitize(sig?.name ?? e.event?.string() ?? "event")
                let name = SQLIdentifier.unique(
                    base.lowercased().hasPrefix("cc_") ? "_" + base : base, avoiding: taken, alsoFree: "_key")
                t = EventTable(name: name, columns: [])
                relations.formUnion([name.lowercased(), name.lowercased() + "_key"])
                let q = schema + "." + SQLIdentifier.quote(name)
                sql += """
                    CREATE TABLE \(q) (\(Self.baseDDL));
                    CREATE UNIQUE INDEX \(SQLIdentifier.quote(name + "_key")) ON \(q)(\(Self.key));

                    """
            }
            let q = schema + "." + SQLIdentifier.quote(t.name)
            for (key, position) in keys where !t.columns.contains(where: { $0.key == key }) {
                let abi = sig.flatMap { position < $0.types.count ? $0.types[position] : nil } ?? "string"
                let type = PostgresSQL.columnType(for: abi)
                var taken = Set(Self.baseColumns.split(separator: ",").map { $0.trimmingCharacters(in: " ") })
                for c in t.columns { taken.insert(c.name.lowercased()) }
                let name = SQLIdentifier.unique(SQLIdentifier.sanitize(key), avoiding: taken)
                sql += "ALTER TABLE \(q) ADD COLUMN \(SQLIdentifier.quote(name)) \(type);\n"
                if abi.filter({ $0 != " " }) == "address" {
                    // Cut to 60 bytes, a long table and column name could name an existing relation.
                    let index = SQLIdentifier.unique(SQLIdentifier.sanitize(t.name + "_" + name), avoiding: relations)
                    relations.insert(index.lowercased())
                    sql += "CREATE INDEX \(SQLIdentifier.quote(index)) ON \(q)(\(SQLIdentifier.quote(name)));\n"
                }
                t.columns.append((key, name, type))
            }
            sql += """
                INSERT INTO \(schema).cc_event_tables (signature, table_name, columns)
                VALUES (\(PostgresSQL.literal(signature)), \(PostgresSQL.literal(t.name)), \
                \(PostgresSQL.literal(Self.columnsJSON(t.columns)))::jsonb)
                ON CONFLICT (signature) DO UPDATE SET columns = excluded.columns
                """
            tables[signature] = t
            return sql
        }
    }

    /// Copies the staged rows into the open transaction (opening one) and
    /// merges them into every table they belong to.
    private func applyStaged() throws(ChainCastError) {
        if !inTransaction {
            try db.exec("BEGIN")
            inTransaction = true
        }
        guard copy.rows > 0 || side.hasRows else { return }
        try rolledBackOnError { () throws(ChainCastError) in
            var sql = try side.copyStaged()
            guard copy.rows > 0 else {
                try db.exec(sql)
                return
            }
            try db.copyIn(
                """
                COPY cc_staging (seq, removed, chain_id, block_number, block_hash, block_time, transaction_hash,
                  transaction_index, log_index, address, block_timestamp, event, signature, args) FROM STDIN
                """, copy.bytes)
            let base = Self.baseColumns.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
            let stream = PostgresSQL.literal(options.stream)
            let baseValues = base.map {
                $0 == "block_time" ? "to_timestamp(s.block_timestamp)" : $0 == "cc_stream" ? stream : "s.\($0)"
            }
            var targets = [
                (events, base + ["event", "signature", "args"], baseValues + ["s.event", "s.signature", "s.args"], "")
            ]
            for sig in touched.sorted() {
                guard let t = tables[sig] else { continue }
                targets.append(
                    (
                        schema + "." + SQLIdentifier.quote(t.name),
                        base + t.columns.map { SQLIdentifier.quote($0.name) },
                        baseValues + t.columns.map { PostgresSQL.extract($0.key, as: $0.type) },
                        " AND s.signature = \(PostgresSQL.literal(sig))"
                    ))
            }
            sql += "TRUNCATE cc_staging"
            if try insertsOnly(targets) {
                try db.exec(sql)
                return
            }
            var merges = ""
            for (table, cols, values, extra) in targets {
                merges += Self.mergeSQL(
                    table: table, staging: "cc_staging", key: Self.key, columns: cols, values: values,
                    removable: shape.removals, where: extra)
            }
            try db.exec(merges + sql)
        }
        copy.reset()
        shape.reset()
        touched.removeAll(keepingCapacity: true)
    }

    /// A failed statement abandons the batch: the database is exactly its last commit.
    private func rolledBackOnError(_ body: () throws(ChainCastError) -> Void) throws(ChainCastError) {
        do { try body() } catch {
            if inTransaction, !db.isBroken { try? db.exec("ROLLBACK") }
            inTransaction = false
            copy.reset()
            shape.reset()
            side.reset()
            touched.removeAll()
            pendingEvents = 0
            throw error
        }
    }

    package func flush() throws(ChainCastError) {
        if copy.rows > 0 || side.hasRows || inTransaction {
            try applyStaged()
            try rolledBackOnError { () throws(ChainCastError) in try db.exec("COMMIT") }
            inTransaction = false
        }
        pendingEvents = 0
    }

    package func commit(_ checkpoint: CheckpointMarker) throws(ChainCastError) -> SinkState {
        if checkpoint.chainId > Self.largest || checkpoint.blockNumber > Self.largest {
            throw .data("checkpoint marker's numbers are above \(Self.largest), the largest bigint")
        }
        try applyStaged()
        let st = state().jsonText
        try rolledBackOnError { () throws(ChainCastError) in
            try refuseSharedStream(checkpoint)
            try db.query(
                """
                INSERT INTO \(schema).cc_checkpoint
                  (stream, chain_id, filter, pipeline, block_number, block_hash, sink, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, now())
                ON CONFLICT (stream, chain_id, filter, pipeline) DO UPDATE SET block_number = excluded.block_number,
                  block_hash = excluded.block_hash, sink = excluded.sink, updated_at = excluded.updated_at
                """,
                [
                    streamKey, String(checkpoint.chainId), checkpoint.filter.lowercased(),
                    checkpoint.effectivePipeline.lowercased(), String(checkpoint.blockNumber), checkpoint.blockHash, st,
                ])
        }
        try flush()
        return state()
    }

    /// Deletes every row of this stream above the block for the chain (staged rows before
    /// it are merged first, so order is kept) and moves this chain's
    /// checkpoint rows above it back, in the open transaction; the next
    /// commit makes it durable.
    package func rewind(_ r: RewindRecord) throws(ChainCastError) -> RewindRetraction {
        try applyStaged()
        try rolledBackOnError { () throws(ChainCastError) in
            let chain = String(r.chainId)
            let block = String(r.blockNumber)
            for t in [events] + tables.values.map({ schema + "." + SQLIdentifier.quote($0.name) }).sorted() {
                try db.query(
                    "DELETE FROM \(t) WHERE block_number > $1 AND chain_id = $2 AND cc_stream = $3",
                    [block, chain, streamKey])
            }
            let more = try side.rewindSQL(chain: r.chainId, above: r.blockNumber)
            if !more.isEmpty { try db.exec(more) }
            try db.query(
                """
                UPDATE \(schema).cc_checkpoint SET block_number = $1, block_hash = $2, updated_at = now()
                WHERE chain_id = $3 AND block_number > $1 AND stream = $4
                """, [block, r.blockHash, chain, streamKey])
        }
        pendingEvents += 1
        return .withNextCommit(state: state())
    }

    package func finish(cleanEnd: Bool) throws(ChainCastError) -> SinkState? {
        try flush()
        return nil
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(self.drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}
