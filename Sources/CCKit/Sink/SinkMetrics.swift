import CCCore
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--metrics-file`: counters in the Prometheus text exposition format,
/// rewritten atomically (at most once a second, and at the end) so the node
/// exporter's textfile collector never reads half a file.
package final class SinkMetrics {
    package var events = 0
    package var removed = 0
    package var rewinds = 0
    package var batches = 0
    package var checkpoints = 0
    package var checkpointBlock: UInt64?
    package var invalidLines = 0
    /// Plain records (not events) written.
    package var records = 0
    /// Raw (undecoded) logs skipped by `--raw-logs skip`.
    package var rawLogsSkipped = 0
    package var webhookRequests = 0
    package var webhookRetries = 0
    package var webhookFailures = 0
    package var deadLettered = 0
    package var bytesWritten = 0
    let path: String?
    let sinkKind: String
    private var lastWrite = 0.0

    package init(path: String?, sink: String) {
        self.path = path
        self.sinkKind = sink
    }

    package var text: String {
        let l = "{sink=\"\(sinkKind)\"}"
        var s = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: String) {
            s += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name)\(l) \(value)\n"
        }
        metric("cc_sink_events_total", "counter", "Events received (including removed ones).", "\(events)")
        metric("cc_sink_removed_events_total", "counter", "Events received with removed=true.", "\(removed)")
        metric("cc_sink_rewinds_total", "counter", "Rewind records applied (retractions above a block).", "\(rewinds)")
        metric("cc_sink_batches_total", "counter", "Batches committed.", "\(batches)")
        metric("cc_sink_checkpoints_total", "counter", "Checkpoints committed.", "\(checkpoints)")
        if let b = checkpointBlock {
            metric("cc_sink_checkpoint_block", "gauge", "Block of the last committed checkpoint.", "\(b)")
        }
        metric("cc_sink_invalid_lines_total", "counter", "Input lines skipped by --skip-invalid.", "\(invalidLines)")
        metric("cc_sink_records_total", "counter", "Plain records (not events) written.", "\(records)")
        metric(
            "cc_sink_raw_logs_skipped_total", "counter", "Raw logs skipped by --raw-logs skip.", "\(rawLogsSkipped)")
        if sinkKind == "file" {
            metric("cc_sink_bytes_written_total", "counter", "Bytes written to output files.", "\(bytesWritten)")
        }
        if sinkKind == "webhook" {
            metric("cc_sink_webhook_requests_total", "counter", "HTTP requests sent.", "\(webhookRequests)")
            metric("cc_sink_webhook_retries_total", "counter", "Requests retried.", "\(webhookRetries)")
            metric(
                "cc_sink_webhook_rejected_batches_total", "counter", "Batches the receiver refused with a 4xx.",
                "\(webhookFailures)")
            metric(
                "cc_sink_dead_lettered_events_total", "counter", "Events written to the dead-letter file.",
                "\(deadLettered)")
        }
        return s
    }

    /// Best effort: metrics must never stop the data from flowing.
    package func write(force: Bool) {
        guard let path else { return }
        let now = monotonicSeconds()
        if !force && now - lastWrite < 1 { return }
        lastWrite = now
        try? AtomicFile.replace(path, with: Array(text.utf8), durable: false, label: "--metrics-file")
    }
}
