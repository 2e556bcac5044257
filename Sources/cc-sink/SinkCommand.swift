import ArgumentParser
import CCCLI

struct SinkCommand: ChainCastCommand {
    static let toolName = "cc-sink"
    static let configuration = CommandConfiguration(
        commandName: "cc-sink",
        abstract: "Write decoded events to SQLite, PostgreSQL, files or a webhook, and commit the checkpoint.",
        discussion: """
            Reads decoded events and checkpoint markers (NDJSON, see chaincast(7)) from standard input or \
            INPUT. At every checkpoint marker everything above it is made durable first, then the checkpoint \
            file names the marker's block. Kill any stage of the pipeline, run the same command line again, \
            and the destination ends with exactly the events of the range.

            Examples:
              cc-fetch --rpc $RPC --from 19000000 --to 19001000 --checkpoint ck.json \\
                | cc-decode --abi erc20 --unknown drop \\
                | cc-sink sqlite usdc.db --checkpoint ck.json
              cc-sink file 'out/{event}-{from}-{to}.ndjson' --rotate-blocks 10000 \\
                --checkpoint files.ck < events.ndjson
              CC_WEBHOOK_SECRET=s3cret cc-sink webhook https://hooks.example.com/in \\
                --checkpoint hook.ck
            """,
        subcommands: [SQLiteCommand.self, PostgresCommand.self, FileCommand.self, WebhookCommand.self])

    /// Without a destination there is nothing to do: a usage error (64) on
    /// stderr, as every other command's missing argument, not help on stdout
    /// and 0, which a pipeline would take for success.
    func run() throws {
        throw ValidationError("say where to write: cc-sink sqlite|postgres|file|webhook … (see cc-sink --help)")
    }
}
