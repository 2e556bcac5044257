import CCCore
import CCurl

/// `Transport` over one libcurl easy handle. The handle keeps its connections
/// between requests (HTTP keep-alive, HTTP/2 over TLS when the server offers
/// it), asks for compressed bodies and decodes them, and enforces timeouts.
///
/// Give each worker thread its own `CurlTransport`: requests on one instance
/// are serialised by a lock, so sharing one is safe but not concurrent.
/// @unchecked Sendable: every request on the easy handle happens under
/// `lock`; the handle is set up in init and freed in deinit.
package final class CurlTransport: Transport, @unchecked Sendable {
    package struct Options: Sendable {
        /// Seconds to establish a connection (TCP + TLS).
        package var connectTimeout: Double = 10
        /// Seconds for a whole request, connection included.
        package var requestTimeout: Double = 60
        package var userAgent: String = "chaincast/1.0"
        /// Bodies larger than this fail with `.responseTooLarge` instead of exhausting memory.
        package var maxResponseBytes: Int = 1 << 30
        /// Offer every encoding libcurl can decode (gzip, deflate, br, zstd as built).
        package var compression: Bool = true
        /// Negotiate HTTP/2 on https:// URLs (plain http stays HTTP/1.1).
        package var http2: Bool = true

        package init(connectTimeout: Double = 10, requestTimeout: Double = 60, compression: Bool = true) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.compression = compression
        }
    }

    private let easy: CurlEasy
    private let headerList: UnsafeMutablePointer<curl_slist>?
    private let lock = Monitor()
    package let options: Options

    package init(options: Options = Options()) throws(TransportError) {
        easy = try CurlEasy(
            userAgent: options.userAgent, connectTimeout: options.connectTimeout,
            requestTimeout: options.requestTimeout, bodyLimit: .fail(options.maxResponseBytes))
        self.options = options
        let h = easy.handle
        var list: UnsafeMutablePointer<curl_slist>? = nil
        // "Expect:" turns off the 100-continue round trip curl adds to large POSTs.
        for line in ["Content-Type: application/json", "Accept: application/json", "Expect:"] {
            list = curl_slist_append(list, line)
        }
        headerList = list
        cc_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)
        // Endpoints that moved (http → https, a renamed path) answer 301/307/308:
        // follow a few hops and keep POSTing the body.
        cc_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 1)
        cc_curl_setopt_long(h, CURLOPT_MAXREDIRS, 5)
        cc_curl_setopt_long(h, CURLOPT_POSTREDIR, 7)  // CURL_REDIR_POST_ALL
        cc_curl_setopt_str(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        if options.http2 { cc_curl_setopt_long(h, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)) }
        // "" = every encoding this libcurl supports, decoded transparently.
        if options.compression { cc_curl_setopt_str(h, CURLOPT_ACCEPT_ENCODING, "") }
    }

    deinit {
        // The handle (freed by `easy`) still points at the list: drop it first.
        cc_curl_setopt_slist(easy.handle, CURLOPT_HTTPHEADER, nil)
        curl_slist_free_all(headerList)
    }

    package func post(url: String, body: [UInt8]) throws(TransportError) -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        return try easy.post(url: url, body: body)
    }
}
