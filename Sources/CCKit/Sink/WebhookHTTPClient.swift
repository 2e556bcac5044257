import CCurl

/// POSTs webhook batches over one libcurl easy handle (keep-alive between
/// batches). Unlike the JSON-RPC transport it sends per-request headers
/// (idempotency key, signatures) and takes a private CA bundle. TLS
/// verification is libcurl's default and never turned off.
///
/// Not Sendable: the sink uses it from one thread.
public final class WebhookHTTPClient {
    public struct Options: Sendable {
        public var connectTimeout: Double = 10
        public var requestTimeout: Double = 30
        /// `--cacert`: a PEM bundle for receivers behind a private CA.
        public var caFile: String?
        public init() {}
    }

    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let response = WebhookResponseBuffer()
    let options: Options

    public init(options: Options) throws(TransportError) {
        _ = webhookCurlGlobalInit
        guard let h = curl_easy_init() else { throw TransportError(.other, "curl_easy_init failed") }
        handle = h
        self.options = options
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        cc_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        cc_curl_setopt_long(h, CURLOPT_POST, 1)
        cc_curl_setopt_str(h, CURLOPT_USERAGENT, "chaincast-sink/1.0")
        cc_curl_setopt_str(h, CURLOPT_PROTOCOLS_STR, "http,https")
        cc_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        cc_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(options.requestTimeout * 1000))
        cc_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        cc_curl_setopt_long(h, CURLOPT_TCP_NODELAY, 1)
        cc_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        cc_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        if let ca = options.caFile { cc_curl_setopt_str(h, CURLOPT_CAINFO, ca) }
        cc_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
        let opaque = Unmanaged.passUnretained(response).toOpaque()
        cc_curl_setopt_datacb(h, CURLOPT_WRITEFUNCTION, webhookWriteBody)
        cc_curl_setopt_ptr(h, CURLOPT_WRITEDATA, opaque)
        cc_curl_setopt_datacb(h, CURLOPT_HEADERFUNCTION, webhookWriteHeader)
        cc_curl_setopt_ptr(h, CURLOPT_HEADERDATA, opaque)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// One POST. Every HTTP status is a response; only transfer failures throw.
    public func post(url: String, headers: [String], body: [UInt8]) throws(TransportError) -> HTTPResponse {
        response.reset()
        errorBuffer[0] = 0
        var list: UnsafeMutablePointer<curl_slist>? = nil
        // "Expect:" drops the 100-continue round trip curl adds to large bodies.
        for line in headers + ["Expect:"] { list = curl_slist_append(list, line) }
        defer { curl_slist_free_all(list) }
        cc_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        cc_curl_setopt_str(handle, CURLOPT_URL, url)
        let code: CURLcode = body.withUnsafeBufferPointer { buf in
            var empty: UInt8 = 0
            return withUnsafeMutablePointer(to: &empty) { emptyPtr in
                let p = UnsafeMutableRawPointer(mutating: buf.baseAddress.map { UnsafeRawPointer($0) })
                cc_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, p ?? UnsafeMutableRawPointer(emptyPtr))
                cc_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(buf.count))
                let rc = curl_easy_perform(handle)
                cc_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, nil)
                return rc
            }
        }
        cc_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
        if code != CURLE_OK { throw mapError(code) }
        var status = 0
        cc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: response.headers, body: response.body)
    }

    private func mapError(_ code: CURLcode) -> TransportError {
        var detail = String(cString: errorBuffer)
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        if detail.hasSuffix("\n") { detail.removeLast() }
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return TransportError(.timeout, detail)
        case CURLE_COULDNT_CONNECT: return TransportError(.connectionRefused, detail)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            CURLE_WEIRD_SERVER_REPLY, CURLE_PARTIAL_FILE:
            return TransportError(.connectionReset, detail)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return TransportError(.dns, detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE:
            return TransportError(.tls, detail)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: return TransportError(.invalidURL, detail)
        default: return TransportError(.other, detail)
        }
    }
}

private let webhookCurlGlobalInit: Void = {
    _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()

/// Where the callbacks put the response, reached through CURLOPT_WRITEDATA
/// (libcurl callbacks must not capture). Bodies are kept up to 64 KiB: the
/// sink only shows them in messages.
private final class WebhookResponseBuffer {
    var body: [UInt8] = []
    var headers: [String: String] = [:]

    func reset() {
        body = []
        headers = [:]
    }
}

private func webhookWriteBody(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ nmemb: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let n = size * nmemb
    guard let userdata, let ptr, n > 0 else { return n }
    let state = Unmanaged<WebhookResponseBuffer>.fromOpaque(userdata).takeUnretainedValue()
    let room = max(0, 65_536 - state.body.count)
    if room > 0 {
        ptr.withMemoryRebound(to: UInt8.self, capacity: n) { p in
            state.body.append(contentsOf: UnsafeBufferPointer(start: p, count: min(n, room)))
        }
    }
    return n
}

private func webhookWriteHeader(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ nmemb: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    let n = size * nmemb
    guard let userdata, let ptr, n > 0 else { return n }
    let state = Unmanaged<WebhookResponseBuffer>.fromOpaque(userdata).takeUnretainedValue()
    ptr.withMemoryRebound(to: UInt8.self, capacity: n) { p in
        HTTPHeaderLine(UnsafeBufferPointer(start: p, count: n)).apply(to: &state.headers)
    }
    return n
}
