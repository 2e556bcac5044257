/// The HTTP header line parser libcurl's callbacks feed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var headers: [String: String] = [:]
    var start = 0
    // Several lines per input, as a response delivers them.
    for i in 0...size where i == size || data[i] == 10 {
        let line = HTTPHeaderLine(UnsafeBufferPointer(start: data + start, count: i - start))
        line.apply(to: &headers)
        if case .field(let name, let value) = line {
            precondition(name == name.lowercased(), "name not lowercased")
            precondition(value.first != " " && value.last != " ", "value not trimmed")
        }
        start = i + 1
    }
    _ = HTTPResponse(status: 200, headers: headers, body: []).retryAfter()
    return 0
}
