// Provider error classifier on any status, code, message, data and body: a
// kind always comes back, without a trap, and what it says is usable: a
// backoff is finite and not negative, a range hint is not upside down.
import CCCore
import CCHTTP
import CCRPC

func checkUsable(_ e: ProviderError) {
    switch e.kind {
    case .rateLimited(let after):
        if let after { check(after.isFinite && after >= 0, "backoff \(after)") }
    case .rangeRefused(let refusal):
        if let from = refusal.from, let to = refusal.to { check(from <= to, "range hint \(refusal) upside down") }
        if let m = refusal.maxBlocks { check(m > 0, "range hint of no block") }
    default: break
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var src = ByteSource(UnsafeBufferPointer(start: data, count: size))
    let statuses = [0, 200, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504, 524]
    let status = src.byte() < 200 ? statuses[src.int(statuses.count)] : Int(src.byte()) * 4
    let codes = [nil, -32000, -32005, -32602, -32603, -32001, -32600, -32601, 429, 3]
    var code = codes[src.int(codes.count)]
    if code == nil && src.byte() > 200 { code = Int(Int32(bitPattern: UInt32(src.byte()) << 24 | UInt32(src.byte()))) }
    let retry = src.byte() > 128 ? Double(src.byte()) - 10 : nil
    let text = String(decoding: src.rest(), as: UTF8.self)
    let parts = text.split(separator: "\u{1}", maxSplits: 1, omittingEmptySubsequences: false)
    let message = String(parts[0])
    let extra = parts.count > 1 ? String(parts[1]) : nil
    checkUsable(ProviderErrorClassifier.classify(httpStatus: status, code: code, message: message, data: extra))
    checkUsable(
        ProviderErrorClassifier.classify(httpStatus: status, code: code, message: message, data: extra,
            retryAfter: retry.map { max($0, 0) }))
    checkUsable(ProviderErrorClassifier.classifyUnparseableBody(httpStatus: status, body: text))
    _ = parseRetryAfter(message, now: 1_700_000_000)
    return 0
}
