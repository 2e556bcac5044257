import CCCore

/// Turns `--from`/`--to` words into block numbers using the node: tags via
/// `eth_getBlockByNumber`, `-N` from the head, times by binary search on
/// block timestamps (about log2(head) header calls).
package struct BlockResolver {
    package let node: LogNode
    package let head: UInt64

    package init(node: LogNode, head: UInt64) {
        self.node = node
        self.head = head
    }

    package func resolve(_ spec: BlockSpec, what: String) throws -> UInt64 {
        switch spec {
        case .number(let n): return n
        case .behindHead(let n): return head >= n ? head - n : 0
        case .tag(.latest): return head
        case .tag(.earliest): return try node.header(tag: .earliest)?.number ?? 0
        case .tag(let t):
            guard let h = try node.header(tag: t) else {
                throw ChainCastError.unavailable(
                    "\(what) \(t.rawValue): the node has no '\(t.rawValue)' block (it may not support the tag)")
            }
            return h.number
        case .time(let t):
            return try firstBlock(atOrAfter: t, what: what)
        }
    }

    /// The first block whose timestamp is >= `time`; `head + 1` when even the head is older.
    package func firstBlock(atOrAfter time: Int64, what: String) throws -> UInt64 {
        func timestamp(_ n: UInt64) throws -> Int64 {
            guard let h = try node.headers([n]).first ?? nil else {
                throw ChainCastError.unavailable("\(what): the node has no block \(n) (below its head \(head))")
            }
            return Int64(clamping: h.timestamp)
        }
        if try timestamp(head) < time { return head + 1 }
        var lo: UInt64 = 0
        var hi = head
        if try timestamp(0) >= time { return 0 }
        // Invariant: timestamp(lo) < time <= timestamp(hi).
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if try timestamp(mid) >= time { hi = mid } else { lo = mid }
        }
        return hi
    }
}
