import CCCore

/// The seam between the JSON-RPC client and the network: one HTTP POST of a
/// request body, answered by a status, the headers the client cares about and
/// the body. `CurlTransport` is the real one; tests plug in fakes.
///
/// A transport serves one thread at a time. It may be handed to another
/// thread between requests.
package protocol Transport: AnyObject {
    /// Posts `body` (a JSON-RPC request or batch) to `url`.
    /// Every HTTP status is a response, not an error: classifying 429 or 503 is
    /// the caller's job. Only failures to get a complete response throw.
    func post(url: String, body: [UInt8]) throws(TransportError) -> HTTPResponse
}

/// What came back over HTTP.
package struct HTTPResponse: Sendable {
    package var status: Int
    /// Header names are lower-cased; the last occurrence of a name wins.
    package var headers: [String: String]
    package var body: [UInt8]

    package init(status: Int, headers: [String: String] = [:], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// `Retry-After` in seconds (delta-seconds or an HTTP date), when present and sane.
    package func retryAfter(now: Double = wallClockSeconds()) -> Double? {
        guard let value = header("retry-after") else { return nil }
        return parseRetryAfter(value, now: now)
    }
}

/// Why no complete HTTP response arrived. The kinds are the ones retry
/// decisions need; `detail` is a short description without the URL's secrets.
package struct TransportError: Error, Equatable, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// No complete response within the request timeout.
        case timeout
        /// Nothing listening, or the connection could not be established.
        case connectionRefused
        /// The server closed or reset the connection before or while answering.
        case connectionReset
        /// The body ended before its announced length, or failed to decompress.
        case truncated
        /// The host name did not resolve.
        case dns
        /// TLS handshake or certificate failure.
        case tls
        /// The response exceeded the transport's size cap.
        case responseTooLarge
        /// The URL cannot be used at all (bad syntax, unsupported scheme).
        case invalidURL
        /// Anything else libcurl reports.
        case other
    }

    package var kind: Kind
    package var detail: String

    package init(_ kind: Kind, _ detail: String = "") {
        self.kind = kind
        self.detail = detail
    }

    package var description: String {
        let name: String
        switch kind {
        case .timeout: name = "timed out"
        case .connectionRefused: name = "connection refused"
        case .connectionReset: name = "connection closed by the server"
        case .truncated: name = "truncated response"
        case .dns: name = "host name did not resolve"
        case .tls: name = "TLS failure"
        case .responseTooLarge: name = "response too large"
        case .invalidURL: name = "unusable URL"
        case .other: name = "transfer failed"
        }
        return detail.isEmpty ? name : "\(name) (\(detail))"
    }

    /// Failures worth retrying on the same or another endpoint.
    package var isTransient: Bool {
        switch kind {
        case .invalidURL, .tls, .responseTooLarge: return false
        default: return true
        }
    }
}
