import CCCore

/// What the sink knows about the events staged for a batch, to merge the
/// common case, a backfill's fresh blocks, as cheaply as `COPY` would.
///
/// A batch whose events come in strictly increasing (block, log index)
/// order, from one chain, without removals, has no log twice; when no table
/// holds a row in its block range yet, none of its rows can conflict, so
/// plain `INSERT … SELECT` in staging order does (an upsert's speculative
/// insertion costs about twice as much, and the sort for "last wins" is not
/// needed). A writer that inserts into the same range between the probe and
/// the insert makes it fail on the unique key: the batch then falls back to
/// the merge, from a savepoint.
struct PostgresBatchShape {
    private(set) var ordered = true
    private(set) var removals = false
    private(set) var first: UInt64 = 0
    private(set) var last: UInt64 = 0
    private var lastLog: UInt64 = 0
    private var chain: UInt64 = 0
    private var count = 0

    mutating func add(block: UInt64, log: UInt64, chain c: UInt64, removed: Bool) {
        if removed {
            removals = true
            ordered = false
        }
        if count == 0 {
            first = block
            chain = c
        } else if c != chain || block < last || (block == last && log <= lastLog) {
            ordered = false
        }
        last = max(last, block)
        lastLog = log
        count += 1
    }

    mutating func reset() { self = PostgresBatchShape() }
}

extension PostgresSink {
    /// With an ordered batch and no row of any target table in its block
    /// range: inserts every target's rows from the staging table (already
    /// copied) and returns true. Otherwise, or when another writer got there
    /// first, returns false with nothing inserted.
    func insertsOnly(_ targets: [(String, [String], [String], String)]) throws(ChainCastError) -> Bool {
        guard shape.ordered else { return false }
        let range = "block_number BETWEEN \(shape.first) AND \(shape.last)"
        let probe = targets.map { "EXISTS (SELECT 1 FROM \($0.0) WHERE \(range))" }.joined(separator: " OR ")
        guard try db.query("SELECT " + probe).first?.first == "f" else { return false }
        var sql = "SAVEPOINT cc_fast;\n"
        for (table, cols, values, extra) in targets {
            sql += """
                INSERT INTO \(table) (\(cols.joined(separator: ", ")))
                SELECT \(values.joined(separator: ", ")) FROM cc_staging s WHERE true\(extra);

                """
        }
        do {
            try db.exec(sql + "RELEASE SAVEPOINT cc_fast")
        } catch {
            guard db.lastErrorState == "23505", !db.isBroken else { throw error }
            try db.exec("ROLLBACK TO SAVEPOINT cc_fast; RELEASE SAVEPOINT cc_fast")
            return false
        }
        return true
    }

    /// The merge of a staging table into `table`: per `key`, the row staged
    /// last wins; with `removable`, a removal deletes; every other row is an
    /// upsert on `conflictKey` (default `key`), taken in key order so two
    /// writers never lock rows in opposite orders.
    static func mergeSQL(
        table: String, staging: String, key: String, columns: [String], values: [String], removable: Bool,
        conflictKey: String? = nil, where extra: String = ""
    ) -> String {
        let keyColumns = key.split(separator: ",").map { $0.filter { $0 != " " } }
        let conflict = conflictKey ?? key
        let conflictColumns = conflict.split(separator: ",").map { $0.filter { $0 != " " } }
        let latest = "(SELECT DISTINCT ON (\(key)) * FROM \(staging) ORDER BY \(key), seq DESC) s"
        let updates = columns.filter { !conflictColumns.contains($0) }.map { "\($0) = excluded.\($0)" }
        var sql = ""
        if removable {
            let match = keyColumns.map { "t.\($0) = s.\($0)" }.joined(separator: " AND ")
            sql += "DELETE FROM \(table) t USING \(latest) WHERE s.removed\(extra) AND \(match);\n"
        }
        return sql + """
            INSERT INTO \(table) (\(columns.joined(separator: ", ")))
            SELECT \(values.joined(separator: ", ")) FROM \(latest) WHERE \(removable ? "NOT s.removed" : "true")\(extra)
            ORDER BY \(key)
            ON CONFLICT (\(conflict)) DO \(updates.isEmpty ? "NOTHING" : "UPDATE SET " + updates.joined(separator: ", "));

            """
    }

}
