import CCCore
import CCHTTP
import CCJSON
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// POSTs batches of events as JSON arrays, signed, with retries.
///
/// A batch is delivered when the receiver answers 2xx. Connection errors,
/// timeouts, 408, 429 and 5xx are retried with exponential backoff and
/// jitter (Retry-After wins when the receiver sends it) until
/// `--max-retries` or `--max-retry-time` is used up, then the sink stops
/// with 69. Any other answer means the receiver will never take this batch:
/// it goes to the dead-letter file and delivery goes on, or without one the
/// sink stops with 69. The checkpoint only moves past delivered or
/// dead-lettered events, because `commit` delivers before it returns.
package final class WebhookSink: Sink {
    package struct Options: Sendable {
        package var url: String
        /// Extra `Name: value` header lines.
        package var headers: [String] = []
        package var maxRetries: Int?
        package var maxRetryTime: Double = 600
        package var deadLetter: String?
        package var http = WebhookHTTPClient.Options()
        /// First backoff delay; doubles per attempt up to `maxBackoff`.
        package var initialBackoff: Double = 0.25
        package var maxBackoff: Double = 30
        package var verbose = false

        package init(url: String) { self.url = url }
    }

    package let kind = "webhook"
    let options: Options
    let signer: WebhookSigner
    let metrics: SinkMetrics
    private let client: WebhookHTTPClient
    private let shownURL: String
    /// Receivers echo the path, query and headers they got (`Cannot POST /hook/TOKEN?sig=KEY`).
    private let redactor: Redactor
    private var body: [UInt8] = []
    private var batchEvents = 0
    package private(set) var pendingEvents = 0
    private var deadLetterFD: Int32 = -1
    private var rng = SystemRandomNumberGenerator()

    package init(_ options: Options, signer: WebhookSigner, metrics: SinkMetrics) throws(ChainCastError) {
        self.options = options
        self.signer = signer
        self.metrics = metrics
        shownURL = redactURL(options.url)
        redactor = Redactor(urls: [options.url], headers: options.headers)
        let lower = options.url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw .usage("webhook URL must start with http:// or https:// (got \(shownURL))")
        }
        for h in options.headers {
            guard let colon = h.firstIndex(of: ":"), colon != h.startIndex, !h.contains("\n"), !h.contains("\r") else {
                throw .usage("-H expects 'Name: value', got '\(h.prefix(40))'")
            }
        }
        do { client = try WebhookHTTPClient(options: options.http) } catch {
            throw .internalError("cannot set up HTTP: \(error)")
        }
        if let path = options.deadLetter {
            try OutputFile.makeParentDirectory(of: path)
            deadLetterFD = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if deadLetterFD < 0 { throw .io("cannot open dead-letter file \(path): \(FileIO.errorText())") }
        }
        body.reserveCapacity(1 << 20)
    }

    deinit {
        if deadLetterFD >= 0 { close(deadLetterFD) }
    }

    package func resume(from checkpoint: CheckpointMarker?, state: SinkState?) throws(ChainCastError) {
        guard checkpoint != nil else { return }
        guard let state else { throw .config("checkpoint file has no \"sink\" state for the webhook sink") }
        try state.expectType("webhook")
    }

    package func append(_ e: DecodedEvent) throws(ChainCastError) { append(raw: e.root.raw) }

    /// Plain records are delivered as they are, in the same arrays as events.
    package func appendRecord(_ record: JSONValue, at position: RecordPosition) throws(ChainCastError) {
        append(raw: record.raw)
    }

    private func append(raw: UnsafeBufferPointer<UInt8>) {
        body.append(batchEvents == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
        if UTF8Repair.isValid(raw) {
            body.append(contentsOf: raw)
        } else {
            body.append(contentsOf: UTF8Repair.repaired(raw))
        }
        batchEvents += 1
        pendingEvents += 1
    }

    /// Delivered in the batch, in order, as an element of its own: the
    /// receiver retracts what it holds above the block.
    package func rewind(_ r: RewindRecord) throws(ChainCastError) -> RewindRetraction {
        body.append(batchEvents == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
        body.append(contentsOf: r.jsonLine.utf8)
        batchEvents += 1
        pendingEvents += 1
        return .asData
    }

    package func flush() throws(ChainCastError) {
        if batchEvents > 0 {
            body.append(UInt8(ascii: "]"))
            try deliver()
            body.removeAll(keepingCapacity: true)
            batchEvents = 0
        }
        pendingEvents = 0
    }

    package func commit(_ checkpoint: CheckpointMarker) throws(ChainCastError) -> SinkState {
        try flush()
        return .webhook(url: shownURL)
    }

    private func headers() throws(ChainCastError) -> [String] {
        var h = ["Content-Type: application/json", "Idempotency-Key: \(WebhookSigner.idempotencyKey(body))"]
        if let mac = signer.hmacHeader(body) { h.append("X-Chaincast-Signature: \(mac)") }
        if let sig = try signer.ethSignature(body), let who = signer.signer {
            h.append("X-Chaincast-Eth-Signature: \(sig)")
            h.append("X-Chaincast-Signer: \(who)")
        }
        return h + options.headers
    }

    private func deliver() throws(ChainCastError) {
        let headers = try headers()
        let started = monotonicSeconds()
        var attempt = 0
        while true {
            attempt += 1
            metrics.webhookRequests += 1
            var problem = ""
            var retryAfter: Double?
            let response: HTTPResponse?
            do {
                response = try client.post(url: options.url, headers: headers, body: body)
            } catch {
                if !error.isTransient { throw .unavailable("webhook \(shownURL): \(error)") }
                response = nil
                problem = redactor.scrub(error.description)
            }
            if let r = response {
                if (200..<300).contains(r.status) {
                    if options.verbose && attempt > 1 {
                        Diagnostics.error(
                            "cc-sink", "webhook \(shownURL): delivered \(batchEvents) events after \(attempt) attempts")
                    }
                    return
                }
                // Scrubbed before it is cut: a secret across the cut would no longer match whole.
                let shown = redactor.scrub(String(decoding: r.body.prefix(Self.scrubbedBody), as: UTF8.self))
                problem = "HTTP \(r.status)" + Self.excerpt(Array(shown.utf8))
                if !(r.status == 408 || r.status == 429 || r.status >= 500) {
                    try reject(problem)
                    return
                }
                retryAfter = r.retryAfter()
            }
            // Transient: wait and try again, within the limits.
            let elapsed = monotonicSeconds() - started
            if let max = options.maxRetries, attempt > max {
                throw .unavailable("webhook \(shownURL) unavailable after \(attempt) attempts: \(problem)")
            }
            var delay = min(options.maxBackoff, options.initialBackoff * Double(1 << min(attempt - 1, 20)))
            delay = delay / 2 + Double.random(in: 0...(delay / 2), using: &rng)
            if let ra = retryAfter { delay = ra }
            if options.maxRetries == nil && elapsed + delay > options.maxRetryTime {
                throw .unavailable(
                    "webhook \(shownURL) unavailable for \(Int(elapsed))s (--max-retry-time \(Int(options.maxRetryTime))s): \(problem)"
                )
            }
            metrics.webhookRetries += 1
            if options.verbose {
                Diagnostics.error(
                    "cc-sink", "webhook \(shownURL): \(problem); retry \(attempt) in \(Self.seconds(delay))")
            }
            try sleep(delay)
        }
    }

    /// A 4xx the receiver means: dead-letter the batch, or stop.
    private func reject(_ problem: String) throws(ChainCastError) {
        metrics.webhookFailures += 1
        guard deadLetterFD >= 0, let path = options.deadLetter else {
            throw .unavailable(
                "webhook \(shownURL) refused a batch of \(batchEvents) events: \(problem) (use --dead-letter FILE to set such batches aside and go on)"
            )
        }
        // The array's elements, one per line: raw events, replayable later.
        var lines: [UInt8] = []
        lines.reserveCapacity(body.count + batchEvents)
        body.withUnsafeBufferPointer { b in
            guard b.count >= 2, let parsed = try? JSONLine(UnsafeBufferPointer(rebasing: b[0..<b.count])) else {
                return
            }
            parsed.root.forEachElement { v in
                lines.append(contentsOf: v.raw)
                lines.append(0x0A)
            }
        }
        let ok = lines.withUnsafeBytes { FileIO.writeAll(deadLetterFD, $0) }
        if !ok || fsync(deadLetterFD) != 0 { throw .io("cannot write dead-letter file \(path): \(FileIO.errorText())") }
        metrics.deadLettered += batchEvents
        Diagnostics.error("cc-sink", "webhook \(shownURL): \(problem); \(batchEvents) events written to \(path)")
    }

    /// Sleeps in short slices so SIGINT/SIGTERM stop a long backoff.
    private func sleep(_ seconds: Double) throws(ChainCastError) {
        let end = monotonicSeconds() + seconds
        while true {
            if let s = SignalState.pending {
                throw ChainCastError(
                    SignalState.exitStatus(for: s),
                    "stopped while retrying the webhook; the undelivered batch will be sent again on the next run")
            }
            let left = end - monotonicSeconds()
            if left <= 0 { return }
            let slice = min(left, 0.1)
            var ts = timespec(tv_sec: 0, tv_nsec: Int(slice * 1e9))
            nanosleep(&ts, nil)
        }
    }

    static func seconds(_ d: Double) -> String {
        d < 10 ? "\(Double(Int(d * 100)) / 100)s" : "\(Int(d))s"
    }

    /// How much of an error body is scrubbed for its excerpt: far more than
    /// the excerpt shows, so a secret that starts in it ends in it too.
    static let scrubbedBody = 65_536

    /// `: <first 200 bytes of the body>` for messages, or nothing.
    static func excerpt(_ body: [UInt8]) -> String {
        guard !body.isEmpty else { return "" }
        var s = String(decoding: body.prefix(200), as: UTF8.self)
        s = String(s.map { $0.isNewline ? " " : $0 })
        return ": " + s + (body.count > 200 ? "…" : "")
    }
}
