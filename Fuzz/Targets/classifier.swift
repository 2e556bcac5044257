/// The provider error classifier over arbitrary status, code and text; and
/// the one redaction function, whose output must never hold a configured
/// secret.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 4 else { return 0 }
    let status = Int(data[0]) * 3
    let code = -32768 + Int(data[1]) * 256 + Int(data[2])
    let text = String(decoding: UnsafeBufferPointer(start: data + 4, count: size - 4), as: UTF8.self)
    let parts = text.split(separator: "\u{0}", maxSplits: 1).map(String.init)
    let message = parts.first ?? ""
    let extra = parts.count > 1 ? parts[1] : nil
    let e = ProviderErrorClassifier.classify(
        httpStatus: status, code: data[3] & 1 == 0 ? code : nil, message: message, data: extra,
        retryAfter: data[3] & 2 == 0 ? nil : Double(data[3]))
    if (500...599).contains(status) { precondition(e.kind != .permanentAuth, "5xx taken for a bad key") }
    _ = ProviderErrorClassifier.classifyUnparseableBody(httpStatus: status, body: text)
    _ = e.kind.stopStatus
    _ = e.kind.splitsRange

    // Redaction: a URL with a key, and a body that may quote it.
    let key = "SECRETKEY" + String(data[3])
    let r = Redactor(urls: ["https://u:pw123456@h.example.com/v2/\(key)?apikey=\(key)"], headers: ["X-Api-Key: \(key)"])
    let scrubbed = r.scrub(message + key + (extra.map { " " + $0 } ?? ""))
    precondition(!scrubbed.contains(key), "secret survived: \(scrubbed)")
    precondition(!scrubbed.utf8.contains(where: { $0 < 0x20 }), "control character survived")
    return 0
}
