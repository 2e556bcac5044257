import CCCore
import CCurl

/// libcurl's global state is set up once per process, before the first handle.
private let curlGlobalInit: Void = {
    _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()

/// One libcurl easy handle set up for POSTs, and the response its callbacks
/// fill: what the JSON-RPC transport and the webhook client share. Each adds
/// its own options through `handle` (headers, redirects, compression, CA).
///
/// The handle keeps its connections between requests (keep-alive). Not
/// thread-safe: the owner serialises requests.
package final class CurlEasy {
    /// What to do with a response body larger than a limit.
    package enum BodyLimit {
        /// Abort the transfer: `.responseTooLarge`.
        case fail(Int)
        /// Keep the first bytes and read the rest to the end (bodies shown in messages).
        case truncate(Int)
    }

    package let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let response: CurlResponse

    package init(userAgent: String, connectTimeout: Double, requestTimeout: Double, bodyLimit: BodyLimit)
        throws(TransportError)
    {
        _ = curlGlobalInit
        guard let h = curl_easy_init() else { throw TransportError(.other, "curl_easy_init failed") }
        handle = h
        response = CurlResponse(limit: bodyLimit)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        cc_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)  // threads: no SIGALRM for DNS timeouts
        cc_curl_setopt_long(h, CURLOPT_POST, 1)
        cc_curl_setopt_str(h, CURLOPT_USERAGENT, userAgent)
        cc_curl_setopt_str(h, CURLOPT_PROTOCOLS_STR, "http,https")
        cc_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        cc_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, Self.milliseconds(requestTimeout))
        cc_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        cc_curl_setopt_long(h, CURLOPT_TCP_NODELAY, 1)
        cc_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
        let opaque = Unmanaged.passUnretained(response).toOpaque()
        cc_curl_setopt_datacb(h, CURLOPT_WRITEFUNCTION, curlWriteBody)
        cc_curl_setopt_ptr(h, CURLOPT_WRITEDATA, opaque)
        cc_curl_setopt_datacb(h, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        cc_curl_setopt_ptr(h, CURLOPT_HEADERDATA, opaque)
        // libcurl calls this about once a second while a transfer waits: a stop
        // (SIGINT/SIGTERM) aborts a request to a silent server now, not at its
        // timeout (60 s by default).
        cc_curl_setopt_xferinfocb(h, { _, _, _, _, _ in SignalState.shouldStop ? 1 : 0 })
        cc_curl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// One POST of `body` to `url`. Every HTTP status is a response; only
    /// transfer failures throw.
    package func post(url: String, body: [UInt8]) throws(TransportError) -> HTTPResponse {
        response.reset()
        errorBuffer[0] = 0
        cc_curl_setopt_str(handle, CURLOPT_URL, url)
        let code: CURLcode = body.withUnsafeBufferPointer { buf in
            // POSTFIELDS is read during perform only; buf outlives it. An
            // empty body still needs a non-null pointer, or curl reads stdin.
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
        if code != CURLE_OK { throw error(code) }
        var status = 0
        cc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let r = HTTPResponse(status: status, headers: response.headers, body: response.body)
        response.reset()
        return r
    }

    private func error(_ code: CURLcode) -> TransportError {
        var detail = String(cString: errorBuffer)
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        if detail.hasSuffix("\n") { detail.removeLast() }
        let kind: TransportError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT: kind = .timeout
        case CURLE_COULDNT_CONNECT: kind = .connectionRefused
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM,
            CURLE_WEIRD_SERVER_REPLY:
            kind = .connectionReset
        case CURLE_PARTIAL_FILE, CURLE_BAD_CONTENT_ENCODING: kind = .truncated
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .dns
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_CACERT_BADFILE:
            kind = .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_TOO_MANY_REDIRECTS: kind = .invalidURL
        case CURLE_WRITE_ERROR where response.overflow:
            kind = .responseTooLarge
            if case .fail(let limit) = response.limit { detail = "over \(limit) bytes" }
        default: kind = .other
        }
        return TransportError(kind, detail)
    }

    /// Seconds as libcurl milliseconds; nonsense (NaN, negative, huge) becomes a day.
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 86_400_000 }
        return Int(min(seconds, 86_400) * 1000)
    }
}

/// Where libcurl's callbacks put the response. Reached through the opaque
/// pointer given to CURLOPT_WRITEDATA / CURLOPT_HEADERDATA (callbacks must not
/// capture); only touched during `curl_easy_perform`.
private final class CurlResponse {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflow = false
    let limit: CurlEasy.BodyLimit

    init(limit: CurlEasy.BodyLimit) { self.limit = limit }

    func reset() {
        body = []
        headers = [:]
        overflow = false
    }
}

/// The callbacks' common part: the response their opaque pointer names and
/// the bytes libcurl hands over. Returns what to tell libcurl: the byte count
/// (or 0 to abort, when `body` says so or nothing is attached).
@inline(__always)
private func withDelivery(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ nmemb: Int, _ userdata: UnsafeMutableRawPointer?,
    _ body: (CurlResponse, UnsafeBufferPointer<UInt8>) -> Bool
) -> Int {
    guard let userdata else { return 0 }
    let n = size * nmemb
    guard n > 0, let ptr else { return n }
    let state = Unmanaged<CurlResponse>.fromOpaque(userdata).takeUnretainedValue()
    let ok = ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
        body(state, UnsafeBufferPointer(start: $0, count: n))
    }
    return ok ? n : 0
}

private func curlWriteBody(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ nmemb: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    withDelivery(ptr, size, nmemb, userdata) { state, bytes in
        var keep = bytes.count
        switch state.limit {
        case .fail(let limit):
            if state.body.count + bytes.count > limit {
                state.overflow = true
                return false  // aborts the transfer with CURLE_WRITE_ERROR
            }
        case .truncate(let limit):
            keep = min(bytes.count, max(0, limit - state.body.count))
        }
        if keep > 0 { state.body.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<keep])) }
        return true
    }
}

private func curlWriteHeader(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ nmemb: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    withDelivery(ptr, size, nmemb, userdata) { state, bytes in
        HTTPHeaderLine(bytes).apply(to: &state.headers)
        return true
    }
}
