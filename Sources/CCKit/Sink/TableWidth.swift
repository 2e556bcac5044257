import CCCore
import CCStream

/// A table may have only so many columns (SQLite 2,000 by default, PostgreSQL
/// 1,600). An event or record that would widen one past that is refused here,
/// before any column is added, as bad data on its line: the failing ALTER
/// would otherwise fail its batch the same way on every rerun.
enum TableWidth {
    /// Refuses `what` ("event …", "this record") when `table` would need
    /// `needed` columns. Events can be set aside with `--skip-invalid`, so
    /// their refusal says how.
    static func check(
        _ needed: Int, limit: Int, database: String, storing what: String, in table: String, isEvent: Bool
    ) throws(ChainCastError) {
        guard needed > limit else { return }
        throw .data(
            "cannot store \(what) in \(table): it needs \(needed) columns and \(database) allows \(limit) per table"
                + (isEvent ? " " + SQLiteLimits.skipHint : ""))
    }

    /// How an event is named in the refusal: its signature, cut short.
    static func event(_ e: DecodedEvent) -> String {
        "event " + (e.signature.map { DecodedEvent.excerpt($0) } ?? "without a signature")
    }
}
