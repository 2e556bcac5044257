import ArgumentParser
import CCCLI
import CCSink

struct SQLiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sqlite",
        abstract: "Upsert events into an SQLite database (WAL mode; readers can query while it writes).",
        discussion: """
            Events go to one table (events, or --table NAME), one row per log: unique on (block_number, \
            chain_id, block_hash, log_index), which is also the block_number index. args are JSON text with integer arguments as JSON numbers, so json_extract(args, '$.value') compares \
            as a number. Per-event tables store integers wider than 64 bits as exact text declared COLLATE \
            decimal (numeric comparisons and order in the sqlite3 shell; decimal_sum() sums exactly); address \
            columns are COLLATE NOCASE and indexed. An event with "removed": true deletes \
            its row. The checkpoint is also kept in the table cc_checkpoint, inside the transaction that holds \
            the data it covers.

            Example:
              cc-sink sqlite usdc.db --checkpoint ck.json --tables per-event
              sqlite3 usdc.db "select count(*), decimal_sum(value) from Transfer \\
                where value >= 1000000000000000000"
            """)

    @Argument(help: ArgumentHelp("SQLite database file (created when missing).", valueName: "DB"))
    var database: String

    @Argument(help: ArgumentHelp("Input file (default: standard input).", valueName: "INPUT"))
    var input: String = "-"

    @OptionGroup var tables: TableOptions

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How long a write waits for another writer's lock before giving up with status 75 (500ms, 30s).",
            valueName: "DURATION"))
    var busyTimeout = DurationArgument("10s")

    @OptionGroup var common: SinkOptions

    func validate() throws {
        try tables.check(enginePrefix: "sqlite_", engine: "SQLite")
        guard busyTimeout.seconds * 1000 <= Double(Int32.max) else {
            throw ValidationError(
                "--busy-timeout: at most \(Int32.max / 1000) seconds, got '\(busyTimeout.defaultValueDescription)'")
        }
    }

    func run() throws {
        var options = SQLiteSink.Options(path: database)
        options.table = tables.table
        options.perEventTables = tables.tables == .perEvent
        options.recordsTable = tables.recordsTable
        options.busyTimeoutMilliseconds = Int32(busyTimeout.seconds * 1000)
        options.checkpointPath = common.checkpoint
        let sink = try SQLiteSink(options)
        try common.run(sink, input: input, policy: common.policy(defaultBatchSize: 10_000))
    }
}
