import CCHTTP

/// Turns the many ways providers and clients report a failed call into one
/// `ProviderErrorKind`, with the range the provider suggests when its message
/// has one.
///
/// The shapes come from the messages geth, erigon, reth, Besu, Nethermind and
/// the hosted providers (Alchemy, Infura, QuickNode, Ankr, Chainstack, BlockPI,
/// Cloudflare, thirdweb, dRPC, 1RPC, LlamaRPC, publicnode, Coinbase, Blast) and
/// L2 sequencers (Optimism, Base, Arbitrum, zkSync, Avalanche, Moonriver,
/// Aurora, Harmony, Swell, Somnia, Merkle) are known to send; the README's
/// "Provider errors" section lists them. Message rules run before status and
/// code fallbacks because providers disagree on both (QuickNode sends its range
/// limit with HTTP 413, Infura uses -32005 for rate limits and result limits).
package enum ProviderErrorClassifier {
    /// An HTTP response that did not carry a result. `code`, `message` and
    /// `data` (raw JSON text) come from the JSON-RPC error object when there
    /// is one; `message` may also be a plain-text body.
    package static func classify(
        httpStatus: Int, code: Int? = nil, message: String = "", data: String? = nil, retryAfter: Double? = nil
    ) -> ProviderError {
        let text = ErrorText(message, data)
        if let found = rangeOrSize(text) { return found }
        if httpStatus == 429 || code == 429 {
            return ProviderError(.rateLimited(retryAfter: retryAfter ?? text.backoffSeconds), "http-429")
        }
        if let found = throttled(text, code: code, retryAfter: retryAfter) { return found }
        if httpStatus == 401 || httpStatus == 403 {
            return ProviderError(.permanentAuth, "http-\(httpStatus)")
        }
        if let found = otherMessages(text, code: code, httpStatus: httpStatus) { return found }
        switch httpStatus {
        case 408: return ProviderError(.timeout, "http-408")
        case 413: return ProviderError(.rangeRefused(RangeRefusal(.size)), "http-413")
        case 504, 524: return ProviderError(.timeout, "http-\(httpStatus)")  // 524: Cloudflare's origin timeout
        // 501 Not Implemented: the server does not do POST (a web page, not a
        // JSON-RPC endpoint), which no retry changes.
        case 404, 405, 501, 300...399: return ProviderError(.badEndpoint, "http-\(httpStatus)")
        case 500...599: return ProviderError(.transient, "http-\(httpStatus)")
        default: break
        }
        if let code {
            switch code {
            case -32601, -32004: return ProviderError(.methodNotFound, "code\(code)")
            case -32602, -32600: return ProviderError(.invalidParams, "code\(code)")
            case -32603, -32700, -32002: return ProviderError(.transient, "code\(code)")
            case -32005: return ProviderError(.rateLimited(retryAfter: retryAfter ?? text.backoffSeconds), "code-32005")
            case -32001: return ProviderError(.headerNotFound, "code-32001")
            default: break
            }
        }
        if httpStatus == 400 { return ProviderError(.invalidParams, "http-400") }
        return ProviderError(.other, "unknown")
    }

    /// A transfer that produced no complete HTTP response.
    package static func classify(_ error: TransportError) -> ProviderError {
        switch error.kind {
        case .timeout: return ProviderError(.timeout, "transport-timeout")
        case .responseTooLarge: return ProviderError(.rangeRefused(RangeRefusal(.size)), "transport-too-large")
        case .invalidURL: return ProviderError(.badEndpoint, "transport-invalid-url")
        case .tls: return ProviderError(.badEndpoint, "transport-tls")
        case .connectionRefused: return ProviderError(.transient, "transport-refused")
        case .connectionReset: return ProviderError(.transient, "transport-reset")
        case .truncated: return ProviderError(.transient, "transport-truncated")
        case .dns: return ProviderError(.transient, "transport-dns")
        case .other: return ProviderError(.transient, "transport-other")
        }
    }

    /// A body that is not a JSON-RPC response (HTML error page, half a body).
    package static func classifyUnparseableBody(httpStatus: Int, body: String, retryAfter: Double? = nil)
        -> ProviderError
    {
        if httpStatus == 200 || httpStatus == 0 {
            let text = ErrorText(body, nil)
            if let found = rangeOrSize(text) { return found }
            return ProviderError(.transient, "non-json-body")
        }
        return classify(httpStatus: httpStatus, message: body, retryAfter: retryAfter)
    }

    // MARK: - Range, result and size limits

    private static func rangeOrSize(_ t: ErrorText) -> ProviderError? {
        // Messages that carry a range known to work come first: the range beats any guess.
        if t.has("log response size exceeded") {
            return ProviderError(.rangeRefused(.results(t.hexHint(after: "should work: ["))), "alchemy-results")
        }
        if t.has("this block range should work: [") {
            let suggested = t.hexHint(after: "should work: [")
            let refusal = RangeRefusal(
                .blocks, from: suggested?.from, to: suggested?.to, maxBlocks: t.number(after: "up to a "))
            return ProviderError(.rangeRefused(refusal), "alchemy-range")
        }
        if t.has("try with this block range [") {
            let shape = t.has("query returned more than") ? "infura-results" : "suggested-range"
            return ProviderError(.rangeRefused(.results(t.hexHint(after: "try with this block range ["))), shape)
        }
        if t.has("query exceeds max results") {
            if let pair = t.decimalPair(after: "retry with the range ") {
                return ProviderError(.rangeRefused(.results(pair)), "reth-results")
            }
            return ProviderError(.rangeRefused(.results()), "max-results")  // Ankr, LlamaRPC
        }
        if t.has("query returned more than") {
            if let hint = t.dataHint() { return ProviderError(.rangeRefused(.results(hint)), "infura-results") }
            return ProviderError(.rangeRefused(.results()), "geth-results")  // also zkEVM
        }
        if t.has("query returns too many logs") { return ProviderError(.rangeRefused(.results()), "erigon-results") }
        if t.has("logs matched by query exceeds limit of") {
            return ProviderError(.rangeRefused(.results()), "arbitrum-results")
        }
        if t.has("too many logs") || t.has("too many results") || t.has("exceeds max logs")
            || t.has("result window is too large") || t.has("results limit") || t.has("result limit exceeded")
        {
            return ProviderError(.rangeRefused(.results()), "generic-results")
        }

        if let n = t.number(after: "query exceeds max block range") { return range(n, "reth-range") }
        if let n = t.number(after: "exceed maximum block range") { return range(n, "geth-range") }
        if let n = t.number(after: "exceeded the maximum block range of") { return range(n, "nethermind-range") }
        if let n = t.number(after: "maximum block range") { return range(n, "publicnode-range") }
        if t.has("block range too large") {
            return ProviderError(.rangeRefused(.blocks(maxBlocks: t.number(after: "max range:"))), "erigon-base-range")
        }
        if t.has("exceeds limit of") && t.has("range") {
            return ProviderError(.rangeRefused(.blocks(maxBlocks: t.number(after: "exceeds limit of"))), "infura-range")
        }
        if let n = t.number(after: "is limited to a ") { return range(n, "quicknode-range") }  // also 1RPC, Blast
        if t.has("is limited to") && t.has("block") {
            return ProviderError(.rangeRefused(.blocks(maxBlocks: t.number(after: "is limited to"))), "blockpi-range")
        }
        if t.has("block range is too wide") {
            return ProviderError(
                .rangeRefused(.blocks(maxBlocks: t.number(after: "(maximum"))),
                t.has("(maximum") ? "moonriver-range" : "ankr-range")
        }
        if let n = t.number(after: "maximum is set to") { return range(n, "avalanche-range") }
        if let n = t.number(after: "maximum allowed number of requested blocks is") {
            return range(n, "thirdweb-range")
        }
        if let n = t.number(after: "max range:") { return range(n, "cloudflare-range") }
        if t.has("exceeds the range allowed for your plan") {
            return ProviderError(.rangeRefused(.blocks(maxBlocks: t.number(after: " > "))), "blast-range")
        }
        if t.has("block range limit exceeded") { return ProviderError(.rangeRefused(.blocks()), "chainstack-range") }
        if let n = t.number(after: "limit the query to at most") { return range(n, "coinbase-range") }
        if let n = t.number(after: "block range greater than") { return range(n, "swell-range") }
        if let n = t.number(after: "block range exceeds") { return range(n, "somnia-range") }
        if t.has("range is too large, max is") { return range(t.number(after: "max is") ?? 0, "merkle-range") }
        if t.has("block range is too large") { return ProviderError(.rangeRefused(.blocks()), "optimism-range") }
        if let n = t.number(after: "query must be smaller than size") { return range(n, "harmony-range") }
        if let n = t.number(after: "blocks distance:") { return range(n, "ankr-tac-range") }
        if let n = t.number(after: "ranges over") { return range(n, "drpc-range") }
        if let n = t.number(after: "up to a "), t.has("block range") { return range(n, "aurora-range") }
        if t.has("requested range exceeds maximum range limit") {
            return ProviderError(.rangeRefused(.blocks()), "besu-range")
        }
        if t.has("too many blocks") || t.has("range too large") || t.has("range too wide")
            || (t.has("block range") && (t.has("exceed") || t.has("too big") || t.has("too long")))
        {
            return ProviderError(.rangeRefused(.blocks()), "generic-range")
        }

        if t.has("response size should not greater than") {
            return ProviderError(.rangeRefused(RangeRefusal(.size)), "1rpc-size")
        }
        if t.has("backend response too large") {
            return ProviderError(.rangeRefused(RangeRefusal(.size)), "optimism-size")
        }
        if t.has("response is too big") || t.has("response too large") || t.has("response size exceeded")
            || t.has("response size limit") || t.has("exceeds max response size") || t.has("payload too large")
            || t.has("response exceeds")
        {
            return ProviderError(.rangeRefused(RangeRefusal(.size)), "generic-size")
        }
        return nil
    }

    private static func range(_ n: UInt64, _ shape: String) -> ProviderError {
        ProviderError(.rangeRefused(.blocks(maxBlocks: n)), shape)
    }

    // MARK: - Throttling, auth, availability

    private static func throttled(_ t: ErrorText, code: Int?, retryAfter: Double?) -> ProviderError? {
        let phrases = [
            "rate limit", "ratelimit", "too many requests", "request rate exceeded", "compute units per second",
            "compute unit", "exceeded its", "throughput", "requests per second", "request limit reached",
            "daily request count exceeded", "credits", "quota", "throttl", "slow down", "capacity exceeded",
        ]
        guard phrases.contains(where: { t.has($0) }) || code == -32090 || code == -32029 else { return nil }
        return ProviderError(.rateLimited(retryAfter: retryAfter ?? t.backoffSeconds), "rate-limit")
    }

    private static func otherMessages(_ t: ErrorText, code: Int?, httpStatus: Int) -> ProviderError? {
        let auth = [
            "unauthorized", "must be authenticated", "invalid api key", "api key", "apikey", "invalid project id",
            "project id", "authentication", "forbidden", "whitelist", "allowlist", "origin not allowed",
            "invalid token", "access denied", "not authorized", "permission denied",
        ]
        // A 5xx is the server's own failure, whatever its page says: a proxy's
        // HTML error page mentions "Unauthorized" or "project id" in its menu
        // or help text. Only a 4xx or a 200 JSON-RPC error is believed about
        // keys; a 5xx is retried and fails over to another --rpc.
        if !(500...599).contains(httpStatus), auth.contains(where: { t.has($0) }) {
            return ProviderError(.permanentAuth, "auth")
        }
        if t.has("batch")
            && ["not supported", "not allowed", "too large", "too many", "limit", "exceed", "disabled", "maximum"]
                .contains(where: { t.has($0) })
        {
            return ProviderError(.batchRejected, "batch")
        }
        let notYet = [
            "header not found", "unknown block", "block not found", "after last accepted block",
            "requested block is not available", "block is not available", "cannot query unfinalized data",
            "missing trie node", "not yet available",
        ]
        if notYet.contains(where: { t.has($0) }) { return ProviderError(.headerNotFound, "header-not-found") }
        // A proxy's "upstream connect error … connection timeout" is a connection hiccup, not a slow query.
        if t.has("upstream connect error") || t.has("no backend is currently healthy") || t.has("bad gateway")
            || t.has("service unavailable") || t.has("temporarily unavailable") || t.has("connection reset")
            || t.has("try again") || t.has("overloaded") || t.has("server busy") || t.has("unexpected eof")
        {
            return ProviderError(.transient, "upstream")
        }
        if t.has("query timeout") || t.has("timed out") || t.has("timeout exceeded") || t.has("deadline exceeded")
            || t.has("execution timeout") || t.has("request timeout") || t.has("statement timeout")
            || t.has("query duration") || t.has("gateway timeout")
        {
            return ProviderError(.timeout, "timeout")
        }
        if code == -32601 || t.has("method not found") || t.has("does not exist/is not available")
            || t.has("method not supported") || t.has("unsupported method") || t.has("method is not available")
            || t.has("not whitelisted method")
        {
            return ProviderError(.methodNotFound, "method-not-found")
        }
        if t.has("internal error") || t.has("internal server error") || t.has("server error") {
            return ProviderError(.transient, "internal-error")
        }
        return nil
    }
}

/// Lower-cased message and data text with the small parsers the rules need.
struct ErrorText {
    let bytes: [UInt8]

    init(_ message: String, _ data: String?) {
        var b = Array(message.utf8)
        if let data {
            b.append(UInt8(ascii: " "))
            b.append(contentsOf: data.utf8)
        }
        for i in b.indices where b[i] >= 65 && b[i] <= 90 { b[i] += 32 }
        bytes = b
    }

    /// Index just past the first occurrence of `needle`.
    func end(of needle: String) -> Int? {
        let n = Array(needle.utf8)
        guard !n.isEmpty, n.count <= bytes.count else { return nil }
        var i = 0
        while i + n.count <= bytes.count {
            if bytes[i] == n[0] {
                var j = 1
                while j < n.count && bytes[i + j] == n[j] { j += 1 }
                if j == n.count { return i + n.count }
            }
            i += 1
        }
        return nil
    }

    func has(_ needle: String) -> Bool { end(of: needle) != nil }

    private func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    /// The first number within a few characters after `needle` ("limit: 10,000", "max is 10k").
    /// Digit group separators (`,` `.` `_`) count only between digits.
    func number(after needle: String) -> UInt64? {
        guard var i = end(of: needle) else { return nil }
        let limit = min(bytes.count, i + 6)
        while i < limit && !isDigit(bytes[i]) { i += 1 }
        return parseNumber(at: i)?.value
    }

    private func parseNumber(at start: Int) -> (value: UInt64, end: Int)? {
        var i = start
        guard i < bytes.count, isDigit(bytes[i]) else { return nil }
        var value: UInt64 = 0
        while i < bytes.count {
            let b = bytes[i]
            if isDigit(b) {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(b - 48))
                if o1 || o2 { return nil }
                value = s
                i += 1
            } else if (b == 44 || b == 46 || b == 95) && i + 1 < bytes.count && isDigit(bytes[i + 1]) {
                i += 1
            } else {
                break
            }
        }
        if i < bytes.count && bytes[i] == UInt8(ascii: "k")
            && (i + 1 == bytes.count || !(bytes[i + 1] >= 97 && bytes[i + 1] <= 122))
        {
            value = value.multipliedReportingOverflow(by: 1000).overflow ? value : value * 1000
            i += 1
        }
        return (value, i)
    }

    private func parseHex(at start: Int) -> (value: UInt64, end: Int)? {
        var i = start
        guard i + 2 < bytes.count, bytes[i] == 48, bytes[i + 1] == UInt8(ascii: "x") else { return nil }
        i += 2
        var value: UInt64 = 0
        var digits = 0
        while i < bytes.count {
            let b = bytes[i]
            let d: UInt8
            if isDigit(b) { d = b - 48 } else if b >= 97 && b <= 102 { d = b - 87 } else { break }
            if digits == 16 { return nil }
            value = value << 4 | UInt64(d)
            digits += 1
            i += 1
        }
        return digits > 0 ? (value, i) : nil
    }

    private func skipSeparators(_ i: inout Int) {
        while i < bytes.count && (bytes[i] == 32 || bytes[i] == 44 || bytes[i] == 9 || bytes[i] == 34) { i += 1 }
    }

    /// "[0x1a, 0x2b]" after `needle` → a suggested range.
    func hexHint(after needle: String) -> (from: UInt64, to: UInt64)? {
        guard var i = end(of: needle) else { return nil }
        skipSeparators(&i)
        guard let a = parseHex(at: i) else { return nil }
        i = a.end
        skipSeparators(&i)
        guard let b = parseHex(at: i), b.value >= a.value else { return nil }
        return (a.value, b.value)
    }

    /// "100-250" after `needle` (reth) → (100, 250).
    func decimalPair(after needle: String) -> (UInt64, UInt64)? {
        guard let i = end(of: needle), let a = parseNumber(at: i), a.end < bytes.count,
            bytes[a.end] == UInt8(ascii: "-"), let b = parseNumber(at: a.end + 1), b.value >= a.value
        else { return nil }
        return (a.value, b.value)
    }

    /// Infura's error data: {"from":"0x…","to":"0x…","limit":10000}.
    func dataHint() -> (from: UInt64, to: UInt64)? {
        guard var i = end(of: "\"from\":") else { return nil }
        skipSeparators(&i)
        guard let a = parseHex(at: i), var j = end(of: "\"to\":") else { return nil }
        skipSeparators(&j)
        guard let b = parseHex(at: j), b.value >= a.value else { return nil }
        return (a.value, b.value)
    }

    /// Infura's rate-limit data: {"backoff_seconds":30.0}.
    var backoffSeconds: Double? {
        guard var i = end(of: "\"backoff_seconds\":") else { return nil }
        while i < bytes.count && bytes[i] == 32 { i += 1 }
        var j = i
        while j < bytes.count && (isDigit(bytes[j]) || bytes[j] == 46) { j += 1 }
        guard j > i, let v = Double(String(decoding: bytes[i..<j], as: UTF8.self)), v.isFinite, v >= 0 else {
            return nil
        }
        return v
    }
}
