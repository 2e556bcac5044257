import CCurl

/// libcurl's global state is set up once per process, before the first handle.
private let curlGlobalInit: Void = {
    _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
}()

/// `Transport` over one libcurl easy handle. The handle keeps its connections
/// between requests (HTTP keep-alive, HTTP/2 over TLS when the server offers
/// it), asks for compressed bodies and decodes them, and enforces timeouts.
///
/// Give each worker thread its own `CurlTransport`: requests on one instance
/// are serialised by a lock, so sharing one is safe but not concurrent.
/// @unchecked Sendable: every use of the easy handle and the response buffer
/// happens under `lock`; the handle is created in init and freed in deinit.
public final class CurlTransport: Transport, @unchecked Sendable {
    public struct Options: Sendable {
        /// Seconds to establish a connection (TCP + TLS).
        public var connectTimeout: Double = 10
        /// Seconds for a whole request, connection included.
        public var requestTimeout: Double = 60
        public var userAgent: String = "chaincast/1.0"
        /// Bodies larger than this fail with `.responseTooLarge` instead of exhausting memory.
        public var maxResponseBytes: Int = 1 << 30
        /// Offer every encoding libcurl can decode (gzip, deflate, br, zstd as built).
        public var compression: Bool = true
        /// Negotiate HTTP/2 on https:// URLs (plain http stays HTTP/1.1).
        public var http2: Bool = true

        public init(connectTimeout: Double = 10, requestTimeout: Double = 60, compression: Bool = true) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.compression = compression
        }
    }

    private let handle: UnsafeMutableRawPointer
    private let headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let state: ResponseState
    private let lock = RPCLock()
    public let options: Options

    public init(options: Options = Options()) throws(TransportError) {
        _ = curlGlobalInit
        guard let h = curl_easy_init() else { throw TransportError(.other, "curl_easy_init failed") }
        handle = h
        self.options = options
        state = ResponseState(cap: options.maxResponseBytes)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var list: UnsafeMutablePointer<curl_slist>? = nil
        // "Expect:" turns off the 100-continue round trip curl adds to large POSTs.
        for line in ["Content-Type: application/json", "Accept: application/json", "Expect:"] {
            list = curl_slist_append(list, line)
        }
        headerList = list

        cc_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1)  // threads: no SIGALRM for DNS timeouts
        cc_curl_setopt_long(h, CURLOPT_POST, 1)
        cc_curl_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)
        cc_curl_setopt_str(h, CURLOPT_USERAGENT, options.userAgent)
        cc_curl_setopt_str(h, CURLOPT_PROTOCOLS_STR, "http,https")
        // Endpoints that moved (http → https, a renamed path) answer 301/307/308:
        // follow a few hops and keep POSTing the body.
        cc_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 1)
        cc_curl_setopt_long(h, CURLOPT_MAXREDIRS, 5)
        cc_curl_setopt_long(h, CURLOPT_POSTREDIR, 7)  // CURL_REDIR_POST_ALL
        cc_curl_setopt_str(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        cc_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(options.connectTimeout))
        cc_curl_setopt_long(h, CURLOPT_TIMEOUT_MS, milliseconds(options.requestTimeout))
        cc_curl_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        cc_curl_setopt_long(h, CURLOPT_TCP_NODELAY, 1)
        if options.http2 { cc_curl_setopt_long(h, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)) }
        // "" = every encoding this libcurl supports, decoded transparently.
        if options.compression { cc_curl_setopt_str(h, CURLOPT_ACCEPT_ENCODING, "") }
        cc_curl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)

        let opaque = Unmanaged.passUnretained(state).toOpaque()
        cc_curl_setopt_datacb(h, CURLOPT_WRITEFUNCTION, curlWriteBody)
        cc_curl_setopt_ptr(h, CURLOPT_WRITEDATA, opaque)
        cc_curl_setopt_datacb(h, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        cc_curl_setopt_ptr(h, CURLOPT_HEADERDATA, opaque)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    public func post(url: String, body: [UInt8]) throws(TransportError) -> HTTPResponse {
        lock.lock()
        defer { lock.unlock() }
        state.reset()
        errorBuffer[0] = 0
        cc_curl_setopt_str(handle, CURLOPT_URL, url)
        let code: CURLcode = body.withUnsafeBufferPointer { buf in
            // POSTFIELDS is read during perform only; buf outlives it.
            var empty: UInt8 = 0
            return withUnsafeMutablePointer(to: &empty) { emptyPtr in
                let ptr = UnsafeMutableRawPointer(mutating: buf.baseAddress.map { UnsafeRawPointer($0) })
                cc_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, ptr ?? UnsafeMutableRawPointer(emptyPtr))
                cc_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(buf.count))
                let rc = curl_easy_perform(handle)
                cc_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, nil)
                return rc
            }
        }
        if code != CURLE_OK {
            throw mapError(code)
        }
        var status = 0
        cc_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        let response = HTTPResponse(status: status, headers: state.headers, body: state.body)
        state.reset()
        return response
    }

    private func mapError(_ code: CURLcode) -> TransportError {
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
            CURLE_SSL_ENGINE_NOTFOUND:
            kind = .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_TOO_MANY_REDIRECTS: kind = .invalidURL
        case CURLE_WRITE_ERROR where state.overflow:
            kind = .responseTooLarge
            detail = "over \(options.maxResponseBytes) bytes"
        default: kind = .other
        }
        return TransportError(kind, detail)
    }
}

/// Seconds as libcurl milliseconds; nonsense (NaN, negative, huge) becomes a day.
private func milliseconds(_ seconds: Double) -> Int {
    guard seconds.isFinite, seconds > 0 else { return 86_400_000 }
    return Int(min(seconds, 86_400) * 1000)
}

/// Where libcurl's callbacks put the response. Reached through the opaque
/// pointer given to CURLOPT_WRITEDATA / CURLOPT_HEADERDATA (callbacks must not
/// capture); only touched during `curl_easy_perform` under the transport's lock.
private final class ResponseState {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var overflow = false
    let cap: Int

    init(cap: Int) { self.cap = cap }

    func reset() {
        body = []
        headers = [:]
        overflow = false
    }
}

private func curlWriteBody(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ nmemb: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let userdata else { return 0 }
    let state = Unmanaged<ResponseState>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * nmemb
    guard n > 0, let ptr else { return n }
    if state.body.count + n > state.cap {
        state.overflow = true
        return 0  // aborts the transfer with CURLE_WRITE_ERROR
    }
    ptr.withMemoryRebound(to: UInt8.self, capacity: n) { p in
        state.body.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
    }
    return n
}

private func curlWriteHeader(
    _ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ nmemb: Int, _ userdata: UnsafeMutableRawPointer?
) -> Int {
    guard let userdata else { return 0 }
    let state = Unmanaged<ResponseState>.fromOpaque(userdata).takeUnretainedValue()
    let n = size * nmemb
    guard n > 0, let ptr else { return n }
    ptr.withMemoryRebound(to: UInt8.self, capacity: n) { p in
        HTTPHeaderLine(UnsafeBufferPointer(start: p, count: n)).apply(to: &state.headers)
    }
    return n
}
