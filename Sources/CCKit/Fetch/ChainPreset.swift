/// What cc-fetch knows about a chain before it talks to a node: the id the
/// node must report, how fast blocks come (poll interval), how deep reorgs
/// get in practice (default confirmations) and the block span that public
/// providers usually accept for one `eth_getLogs` call (first chunk size).
package struct ChainPreset: Sendable, Equatable {
    package var name: String
    package var chainId: UInt64
    /// Seconds between blocks, on average.
    package var blockTime: Double
    /// Blocks behind the head before a log is considered settled.
    package var confirmations: UInt64
    /// First `eth_getLogs` span; the planner adapts from there.
    package var chunkSize: UInt64
    /// Known provider limits, in words, for `--help` and the man page.
    package var knownLimits: String

    /// Poll interval in follow mode: half a block, never below 100 ms.
    package var pollInterval: Double { max(0.1, blockTime / 2) }

    package static let all: [ChainPreset] = [
        .init(
            name: "ethereum", chainId: 1, blockTime: 12, confirmations: 12, chunkSize: 2_000,
            knownLimits: "Alchemy: 2,000 blocks or 10,000 logs; Infura: 10,000 logs; QuickNode: 10,000 blocks"),
        .init(
            name: "sepolia", chainId: 11_155_111, blockTime: 12, confirmations: 12, chunkSize: 2_000,
            knownLimits: "as ethereum"),
        .init(
            name: "holesky", chainId: 17_000, blockTime: 12, confirmations: 12, chunkSize: 2_000,
            knownLimits: "as ethereum"),
        .init(
            name: "polygon", chainId: 137, blockTime: 2, confirmations: 64, chunkSize: 1_000,
            knownLimits: "public RPCs: 1,000-3,500 blocks; Alchemy: 2,000 blocks or 10,000 logs"),
        .init(
            name: "amoy", chainId: 80_002, blockTime: 2, confirmations: 64, chunkSize: 1_000,
            knownLimits: "as polygon"),
        .init(
            name: "bsc", chainId: 56, blockTime: 0.75, confirmations: 15, chunkSize: 1_000,
            knownLimits: "public dataseed nodes: eth_getLogs often disabled or 1,000-5,000 blocks"),
        .init(
            name: "arbitrum", chainId: 42_161, blockTime: 0.25, confirmations: 20, chunkSize: 10_000,
            knownLimits: "public RPC: 10,000 logs; Alchemy: 2,000 blocks or 10,000 logs"),
        .init(
            name: "optimism", chainId: 10, blockTime: 2, confirmations: 10, chunkSize: 2_000,
            knownLimits: "public RPC: 10,000 logs; Alchemy: 2,000 blocks or 10,000 logs"),
        .init(
            name: "base", chainId: 8_453, blockTime: 2, confirmations: 10, chunkSize: 2_000,
            knownLimits: "public RPC: 10,000 logs and 10,000 blocks; Alchemy: 2,000 blocks or 10,000 logs"),
        .init(
            name: "avalanche", chainId: 43_114, blockTime: 2, confirmations: 1, chunkSize: 2_048,
            knownLimits: "public C-chain RPC: 2,048 blocks"),
        .init(
            name: "gnosis", chainId: 100, blockTime: 5, confirmations: 12, chunkSize: 2_000,
            knownLimits: "public RPCs: 1,000-10,000 blocks"),
        .init(
            name: "linea", chainId: 59_144, blockTime: 2, confirmations: 10, chunkSize: 2_000,
            knownLimits: "public RPC: 1,000-5,000 blocks; Infura: 10,000 logs"),
        .init(
            name: "scroll", chainId: 534_352, blockTime: 3, confirmations: 10, chunkSize: 2_000,
            knownLimits: "public RPC: 1,000-10,000 blocks"),
        .init(
            name: "zksync", chainId: 324, blockTime: 1, confirmations: 10, chunkSize: 10_000,
            knownLimits: "mainnet.era.zksync.io: 10,000 logs per call"),
    ]

    /// Used when no `--chain` is given: a cautious middle ground.
    package static let generic = ChainPreset(
        name: "generic", chainId: 0, blockTime: 12, confirmations: 0, chunkSize: 1_000,
        knownLimits: "most providers accept 1,000 blocks or 10,000 logs")

    package static func named(_ name: String) -> ChainPreset? {
        let n = name.lowercased()
        let aliases = [
            "mainnet": "ethereum", "eth": "ethereum", "matic": "polygon", "bnb": "bsc",
            "arbitrum-one": "arbitrum", "op": "optimism", "avax": "avalanche", "xdai": "gnosis",
            "zksync-era": "zksync", "polygon-amoy": "amoy",
        ]
        let key = aliases[n] ?? n
        return all.first { $0.name == key }
    }

    package static func byChainId(_ id: UInt64) -> ChainPreset? { all.first { $0.chainId == id } }
}
