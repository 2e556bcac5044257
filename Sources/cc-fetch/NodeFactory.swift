import CCCore
import CCFetch
import CCHTTP
import CCRPC
import Foundation

/// Makes one node connection per worker thread. The endpoint pool (failover,
/// cool-downs, batch limits) and the `--rps` token bucket are shared by all.
final class NodeFactory: Sendable {
    let pool: EndpointPool
    let bucket: TokenBucket?
    let policy: RetryPolicy
    let timeout: Double
    let maxBatch: Int
    let verbose: Bool

    init(urls: [String], options: RPCOptions, batch: Int = 1, verbose: Bool = false) throws {
        pool = try EndpointPool(urls: urls)
        bucket = options.rps.map { TokenBucket(ratePerSecond: $0) }
        policy = RetryPolicy(maxRetries: options.retries)
        timeout = options.timeout
        maxBatch = batch
        self.verbose = verbose
    }

    @Sendable func make(filter: LogFilter = LogFilter()) throws -> LogNode {
        let transport: CurlTransport
        do {
            transport = try CurlTransport(options: CurlTransport.Options(requestTimeout: timeout))
        } catch {
            throw ChainCastError.internalError("cannot set up libcurl: \(error)")
        }
        let client = RPCClient(pool: pool, transport: transport, policy: policy, rateLimiter: bucket)
        if verbose { client.onRetry = { Diagnostics.error("cc-fetch", $0) } }
        return RPCLogNode(client: client, maxBatch: maxBatch, filter: filter)
    }
}
