import CCCore
import CCJSON
import CCRPC

/// `cc-fetch probe`: what an endpoint is and what it accepts.
package struct ProbeReport: Sendable {
    package var chainId: UInt64 = 0
    package var clientVersion = ""
    package var head: UInt64 = 0
    /// Median round trip of eth_blockNumber, milliseconds.
    package var latencyMs = 0.0
    /// Largest span that worked, and the refusal for the next size up (nil: all sizes tried worked).
    package var maxRange: UInt64 = 0
    package var rangeRefusal: String?
    /// Most logs one answer returned, and the refusal that stopped the search.
    package var maxResults = 0
    package var resultRefusal: String?
    package var archive = false
    /// Why `archive` could not be decided (the node does not serve
    /// eth_getBalance at all): then it is reported as unknown, not "no".
    package var archiveUnknown: String?

    package func text(url: String) -> String {
        let preset = ChainPreset.byChainId(chainId).map { " (\($0.name))" } ?? ""
        var s = "endpoint     \(url)\n"
        s += "chain id     \(chainId)\(preset)\n"
        s += "client       \(clientVersion)\n"
        s += "head         \(head)\n"
        s += "latency      \(formatFixed(latencyMs, 1)) ms (median of 5 eth_blockNumber)\n"
        s +=
            "max range    \(maxRange) blocks"
            + (rangeRefusal.map { " (next size refused: \($0))" } ?? " (largest size tried)") + "\n"
        s +=
            "max results  \(maxResults) logs"
            + (resultRefusal.map { " (more refused: \($0))" } ?? " (largest answer seen)") + "\n"
        if let why = archiveUnknown {
            s += "archive      unknown (\(why))\n"
        } else {
            s +=
                "archive      \(archive ? "yes (state at block 1 is served)" : "no (state at block 1 is not served)")\n"
        }
        return s
    }

    package func json(url: String) -> String {
        var w = JSONWriter()
        w.raw("{"); w.key("endpoint"); w.string(url)
        w.raw(","); w.key("chainId"); w.uint(chainId)
        w.raw(","); w.key("clientVersion"); w.string(clientVersion)
        w.raw(","); w.key("head"); w.uint(head)
        w.raw(","); w.key("latencyMs"); w.bytes.append(contentsOf: formatFixed(latencyMs, 2).utf8)
        w.raw(","); w.key("maxRange"); w.uint(maxRange)
        w.raw(","); w.key("rangeRefusal"); if let r = rangeRefusal { w.string(r) } else { w.raw("null") }
        w.raw(","); w.key("maxResults"); w.uint(UInt64(maxResults))
        w.raw(","); w.key("resultRefusal"); if let r = resultRefusal { w.string(r) } else { w.raw("null") }
        w.raw(","); w.key("archive"); w.raw(archiveUnknown != nil ? "null" : archive ? "true" : "false")
        w.raw("}")
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

package struct ProviderProbe {
    let node: LogNode
    package init(node: LogNode) { self.node = node }

    /// Sizes tried, largest first for the range (a filter that matches nothing), smallest first for results.
    static let spans: [UInt64] = [1, 10, 100, 500, 1_000, 2_000, 5_000, 10_000, 50_000, 100_000, 1_000_000]

    package func run() throws -> ProbeReport {
        var r = ProbeReport()
        r.chainId = try node.chainId()
        r.clientVersion = (try? node.clientVersion()) ?? "unknown (web3_clientVersion failed)"
        var samples: [Double] = []
        for _ in 0..<5 {
            let t = monotonicSeconds()
            r.head = try node.blockNumber()
            samples.append((monotonicSeconds() - t) * 1000)
        }
        r.latencyMs = samples.sorted()[2]
        // No contract has the zero address, so the answer is empty and only the span matters.
        let nothing = LogFilter(addresses: [Word32(0, 0, 0, 0)])
        for span in Self.spans where span <= r.head + 1 {
            let from = r.head + 1 - span
            switch try attempt(nothing, BlockRange(from, r.head)) {
            case .ok: r.maxRange = span
            case .refused(let m): r.rangeRefusal = m
            }
            if r.rangeRefusal != nil { break }
        }
        let all = LogFilter()
        for span in Self.spans where span <= max(1, r.maxRange) && span <= r.head + 1 {
            let from = r.head + 1 - span
            switch try attempt(all, BlockRange(from, r.head)) {
            case .ok(let n): r.maxResults = max(r.maxResults, n)
            case .refused(let m): r.resultRefusal = m
            }
            if r.resultRefusal != nil || r.maxResults >= 100_000 { break }
        }
        do {
            r.archive = try node.hasState(at: 1)
        } catch {
            // hasState answers "no" for missing state; what it throws means the
            // question could not be asked (eth_getBalance unsupported).
            r.archiveUnknown = "eth_getBalance failed: " + ((error as? ChainCastError)?.message ?? "\(error)")
        }
        return r
    }

    enum Attempt {
        case ok(Int)
        case refused(String)
    }

    func attempt(_ filter: LogFilter, _ range: BlockRange) throws -> Attempt {
        var result = Attempt.ok(0)
        node.filter = filter
        _ = try node.getLogs([.range(range)], headers: []) { _, answer in
            switch answer {
            case .success(let v): result = .ok(v.count)
            case .failure(let e as ProviderError) where e.rangeRefusal != nil: result = .refused("\(e)")
            case .failure(let e): throw e
            }
        }
        return result
    }
}
