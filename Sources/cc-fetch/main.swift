// `plan` shares --from, --to and --shard-chunk with the fetch itself, which
// the parser would give to the parent command: it is dispatched here instead
// (it stays listed as a subcommand for --help).
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "plan" {
    Plan.runAsChainCast(Array(CommandLine.arguments.dropFirst(2)))
}
FetchCommand.runAsChainCast()
