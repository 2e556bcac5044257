/// One header line as libcurl hands it to a header callback, shared by the
/// RPC transport and the webhook client.
enum HTTPHeaderLine: Equatable {
    /// `HTTP/…`: a new response starts (after `100 Continue` or a redirect),
    /// so headers collected so far belong to an earlier one.
    case statusLine
    /// `Name: value`, the name lowercased and the value trimmed.
    case field(name: String, value: String)
    /// The blank line that ends the headers, or anything without a colon.
    case other

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count >= 5 && bytes[0] == UInt8(ascii: "H") && bytes[1] == UInt8(ascii: "T")
            && bytes[2] == UInt8(ascii: "T") && bytes[3] == UInt8(ascii: "P") && bytes[4] == UInt8(ascii: "/")
        {
            self = .statusLine
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            self = .other
            return
        }
        func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 || b == 10 }
        var start = colon + 1
        var end = bytes.count
        while start < end && isSpace(bytes[start]) { start += 1 }
        while end > start && isSpace(bytes[end - 1]) { end -= 1 }
        self = .field(
            name: String(decoding: bytes[..<colon], as: UTF8.self).lowercased(),
            value: String(decoding: bytes[start..<end], as: UTF8.self))
    }

    /// Applies the line to a response's header table.
    func apply(to headers: inout [String: String]) {
        switch self {
        case .statusLine: headers = [:]
        case .field(let name, let value): headers[name] = value
        case .other: break
        }
    }
}
