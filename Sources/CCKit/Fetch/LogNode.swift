/// What cc-fetch needs from a node. `RPCLogNode` implements it over the
/// JSON-RPC client (retries, rate limit, endpoint fallback all live there);
/// tests use in-memory nodes. One instance per worker thread.
public protocol LogNode: AnyObject {
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
public struct RangeRefused: Error, Sendable {
    public var refusal: RangeRefusal
    /// The provider's words (for the final error when a single block is refused).
    public var message: String
    public init(_ refusal: RangeRefusal, message: String) {
        self.refusal = refusal
        self.message = message
    }
}
