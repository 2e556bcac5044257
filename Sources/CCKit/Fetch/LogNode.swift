import CCJSON

/// What cc-fetch needs from a node. `RPCLogNode` implements it over the
/// JSON-RPC client (retries, rate limit, endpoint fallback all live there);
/// tests use in-memory nodes. One instance per worker thread.
package protocol LogNode: AnyObject {
    func chainId() throws -> UInt64
    func clientVersion() throws -> String
    func blockNumber() throws -> UInt64
    /// `eth_getBlockByNumber(tag, false)`; nil when the node has no such block (e.g. no `safe` yet).
    func header(tag: BlockTag) throws -> BlockHeader?
    /// `eth_getBlockByNumber` for each number (one batch when the node takes batches); nil when missing.
    func headers(_ numbers: [UInt64]) throws -> [BlockHeader?]
    /// `eth_getBlockByHash(hash, false)`; nil when the node does not know it (anymore).
    func header(hash: String) throws -> BlockHeader?
    /// `eth_getLogs` for each parameter object, and the headers of `headerNumbers`, in as few
    /// requests as the node allows. `body(i, result)` sees each call's `result` array in order
    /// (valid only inside `body`), or its error: `RangeRefused` for a range or result limit.
    func getLogs(
        _ params: [String], headers headerNumbers: [UInt64],
        _ body: (Int, Result<JSONValue, Error>) throws -> Void
    ) throws -> [BlockHeader?]
    /// A state read at an old block (`eth_getBalance(0x0…0, block)`): true when it works (archive node).
    func hasState(at block: UInt64) throws -> Bool
}

/// The provider refused an `eth_getLogs` call as too large.
package struct RangeRefused: Error, Sendable {
    /// True for a block-range limit (a property of the provider), false for a
    /// result-count or response-size limit (a property of the range's density).
    package var blockLimit: Bool
    /// The range the provider suggests (Alchemy, Infura, reth …), when it does.
    package var suggestedFrom: UInt64?
    package var suggestedTo: UInt64?
    /// The most blocks one call may span, when the message states it.
    package var maxBlocks: UInt64?
    /// The provider's words (for the final error when a single block is refused).
    package var message: String

    package init(
        blockLimit: Bool, suggestedFrom: UInt64? = nil, suggestedTo: UInt64? = nil, maxBlocks: UInt64? = nil,
        message: String
    ) {
        self.blockLimit = blockLimit
        self.suggestedFrom = suggestedFrom
        self.suggestedTo = suggestedTo
        self.maxBlocks = maxBlocks
        self.message = message
    }

    /// The refusal for the planner, for a range starting at `from`.
    package func refusal(from: UInt64) -> RangeRefusal {
        var span: UInt64?
        if let f = suggestedFrom, let t = suggestedTo, t >= f {
            span = f == from ? t - f + 1 : nil
            if span == nil && maxBlocks == nil { span = t - f + 1 }
        }
        if span == nil, let m = maxBlocks, m > 0 { span = m }
        let to = span.flatMap { $0 > 0 ? from &+ ($0 - 1) : nil }
        return blockLimit ? .blockRange(suggestedTo: to) : .resultCount(suggestedTo: to)
    }
}
