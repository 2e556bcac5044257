import CCCore
import Foundation
import Synchronization

/// Counters a long fetch exposes to monitoring, written as Prometheus text
/// (`--metrics-file`, for node_exporter's textfile collector) every few
/// seconds and at exit. Workers bump them from any thread.
package final class FetchMetrics: Sendable {
    package let requests = Atomic<Int>(0)
    package let logs = Atomic<Int>(0)
    package let blocks = Atomic<Int>(0)
    package let bytes = Atomic<Int>(0)
    package let splits = Atomic<Int>(0)
    package let validationRetries = Atomic<Int>(0)
    package let reorgs = Atomic<Int>(0)
    package let removedLogs = Atomic<Int>(0)
    /// Reorgs that replaced blocks already written with `--confirmations` N > 0.
    package let deepReorgs = Atomic<Int>(0)
    package let rewinds = Atomic<Int>(0)
    package let headBlock = Atomic<Int>(0)
    package let lastBlock = Atomic<Int>(-1)
    package let chunkSize = Atomic<Int>(0)
    package let timestampRequests = Atomic<Int>(0)

    package init() {}

    @inline(__always) package func add(_ counter: borrowing Atomic<Int>, _ n: Int = 1) {
        counter.add(n, ordering: .relaxed)
    }

    package func set(_ gauge: borrowing Atomic<Int>, _ v: Int) { gauge.store(v, ordering: .relaxed) }

    package func prometheusText(chainId: UInt64) -> String {
        let label = "{chain_id=\"\(chainId)\"}"
        func line(_ name: String, _ type: String, _ help: String, _ v: Int) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name)\(label) \(v)\n"
        }
        return line(
            "ccfetch_requests_total", "counter", "eth_getLogs requests answered", requests.load(ordering: .relaxed))
            + line("ccfetch_logs_total", "counter", "Logs written", logs.load(ordering: .relaxed))
            + line(
                "ccfetch_blocks_total", "counter", "Blocks covered by written ranges", blocks.load(ordering: .relaxed))
            + line("ccfetch_output_bytes_total", "counter", "Bytes written to stdout", bytes.load(ordering: .relaxed))
            + line(
                "ccfetch_range_splits_total", "counter", "Ranges split after a provider limit error",
                splits.load(ordering: .relaxed))
            + line(
                "ccfetch_validation_retries_total", "counter",
                "Answers asked again because they broke the eth_getLogs contract",
                validationRetries.load(ordering: .relaxed))
            + line("ccfetch_reorgs_total", "counter", "Reorgs detected", reorgs.load(ordering: .relaxed))
            + line(
                "ccfetch_deep_reorgs_total", "counter",
                "Reorgs deeper than --confirmations (blocks already written were replaced)",
                deepReorgs.load(ordering: .relaxed))
            + line(
                "ccfetch_rewinds_total", "counter", "Rewind records written (retractions above a block)",
                rewinds.load(ordering: .relaxed))
            + line(
                "ccfetch_removed_logs_total", "counter", "Logs sent again with removed=true",
                removedLogs.load(ordering: .relaxed))
            + line(
                "ccfetch_timestamp_requests_total", "counter", "Block headers fetched for blockTimestamp",
                timestampRequests.load(ordering: .relaxed))
            + line("ccfetch_head_block", "gauge", "Latest head block seen", headBlock.load(ordering: .relaxed))
            + line(
                "ccfetch_last_block", "gauge", "Last block whose logs are all written",
                lastBlock.load(ordering: .relaxed))
            + line("ccfetch_chunk_size", "gauge", "Current eth_getLogs block span", chunkSize.load(ordering: .relaxed))
    }

    /// Atomic replace (temp file + rename) so a scraper never reads half a file.
    package func write(to path: String, chainId: UInt64) throws(ChainCastError) {
        try AtomicFile.replace(
            path, with: Array(prometheusText(chainId: chainId).utf8), durable: false, label: "--metrics-file \(path)")
    }
}
