import ArgumentParser
import CCABI
import CCCLI
import CCCore
import CCEthereum
import CCJSON
import CCStream

struct DecodeCommand: ChainCastCommand {
    static let toolName = "cc-decode"

    static let configuration = CommandConfiguration(
        commandName: "cc-decode",
        abstract: "Decode raw EVM logs into named events with ABIs.",
        usage: "cc-decode --abi SPEC [--abi SPEC]... [options] [FILE...]",
        discussion: """
            Reads raw logs (one eth_getLogs object per line, as cc-fetch writes them) and writes \
            one decoded event per line: block and transaction fields, the EIP-55 address, "event", \
            "signature" and "args" keyed by parameter name. Checkpoint markers and lines that are \
            already decoded go through unchanged.

            A log is matched by topic0 and its number of topics, so ERC-20 and ERC-721 Transfer \
            (same topic0, different indexed parameters) both decode when both ABIs are loaded.

            Examples:
              cc-fetch --rpc "$RPC" --from 19000000 --to 19001000 | cc-decode --abi erc20
              cc-decode --abi out/Pool.sol/Pool.json --abi erc20 logs.ndjson
              cc-decode --abi 0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640=uniswap-v3-pool \\
                --unknown drop
              cc-decode --abi 'event Deposit(address indexed dst, uint256 wad)' --keep-raw

            See cc-decode(1) for the output format and chaincast(7) for the stream contract.
            """)

    @Option(
        name: .customLong("abi"),
        help: ArgumentHelp(
            "An ABI to decode with (repeatable).",
            discussion: """
                A JSON ABI file (plain array, Hardhat/Foundry artifact or Etherscan getabi response), \
                a file of human-readable declarations, an inline declaration such as \
                'event Transfer(address indexed from, address indexed to, uint256 value)' or \
                'Transfer(address,address,uint256)', or a built-in name (see --list-abis). \
                0xADDRESS=SOURCE binds SOURCE to one contract: tried first for its logs, and the only \
                way anonymous events match.
                """,
            valueName: "SPEC"))
    var abis: [String] = []

    @Flag(help: "List the built-in ABIs (and, with --abi, every event loaded) and exit.")
    var listAbis = false

    @Option(
        help: ArgumentHelp(
            "What to do with a log no event matches: pass (write the raw line unchanged, the default), "
                + "drop, or fail (exit 65).",
            valueName: "pass|drop|fail"))
    var unknown: UnknownLogPolicy = .pass

    @Flag(help: "Reject words with non-canonical padding instead of reading them as nodes and ethers do.")
    var strict = false

    @Flag(help: "Append the raw \"topics\" and \"data\" to each decoded event.")
    var keepRaw = false

    @Option(help: ArgumentHelp("Fill \"chainId\" with N when the input lacks it.", valueName: "N"))
    var chainId: UInt64?

    @OptionGroup var input: InputOptions
    @OptionGroup var verbosity: VerbosityOptions

    /// What decides what passes and what it holds, for the markers'
    /// `pipeline`: the set of events and the contracts they are bound to, and
    /// `--unknown` (as before, so existing checkpoints stay valid); then only
    /// what was set of the rest: the order given to events a log could match
    /// alike (one contract, topic0 and topic count: the first decodes it, so
    /// `--abi A --abi B` differs from `--abi B --abi A` only there),
    /// `--strict`, `--keep-raw`, `--chain-id`.
    static func pipelineConfig(
        _ sources: [ABISource], unknown: UnknownLogPolicy, strict: Bool, chainId: UInt64?, keepRaw: Bool
    ) -> String {
        var lines: [String] = []
        var groups: [String: [String]] = [:]
        for src in sources {
            let contract = src.address.map { Hex.encode($0) } ?? "*"
            for e in src.events {
                let line = contract + " " + e.humanReadable
                lines.append(line)
                let key = "\(contract) \(e.anonymous ? "anonymous" : e.signature) \(e.topicCount)"
                if groups[key]?.contains(line) != true { groups[key, default: []].append(line) }
            }
        }
        var config = Set(lines).sorted().joined(separator: "\n") + "\nunknown=" + unknown.rawValue
        for key in groups.keys.sorted() where groups[key]!.count > 1 {
            config += "\norder: " + groups[key]!.joined(separator: " | ")
        }
        if strict { config += "\nstrict" }
        if keepRaw { config += "\nkeep-raw" }
        if let chainId { config += "\nchain-id=\(chainId)" }
        return config
    }

    func validate() throws {
        if abis.isEmpty && !listAbis {
            throw ValidationError("give at least one --abi (for example --abi erc20; --list-abis shows the built-ins)")
        }
    }

    func run() throws {
        SignalState.install()
        var sources: [ABISource] = []
        for spec in abis { sources.append(try ABISource.load(spec)) }
        let registry = EventRegistry(sources: sources)
        if listAbis {
            try list(registry)
            return
        }
        let stage = try StreamStage(tool: Self.toolName, input: input, output: OutputWriter(fd: 1))
        let decoder = LogRecordDecoder(
            registry: registry, strict: strict, unknownPolicy: unknown, keepRaw: keepRaw, defaultChainId: chainId)
        decoder.pipelineConfig = Self.pipelineConfig(
            sources, unknown: unknown, strict: strict, chainId: chainId, keepRaw: keepRaw)
        var stats = DecodeStats()
        let clock = RateClock()
        let output = stage.output
        let finished = try stage.run { line, location in
            do {
                switch try decoder.process(line, emit: { try output.write($0) }) {
                case .decoded: stats.decoded += 1
                case .unknown: stats.unknown += 1
                case .passedThrough: stats.passed += 1
                case .control:
                    stats.passed += 1
                    try output.flush()
                }
            } catch let e as InvalidRecord {
                try stage.invalid(e.message, at: location)
            } catch let e as UnknownEvent {
                throw ChainCastError.data("\(location): \(e.message)")
            }
        }
        if finished && verbosity.verbose {
            Diagnostics.error(
                Self.toolName,
                "\(stage.lines) lines, \(stats.decoded) decoded, \(stats.unknown) unknown, \(stage.skipped) invalid, "
                    + "\(stats.passed) passed through, \(clock.summary(count: stage.lines, unit: "lines"))")
        }
    }

    private func list(_ registry: EventRegistry) throws {
        var text = "Built-in ABIs (--abi NAME):\n"
        let width = BuiltinABIs.all.map(\.name.count).max() ?? 0
        for b in BuiltinABIs.all {
            text += "  " + b.name + String(repeating: " ", count: width - b.name.count + 2) + b.summary + "\n"
        }
        if !registry.events.isEmpty {
            text += "\nEvents loaded (topic0, topics, declaration):\n"
            for e in registry.events {
                let topic0 =
                    e.anonymous
                    ? "anonymous" + String(repeating: " ", count: 57) : Hex.encode(Keccak256.hash(e.signature))
                let topics = e.indexingKnown ? "\(e.topicCount)" : "*"
                text += "  \(topic0)  \(topics)  \(e.humanReadable)\n"
            }
        }
        let output = OutputWriter(fd: 1)
        do {
            try output.write(text)
            try output.flush()
        } catch is OutputClosed {}
    }
}

struct DecodeStats {
    var decoded = 0, unknown = 0, passed = 0
}

extension UnknownLogPolicy: ExpressibleByArgument {}
