import ArgumentParser
import CCCore
import Foundation

/// How to reach the node(s); shared by `cc-fetch` and `cc-fetch probe`.
struct RPCOptions: ParsableArguments {
    @Option(
        name: .customLong("rpc"),
        help: ArgumentHelp(
            "JSON-RPC endpoint (repeat for fallbacks and load sharing). Default: $CC_RPC_URL (several separated by spaces).",
            valueName: "URL"))
    var rpc: [String] = []

    @Option(help: ArgumentHelp("At most N requests per second over all workers (token bucket).", valueName: "N"))
    var rps: Double?

    @Option(
        help: ArgumentHelp(
            "Retries of a failed request (backoff with jitter, Retry-After honoured) before exit 69.",
            valueName: "N"))
    var retries: Int = 8

    @Option(help: ArgumentHelp("Seconds one HTTP request may take.", valueName: "SECONDS"))
    var timeout: Double = 60

    func urls() throws -> [String] {
        var urls = rpc.flatMap { $0.split(separator: " ").map(String.init) }
        if urls.isEmpty, let env = ProcessInfo.processInfo.environment["CC_RPC_URL"] {
            urls = env.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
        }
        guard !urls.isEmpty else {
            throw ChainCastError.usage("no endpoint: give --rpc URL or set CC_RPC_URL")
        }
        for (n, u) in urls.enumerated() where !(u.hasPrefix("http://") || u.hasPrefix("https://")) {
            // Not echoed, not even redacted: a stray word after a URL (`'http://h/KEY1 KEY2'`) is often a key.
            throw ChainCastError.usage(
                "--rpc: item \(n + 1) of \(urls.count) is not an http:// or https:// URL (items are separated by "
                    + "spaces; it is not shown, as it may hold a key)")
        }
        // inf would never grant a token, and below a millisecond curl's timeout is 0: none at all.
        if let rps, !(rps > 0 && rps.isFinite) { throw ChainCastError.usage("--rps must be a number above 0") }
        guard retries >= 0 else { throw ChainCastError.usage("--retries must be 0 or more") }
        guard timeout >= 0.001, timeout.isFinite else {
            throw ChainCastError.usage("--timeout must be at least 0.001 seconds")
        }
        return urls
    }
}
