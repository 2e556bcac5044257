import ArgumentParser

/// The table options the SQL sinks share, and the one rule for the names a
/// user may give them: not empty, not the sink's own (`cc_`), not the
/// engine's (`sqlite_`, `pg_`), not `raw_logs` (`--raw-logs store`), and not
/// the same table twice.
struct TableOptions: ParsableArguments {
    enum Layout: String, ExpressibleByArgument, CaseIterable {
        case single
        case perEvent = "per-event"
    }

    @Option(name: .long, help: ArgumentHelp("Table for all events.", valueName: "NAME"))
    var table = "events"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "per-event: also one typed table per event signature, created when first seen.", valueName: "LAYOUT"))
    var tables: Layout = .single

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Table for plain records (a cc-filter --map reshape, an --agg row): one column per key.",
            valueName: "NAME"))
    var recordsTable = "records"

    /// `enginePrefix`: the names the database keeps for itself (`sqlite_`, `pg_`).
    func check(enginePrefix: String, engine: String) throws {
        for (option, name) in [("--table", table), ("--records-table", recordsTable)] {
            let lower = name.lowercased()
            if lower.isEmpty { throw ValidationError("\(option) must not be empty") }
            if lower.hasPrefix("cc_") || lower.hasPrefix(enginePrefix) {
                throw ValidationError(
                    "\(option) \(name): names starting with cc_ (the sink's own tables) or \(enginePrefix) "
                        + "(\(engine)'s) are reserved")
            }
            if lower == "raw_logs" {
                throw ValidationError("\(option) \(name): the name is reserved (--raw-logs store)")
            }
        }
        if recordsTable.lowercased() == table.lowercased() {
            throw ValidationError("--records-table must differ from --table")
        }
    }
}
