import CCCore

/// A block as far as reorg detection cares.
package struct BlockHeader: Sendable, Equatable {
    package var number: UInt64
    package var hash: Word32
    /// Nil when not known (a block rebuilt from a checkpoint's hash alone).
    package var parentHash: Word32?
    /// Unix seconds.
    package var timestamp: UInt64

    package init(number: UInt64, hash: Word32, parentHash: Word32?, timestamp: UInt64) {
        self.number = number
        self.hash = hash
        self.parentHash = parentHash
        self.timestamp = timestamp
    }
}

/// The recent canonical chain as cc-fetch emitted it: block hashes linked by
/// parent hash, and the log lines written for each block, so that when the
/// node's chain stops linking to ours the orphaned logs can be sent again
/// with `"removed": true`. Holds at most `depth` blocks (the deepest reorg it
/// can undo from memory).
package struct ReorgTracker: Sendable {
    package struct Block: Sendable, Equatable {
        package var header: BlockHeader
        /// The exact lines written for this block, in log order, without "\n".
        package var logs: [[UInt8]]
    }

    package let depth: Int
    package private(set) var blocks: [Block] = []

    package init(depth: Int = 256) { self.depth = max(1, depth) }

    package var tip: BlockHeader? { blocks.last?.header }

    package func header(at number: UInt64) -> BlockHeader? {
        guard let first = blocks.first?.header.number, number >= first else { return nil }
        let i = Int(number - first)
        return i < blocks.count ? blocks[i].header : nil
    }

    package enum Link: Equatable, Sendable {
        case extends
        /// The header does not follow our tip: a reorg (or a gap the caller must fill first).
        case conflicts
    }

    /// Whether `header` extends the chain we hold (always true when empty).
    package func check(_ header: BlockHeader) -> Link {
        guard let tip else { return .extends }
        return header.number == tip.number + 1 && header.parentHash == tip.hash ? .extends : .conflicts
    }

    /// Records a block and the lines written for it. The caller checked it extends the tip;
    /// a block that does not follow on is taken as a fresh start (older history is dropped).
    package mutating func append(_ header: BlockHeader, logs: [[UInt8]]) {
        if let tip, header.number != tip.number + 1 { blocks.removeAll() }
        blocks.append(Block(header: header, logs: logs))
        if blocks.count > depth { blocks.removeFirst(blocks.count - depth) }
    }

    /// Drops every block above `forkPoint` and returns them newest first —
    /// the order in which their logs are undone.
    package mutating func rollback(above forkPoint: UInt64) -> [Block] {
        var orphaned: [Block] = []
        while let last = blocks.last, last.header.number > forkPoint {
            orphaned.append(blocks.removeLast())
        }
        return orphaned
    }

    /// Oldest block number we can compare against (nil when empty).
    package var oldest: UInt64? { blocks.first?.header.number }
}
