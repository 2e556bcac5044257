import CCCore
import CCJSON
import CCRPC

/// What cc-fetch needs from a node. `RPCLogNode` implements it over the
/// JSON-RPC client (retries, rate limit, endpoint fallback all live there);
/// tests use in-memory nodes. One instance per worker thread.
package protocol LogNode: AnyObject {
    /// What every `getLogs` call selects: set when the node is made (the
    /// probe switches it between its questions).
    var filter: LogFilter { get set }
    func chainId() throws -> UInt64
    func clientVersion() throws -> String
    func blockNumber() throws -> UInt64
    /// `eth_getBlockByNumber(tag, false)`; nil when the node has no such block (e.g. no `safe` yet).
    func header(tag: BlockTag) throws -> BlockHeader?
    /// `eth_getBlockByNumber` for each number (one batch when the node takes batches); nil when missing.
    func headers(_ numbers: [UInt64]) throws -> [BlockHeader?]
    /// `eth_getBlockByHash(hash, false)`; nil when the node does not know it (anymore).
    func header(hash: Word32) throws -> BlockHeader?
    /// `eth_getLogs` with `filter` for each query, and the headers of `headerNumbers`, in as few
    /// requests as the node allows. `body(i, result)` sees each call's `result` array in order
    /// (valid only inside `body`), or its error: a `ProviderError` whose `rangeRefusal` is set
    /// for a range or result limit.
    func getLogs(
        _ queries: [LogQuery], headers headerNumbers: [UInt64],
        _ body: (Int, Result<JSONValue, Error>) throws -> Void
    ) throws -> [BlockHeader?]
    /// A state read at an old block (`eth_getBalance(0x0…0, block)`): true when it works (archive node).
    func hasState(at block: UInt64) throws -> Bool
}

/// The blocks of one `eth_getLogs` call; the node adds its filter.
package enum LogQuery: Sendable, Equatable {
    case range(BlockRange)
    /// One block by hash (the logs of an orphaned block, which a number no longer names).
    case block(hash: Word32)

    /// The `eth_getLogs` parameter list, with `filterFields` (`LogFilter.jsonFields`).
    package func params(filterFields: String) -> String {
        switch self {
        case .range(let r):
            "[{\"fromBlock\":\"0x\(String(r.from, radix: 16))\",\"toBlock\":\"0x\(String(r.to, radix: 16))\"\(filterFields)}]"
        case .block(let hash):
            "[{\"blockHash\":\"\(hash)\"\(filterFields)}]"
        }
    }
}
