import ArgumentParser
import CCCLI
import CCCore
import CCSink
import CCStream

#if canImport(Glibc)
    import Glibc
#endif

/// Options every sink shares: where the checkpoint lives and when batches flush.
struct SinkOptions: ParsableArguments {
    @Option(
        name: .long, help: ArgumentHelp("Checkpoint file to resume from and commit to.", valueName: "FILE"))
    var checkpoint: String?

    @Option(name: .long, help: ArgumentHelp("Flush a batch after this many events.", valueName: "N"))
    var batchSize: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Flush a batch this long after its first event, even without a marker (500ms, 2s, 1m).",
            valueName: "DURATION"))
    var flushInterval: DurationArgument?

    @Option(
        name: .long,
        help: ArgumentHelp("Write Prometheus text-format metrics to this file (atomically).", valueName: "FILE"))
    var metricsFile: String?

    @Flag(
        name: .long,
        help: "Count and report unparsable lines and events the sink cannot store instead of stopping with status 65.")
    var skipInvalid = false

    @Option(
        name: .long,
        help: ArgumentHelp("With --skip-invalid, append every skipped line to FILE.", valueName: "FILE"))
    var skipped: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A raw (undecoded) log in the input: refuse (stop with 65), skip (count them), or store (with "
                + "topics and data: the sqlite sink's raw_logs table, files and webhooks as received).",
            valueName: "refuse|skip|store"))
    var rawLogs: CheckpointCommitter.RawLogs = .refuse

    @Flag(name: .shortAndLong, help: "Report resumes, checkpoints and retries on stderr.")
    var verbose = false

    func validate() throws {
        if let b = batchSize, b < 1 { throw ValidationError("--batch-size must be at least 1") }
        if skipped != nil && !skipInvalid { throw ValidationError("--skipped needs --skip-invalid") }
    }

    func policy(defaultBatchSize: Int, flushInterval override: DurationArgument? = nil) -> CheckpointCommitter.Policy {
        var p = CheckpointCommitter.Policy()
        p.batchSize = batchSize ?? defaultBatchSize
        p.flushInterval = (override ?? flushInterval)?.seconds ?? 1
        p.skipInvalid = skipInvalid
        p.skippedPath = skipped
        p.verbose = verbose
        p.rawLogs = rawLogs
        return p
    }

    /// Resumes from the checkpoint and runs the sink to the end of its input.
    func run(_ sink: Sink, input: String, policy: CheckpointCommitter.Policy, metrics: SinkMetrics? = nil) throws {
        SignalState.install()
        if let metricsFile { try OutputFileCheck.creatable(metricsFile, option: "--metrics-file") }
        let metrics = metrics ?? SinkMetrics(path: metricsFile, sink: sink.kind)
        // Counters of a run that failed are worth seeing too.
        defer { metrics.write(force: true) }
        let committer = CheckpointCommitter(sink: sink, checkpointPath: checkpoint, policy: policy, metrics: metrics)
        try committer.resume()
        defer { committer.reportSkipped() }
        try committer.run(inputPath: input)
        if verbose {
            Diagnostics.error(
                SinkCommand.toolName,
                "done: \(metrics.events) events, \(metrics.batches) batches, \(metrics.checkpoints) checkpoints")
        }
    }
}

extension CheckpointCommitter.RawLogs: ExpressibleByArgument {}
