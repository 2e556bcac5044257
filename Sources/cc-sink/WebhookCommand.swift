import ArgumentParser
import CCCLI
import CCSink

#if canImport(Glibc)
    import Glibc
#endif

struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "POST batches of events as signed JSON arrays to a URL, with retries.",
        discussion: """
            Each request carries Content-Type: application/json, an Idempotency-Key (SHA-256 of the body, so a \
            retried or re-sent batch has the same key), X-Chaincast-Signature: sha256=<HMAC-SHA256 of the body> \
            when CC_WEBHOOK_SECRET or --secret-file gives a secret, and X-Chaincast-Eth-Signature plus \
            X-Chaincast-Signer when CC_SIGNING_KEY or --signing-key-file gives a secp256k1 key (EIP-191 personal \
            message of the body: ethers.verifyMessage(body, signature) returns the signer).

            Connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff and jitter, \
            honouring Retry-After. Other 4xx answers send the batch to --dead-letter FILE, or stop with 69.

            Example:
              CC_WEBHOOK_SECRET=$(cat secret) cc-sink webhook \\
                https://hooks.example.com/chain --checkpoint ck.json
            """)

    @Argument(help: ArgumentHelp("Receiver URL (http or https).", valueName: "URL"))
    var url: String

    @Argument(help: ArgumentHelp("Input file (default: standard input).", valueName: "INPUT"))
    var input: String = "-"

    @Option(
        name: .long,
        help: ArgumentHelp("Send a batch this long after its first event (default 1s).", valueName: "DURATION"))
    var batchWait: DurationArgument?

    @Option(
        name: .customShort("H"), help: ArgumentHelp("Extra header, 'Name: value' (repeatable).", valueName: "HEADER"))
    var header: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Retries per batch (default: keep trying for --max-retry-time).", valueName: "N"))
    var maxRetries: Int?

    @Option(
        name: .long,
        help: ArgumentHelp("Give up on a batch after retrying this long (default 10m).", valueName: "DURATION"))
    var maxRetryTime = DurationArgument("10m")

    @Option(
        name: .long,
        help: ArgumentHelp(
            "First retry delay; each retry doubles it, with jitter, up to 30s (default 250ms).", valueName: "DURATION"))
    var retryDelay = DurationArgument("250ms")

    @Option(name: .long, help: ArgumentHelp("Seconds for one request (default 30s).", valueName: "DURATION"))
    var timeout = DurationArgument("30s")

    @Option(
        name: .long,
        help: ArgumentHelp("Append batches the receiver refuses (4xx) to this NDJSON file.", valueName: "FILE"))
    var deadLetter: String?

    @Option(name: .long, help: ArgumentHelp("HMAC secret file (instead of CC_WEBHOOK_SECRET).", valueName: "FILE"))
    var secretFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp("secp256k1 private key file, hex (instead of CC_SIGNING_KEY).", valueName: "FILE"))
    var signingKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("CA bundle (PEM) for a receiver with a private CA.", valueName: "FILE"))
    var cacert: String?

    @OptionGroup var common: SinkOptions

    func validate() throws {
        if let m = maxRetries, m < 0 { throw ValidationError("--max-retries must be 0 or more") }
    }

    func run() throws {
        var env: [String: String] = [:]
        for name in ["CC_WEBHOOK_SECRET", "CC_SIGNING_KEY"] {
            if let v = getenv(name) { env[name] = String(cString: v) }
        }
        let signer = try WebhookSigner.load(secretFile: secretFile, signingKeyFile: signingKeyFile, environment: env)
        var options = WebhookSink.Options(url: url)
        options.headers = header
        options.maxRetries = maxRetries
        options.maxRetryTime = maxRetryTime.seconds
        options.deadLetter = deadLetter
        options.http.requestTimeout = timeout.seconds
        options.http.caFile = cacert
        options.verbose = common.verbose
        options.initialBackoff = retryDelay.seconds
        let metrics = SinkMetrics(path: common.metricsFile, sink: "webhook")
        let sink = try WebhookSink(options, signer: signer, metrics: metrics)
        try common.run(
            sink, input: input, policy: common.policy(defaultBatchSize: 500, flushInterval: batchWait), metrics: metrics
        )
    }
}
