import ArgumentParser
import CCCore
import CCSink
import CCStream

#if canImport(Glibc)
    import Glibc
#endif

struct PostgresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Upsert events into PostgreSQL (COPY into a staging table, one set-based merge per batch).",
        discussion: """
            CONNINFO is libpq's: a postgresql:// URI or key=value pairs; what it leaves out comes from the \
            PG* environment variables, ~/.pgpass and service files ("" takes everything from them). A \
            password in CONNINFO is refused (status 64): put it in PGPASSWORD, ~/.pgpass or a service file. \
            Events go to one table (events, or --table) unique on (block_number, chain_id, block_hash, \
            log_index), with jsonb args; --tables per-event adds one typed table per event signature \
            (numeric(78,0) for wide integers, bigint, boolean, jsonb for arrays and tuples, text for \
            addresses, bytes and strings). The checkpoint row in cc_checkpoint, keyed by (--stream, chain, \
            filter, pipeline), commits in the same transaction as its data, so many cc-sink processes can \
            write the same tables at once. Plain records go to the records table (--records-table), raw logs \
            with --raw-logs store to raw_logs.

            Example:
              PGPASSWORD=... cc-sink postgres 'host=db dbname=chain user=etl' \\
                --checkpoint ck.json --tables per-event
              psql -c "select sum(value) from \\"Transfer\\" \\
                where value >= 1000000000000000000"
            """)

    @Argument(help: ArgumentHelp("libpq connection string or URI (no password).", valueName: "CONNINFO"))
    var conninfo: String

    @Argument(help: ArgumentHelp("Input file (default: standard input).", valueName: "INPUT"))
    var input: String = "-"

    @Option(name: .long, help: ArgumentHelp("Schema of every table (created when missing).", valueName: "NAME"))
    var schema = "public"

    @Option(name: .long, help: ArgumentHelp("Table for all events.", valueName: "NAME"))
    var table = "events"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "per-event: also one typed table per event signature, created when first seen.", valueName: "LAYOUT"))
    var tables: SQLiteCommand.TableLayout = .single

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Table for plain records (a cc-filter --map reshape, an --agg row): one column per key.",
            valueName: "NAME"))
    var recordsTable = "records"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "This writer's name in cc_checkpoint (a shard: 2/8), so writers of the same chain and filter keep "
                + "checkpoints of their own.", valueName: "NAME"))
    var stream = ""

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "When the --checkpoint file is missing, write it from this stream's cc_checkpoint row first "
                + "(a worker without a volume resumes from the database)."))
    var checkpointFromDb = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Only write the --checkpoint file from this stream's cc_checkpoint row (for cc-fetch), then exit; "
                + "no row: the file is removed."))
    var printCheckpoint = false

    @OptionGroup var common: SinkOptions

    func validate() throws {
        if table.isEmpty { throw ValidationError("--table must not be empty") }
        if schema.isEmpty { throw ValidationError("--schema must not be empty") }
        let lower = table.lowercased()
        if lower.hasPrefix("cc_") || lower.hasPrefix("pg_") {
            throw ValidationError(
                "--table \(table): names starting with cc_ (the sink's own tables) or pg_ (PostgreSQL's) are reserved")
        }
        for (option, name) in [("--records-table", recordsTable)] {
            let l = name.lowercased()
            if l.isEmpty { throw ValidationError("\(option) must not be empty") }
            if l.hasPrefix("cc_") || l.hasPrefix("pg_") || l == "raw_logs" {
                throw ValidationError(
                    "\(option) \(name): names starting with cc_ or pg_, and raw_logs, are reserved")
            }
        }
        if recordsTable.lowercased() == lower { throw ValidationError("--records-table must differ from --table") }
        if lower == "raw_logs" { throw ValidationError("--table raw_logs: the name is reserved (--raw-logs store)") }
        if (checkpointFromDb || printCheckpoint) && common.checkpoint == nil {
            throw ValidationError("--checkpoint-from-db and --print-checkpoint need --checkpoint FILE")
        }
    }

    func run() throws {
        var options = PostgresSink.Options(conninfo: conninfo)
        options.schema = schema
        options.table = table
        options.perEventTables = tables == .perEvent
        options.stream = stream
        options.recordsTable = recordsTable
        let sink = try PostgresSink(options)
        if let path = common.checkpoint, checkpointFromDb || printCheckpoint {
            let file = CheckpointFile(path: path)
            if printCheckpoint {
                if let c = try sink.checkpointFromDatabase() {
                    try file.write(c)
                } else {
                    // A stale file from an earlier job must not resume a stream the database never saw.
                    if unlink(path) != 0 && errno != ENOENT {
                        throw ChainCastError.io("cannot remove \(path): \(String(cString: strerror(errno)))")
                    }
                }
                return
            }
            if try file.read() == nil, let c = try sink.checkpointFromDatabase() {
                try file.write(c)
                if common.verbose {
                    Diagnostics.error(
                        SinkCommand.toolName, "checkpoint from the database: block \(c.blockNumber) (\(path))")
                }
            }
        }
        try common.run(sink, input: input, policy: common.policy(defaultBatchSize: 20_000))
    }
}
