import CCTestSupport
import Foundation
import Testing

/// Every example command line in the commands' `--help` and in the EXAMPLES
/// sections of the manuals runs: against the fixture node (`$RPC`), the
/// fixture webhook receiver (for `https://hooks.example.com`), a throwaway
/// PostgreSQL cluster (for the `cc-sink postgres` lines) and input files made
/// from the fixture chain, each block of examples in a fresh directory. An
/// example that names a placeholder (`...`, an elided address) or a file no
/// reader has fails here, so the manuals cannot drift into commands that do
/// not work.
@Suite(.serialized) struct HelpExamplesTests {
    /// Each command whose `--help` has an `Example(s):` block.
    static let helpCommands: [[String]] = [
        ["cc-fetch"], ["cc-fetch", "probe"], ["cc-fetch", "plan"], ["cc-decode"], ["cc-filter"],
        ["cc-sink"], ["cc-sink", "sqlite"], ["cc-sink", "postgres"], ["cc-sink", "file"], ["cc-sink", "webhook"],
    ]

    /// The command lines of every `Example:`/`Examples:` block of a help text:
    /// the indented lines up to the next blank one, `\` continuations joined.
    /// An unindented line inside a block is an example the help wrapped at
    /// its 80 columns, which a reader cannot paste: returned as is, to fail.
    static func examples(inHelp text: String) -> [String] {
        var out: [String] = []
        var inBlock = false
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "Example:" || trimmed == "Examples:" {
                inBlock = true
                continue
            }
            guard inBlock else { continue }
            if trimmed.isEmpty {
                inBlock = false
                continue
            }
            if !line.hasPrefix(" ") {
                out.append("(wrapped at 80 columns) " + trimmed)
                continue
            }
            if trimmed.hasSuffix("\\") {
                pending += trimmed.dropLast().trimmingCharacters(in: .whitespaces) + " "
                continue
            }
            out.append(pending + trimmed)
            pending = ""
        }
        return out
    }

    /// The scripts of a manual's EXAMPLES section: each `.nf` block, roff
    /// escapes undone, as the shell text a reader would paste.
    static func examples(inManual text: String) -> [String] {
        guard let start = text.range(of: "\n.SH EXAMPLES\n") else { return [] }
        var section = text[start.upperBound...]
        if let end = section.range(of: "\n.SH ") { section = section[..<end.lowerBound] }
        var out: [String] = []
        var block: [String]?
        for raw in section.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.hasPrefix(".nf") {
                block = []
            } else if line.hasPrefix(".fi") {
                if let b = block, !b.isEmpty { out.append(b.joined(separator: "\n")) }
                block = nil
            } else if !line.hasPrefix(".") {
                block?.append(unroff(line))
            }
        }
        return out
    }

    static func unroff(_ s: String) -> String {
        var t = s
        for (a, b) in [
            ("\\(aq", "'"), ("\\(dq", "\""), ("\\(ga", "`"), ("\\(rs", "\\"), ("\\e", "\\"), ("\\-", "-"),
            ("\\&", ""), ("\\fB", ""), ("\\fI", ""), ("\\fR", ""), ("\\fP", ""), ("\\|", ""), ("\\(em", "—"),
            ("\\(en", "–"), ("\\ ", " "),
        ] {
            t = t.replacingOccurrences(of: a, with: b)
        }
        return t
    }

    /// Raw logs and decoded events from the fixture chain, for examples that read files or stdin.
    struct Inputs {
        let logs: String
        let events: String
        /// An ERC-20 contract of the fixture chain: it stands in for the examples' USDC.
        let token: String
    }

    static func makeInputs(rpc: String) throws -> Inputs {
        let logs = try BuiltBinaries.run("cc-fetch", ["--rpc", rpc, "--from", "19000000", "--to", "19000020"])
        try #require(logs.status == 0, "\(logs.stderr)")
        let events = try BuiltBinaries.run("cc-decode", ["--abi", "erc20", "--unknown", "drop"], stdin: logs.stdout)
        try #require(events.status == 0, "\(events.stderr)")
        // An ERC-20 of the fixture chain (its NFTs' Transfers do not decode with erc20).
        let first = try #require(events.lines.first)
        let address = try #require(first.firstMatch(of: #/"address":"(0x[0-9a-fA-F]{40})"/#)?.output.1)
        return Inputs(logs: logs.stdout, events: events.stdout, token: String(address))
    }

    /// A directory with the files the examples name.
    static func workDirectory(_ inputs: Inputs) throws -> String {
        let dir = try TestDirectory.make("help-examples")
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/out/Pool.sol", withIntermediateDirectories: true)
        try inputs.logs.write(toFile: dir + "/logs.ndjson", atomically: true, encoding: .utf8)
        try inputs.events.write(toFile: dir + "/events.ndjson", atomically: true, encoding: .utf8)
        try "test-secret\n".write(toFile: dir + "/secret", atomically: true, encoding: .utf8)
        try "test-secret\n".write(toFile: dir + "/hook.secret", atomically: true, encoding: .utf8)
        try (String(repeating: "11", count: 32) + "\n").write(
            toFile: dir + "/signer.key", atomically: true, encoding: .utf8)
        // An Etherscan `getabi` answer's ABI: WETH's Deposit.
        try
            #"[{"type":"event","name":"Deposit","anonymous":false,"inputs":[{"name":"dst","type":"address","indexed":true},{"name":"wad","type":"uint256","indexed":false}]}]"#
            .write(toFile: dir + "/etherscan-abi.json", atomically: true, encoding: .utf8)
        // A Foundry artifact: the ABI under "abi".
        try #"""
        {"abi":[{"type":"event","name":"Swap","anonymous":false,"inputs":[
        {"name":"sender","type":"address","indexed":true},{"name":"recipient","type":"address","indexed":true},
        {"name":"amount0","type":"int256","indexed":false},{"name":"amount1","type":"int256","indexed":false}]}]}
        """#.write(toFile: dir + "/out/Pool.sol/Pool.json", atomically: true, encoding: .utf8)
        return dir
    }

    struct Services {
        let node: FixtureNode
        let receiver: WebhookReceiver
        let postgres: PostgresCluster?
        let database: String?
    }

    /// Runs one example in `dir` as a bash script (`-e`, `pipefail`) with the
    /// built commands first on PATH. Commands run until they end by
    /// themselves; `--follow` runs until a SIGINT to the whole pipeline after
    /// a few seconds and must then exit 130, as the manuals say.
    static func run(_ example: String, in dir: String, services: Services, inputs: Inputs) throws -> BinaryRun {
        var script = example
        script = script.replacingOccurrences(of: "https://hooks.example.com", with: services.receiver.url)
        for usdc in ["0xA0b86991c6218b36c1D19D4a2e9Eb0cE3606eB48", "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"] {
            script = script.replacingOccurrences(of: usdc, with: inputs.token)
        }
        for provider in ["https://a.example/KEY", "https://b.example/KEY"] {
            script = script.replacingOccurrences(of: provider, with: services.node.url)
        }
        if let pg = services.postgres, let db = services.database {
            script = script.replacingOccurrences(
                of: "'host=db dbname=chain user=etl'", with: "'\(pg.conninfo(database: db))'")
            script = script.replacingOccurrences(of: "PGPASSWORD=...", with: "PGPASSWORD=\"$PGPASSWORD\"")
        }
        let first = script.split(separator: " ").first { !$0.contains("=") }.map(String.init) ?? ""
        let stdin = first == "cc-decode" ? inputs.logs : inputs.events
        try script.write(toFile: dir + "/example.sh", atomically: true, encoding: .utf8)
        // timeout signals its whole process group: every stage of the pipeline, as Ctrl-C does.
        let runner = script.contains("--follow") ? "timeout --preserve-status -s INT 3 bash" : "bash"
        var env: [String: String] = ["RPC": services.node.url]
        if let pg = services.postgres, let db = services.database {
            env.merge(pg.environment) { _, b in b }
            env["PGHOST"] = "127.0.0.1"
            env["PGPORT"] = String(pg.port)
            env["PGUSER"] = PostgresCluster.user
            env["PGDATABASE"] = db
        }
        return try BuiltBinaries.shell(
            "cd '\(dir)' && \(runner) -e -o pipefail example.sh", stdin: stdin, environment: env)
    }

    static func expectedStatus(_ line: String) -> Int32 { line.contains("--follow") ? 130 : 0 }

    static func withServices(_ body: (Services, Inputs) throws -> Void) throws {
        // Chain id 1 and a head past block 19,010,000: the examples' --chain ethereum and ranges.
        // Limits like a public endpoint's, which also keep `cc-fetch probe` from asking for a million blocks.
        let node = try FixtureNode([
            "--chain-id", "1", "--blocks", "19010500", "--logs-per-block", "2", "--range-limit", "2000",
            "--result-limit", "5000",
        ])
        defer { node.stop() }
        let receiver = try WebhookReceiver()
        let pg = PostgresCluster.isInstalled ? try PostgresCluster.require() : nil
        let db = try pg?.createDatabase("examples")
        let inputs = try makeInputs(rpc: node.url)
        try body(Services(node: node, receiver: receiver, postgres: pg, database: db), inputs)
    }

    @Test func everyHelpExampleRuns() throws {
        try Self.withServices { services, inputs in
            var total = 0
            for command in Self.helpCommands {
                let help = try BuiltBinaries.run(command[0], Array(command.dropFirst()) + ["--help"])
                #expect(help.status == 0)
                let lines = Self.examples(inHelp: help.stdout)
                if command == ["cc-fetch"] || command == ["cc-decode"] || command == ["cc-filter"]
                    || command == ["cc-sink"]
                {
                    #expect(!lines.isEmpty, "\(command.joined(separator: " ")) --help has no examples")
                }
                let dir = try Self.workDirectory(inputs)
                for line in lines {
                    if line.contains("cc-sink postgres") || line.hasPrefix("psql") {
                        guard services.postgres != nil else { continue }
                    }
                    total += 1
                    let r = try Self.run(line, in: dir, services: services, inputs: inputs)
                    #expect(
                        r.status == Self.expectedStatus(line),
                        "\(command.joined(separator: " ")) --help example: \(line)\nstatus \(r.status)\n\(r.stderr)")
                }
            }
            #expect(total >= 15)
        }
    }

    @Test func everyManualExampleRuns() throws {
        let root = FixtureNode.repositoryRoot()
        try Self.withServices { services, inputs in
            var total = 0
            for page in ["cc-fetch.1", "cc-decode.1", "cc-filter.1", "cc-sink.1"] {
                let text = try String(contentsOfFile: root + "/man/" + page, encoding: .utf8)
                let lines = Self.examples(inManual: text)
                #expect(!lines.isEmpty, "\(page) has no EXAMPLES")
                let dir = try Self.workDirectory(inputs)
                for block in lines {
                    if block.contains("cc-sink postgres") || block.contains("psql") {
                        guard services.postgres != nil else { continue }
                    }
                    total += 1
                    let r = try Self.run(block, in: dir, services: services, inputs: inputs)
                    #expect(
                        r.status == Self.expectedStatus(block),
                        "\(page) example:\n\(block)\nstatus \(r.status)\n\(r.stderr)")
                }
            }
            #expect(total >= 10)
        }
    }

    @Test func examplesAreExtractedFromHelpAndManuals() {
        let help = """
            OVERVIEW: x

            Examples:
              cc-decode --abi erc20 a.ndjson
              cc-filter --where 'x' \\
                        --map '{a: 1}'

            OPTIONS:
              --abi <ABI>
            """
        #expect(
            Self.examples(inHelp: help) == ["cc-decode --abi erc20 a.ndjson", "cc-filter --where 'x' --map '{a: 1}'"])
        let man = """
            .SH EXAMPLES
            Decode:
            .PP
            .nf
            .RS 2
            cc\\-decode \\-\\-abi \\(aqevent X(uint256 a)\\(aq \\e
              logs.ndjson
            .RE
            .fi
            .SH SEE ALSO
            .nf
            not an example
            .fi
            """
        #expect(Self.examples(inManual: "\n" + man) == ["cc-decode --abi 'event X(uint256 a)' \\\n  logs.ndjson"])
    }
}

/// `cc-sink` without a destination printed its help on stdout and exited 0,
/// which a pipeline takes for success; every other command's missing
/// argument is a usage error.
@Suite("cc-sink without a destination")
struct SinkWithoutDestinationTests {
    @Test func isAUsageError() throws {
        let r = try SinkTest.run("cc-sink", [])
        #expect(r.status == 64)
        #expect(r.stdout == "")
        #expect(r.stderr.hasPrefix("Error: say where to write: cc-sink sqlite|postgres|file|webhook"), "\(r.stderr)")
    }
}
