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

    @OptionGroup var tables: TableOptions

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
        if schema.isEmpty { throw ValidationError("--schema must not be empty") }
        // PostgreSQL cuts longer names to 63 bytes without a word, so two such
        // names would write the same schema or table.
        for (option, name) in [
            ("--schema", schema), ("--table", tables.table), ("--records-table", tables.recordsTable),
        ]
        where name.utf8.count > 63 {
            throw ValidationError(
                "\(option) is \(name.utf8.count) bytes long; PostgreSQL names hold at most 63 (it would cut it short)")
        }
        try tables.check(enginePrefix: "pg_", engine: "PostgreSQL")
        if (checkpointFromDb || printCheckpoint) && common.checkpoint == nil {
            throw ValidationError("--checkpoint-from-db and --print-checkpoint need --checkpoint FILE")
        }
    }

    func run() throws {
        var options = PostgresSink.Options(conninfo: conninfo)
        options.schema = schema
        options.table = tables.table
        options.perEventTables = tables.tables == .perEvent
        options.stream = stream
        options.recordsTable = tables.recordsTable
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
