import CCKit
import Foundation
import Synchronization

/// Makes one node connection per worker over the `--rpc` endpoints.
final class NodeFactory: Sendable {
    let urls: [String]
    let options: RPCOptions
    private let next = Atomic<Int>(0)

    init(urls: [String], options: RPCOptions, workers: Int) throws {
        self.urls = urls
        self.options = options
    }

    @Sendable func make() throws -> LogNode {
        let i = next.add(1, ordering: .relaxed).oldValue
        let url = urls[i % urls.count]
        let transport: CurlTransport
        do {
            transport = try CurlTransport(options: CurlTransport.Options(requestTimeout: options.timeout))
        } catch {
            throw ChainCastError.internalError("cannot set up libcurl: \(error)")
        }
        let caller = TransportRPCCaller(transport: transport, url: url, retries: options.retries)
        return RPCLogNode(caller: caller, classify: classifyLimit)
    }
}

/// Interim range/result-limit recognition until the RPC layer's classifier is wired in.
@Sendable func classifyLimit(_ e: RPCCallError) -> RangeRefused? {
    let m = e.message.lowercased()
    let isResults = m.contains("results") || m.contains("too many logs") || m.contains("response size")
    let isRange = m.contains("range") || m.contains("block limit")
    guard isResults || isRange else { return nil }
    return RangeRefused(blockLimit: isRange && !isResults, message: e.message)
}
