import CCHTTP
import CCurl

/// POSTs webhook batches over one libcurl easy handle (keep-alive between
/// batches). Unlike the JSON-RPC transport it sends per-request headers
/// (idempotency key, signatures) and takes a private CA bundle. TLS
/// verification is libcurl's default and never turned off.
///
/// Not Sendable: the sink uses it from one thread.
package final class WebhookHTTPClient {
    package struct Options: Sendable {
        package var connectTimeout: Double = 10
        package var requestTimeout: Double = 30
        /// `--cacert`: a PEM bundle for receivers behind a private CA.
        package var caFile: String?
        package init() {}
    }

    private let easy: CurlEasy
    let options: Options

    package init(options: Options) throws(TransportError) {
        // Response bodies are only shown in messages: keep 64 KiB.
        easy = try CurlEasy(
            userAgent: "chaincast-sink/1.0", connectTimeout: options.connectTimeout,
            requestTimeout: options.requestTimeout, bodyLimit: .truncate(65_536))
        self.options = options
        cc_curl_setopt_long(easy.handle, CURLOPT_SSL_VERIFYPEER, 1)
        cc_curl_setopt_long(easy.handle, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = options.caFile { cc_curl_setopt_str(easy.handle, CURLOPT_CAINFO, ca) }
    }

    /// One POST. Every HTTP status is a response; only transfer failures throw.
    package func post(url: String, headers: [String], body: [UInt8]) throws(TransportError) -> HTTPResponse {
        var list: UnsafeMutablePointer<curl_slist>? = nil
        // "Expect:" drops the 100-continue round trip curl adds to large bodies.
        for line in headers + ["Expect:"] { list = curl_slist_append(list, line) }
        cc_curl_setopt_slist(easy.handle, CURLOPT_HTTPHEADER, list)
        defer {
            cc_curl_setopt_slist(easy.handle, CURLOPT_HTTPHEADER, nil)
            curl_slist_free_all(list)
        }
        return try easy.post(url: url, body: body)
    }
}
