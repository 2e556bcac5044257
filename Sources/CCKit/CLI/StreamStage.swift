import CCCore
import CCJSON
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The line loop every stream-reading stage (cc-decode, cc-filter) runs, so the
/// contract's rules for ending a run are kept in one place:
///
/// - every input is opened before any output (a missing file is 66, nothing written);
/// - SIGINT/SIGTERM is checked before each line: what is complete goes out, then 130/143;
/// - an error stops the loop, what was produced before it is still flushed, and the
///   original error decides the exit status (a flush failing after it cannot hide it);
/// - a closed stdout (EPIPE, `| head`) is a quiet 0;
/// - a failed write (full disk, EIO) is 74 with a message, also when it happens at the
///   final flush;
/// - `--skip-invalid` warnings name the file and line and are counted for `-v`;
/// - output is flushed whenever the input has nothing ready, so a follower's
///   records never wait in a buffer (stages also flush at every control record).
package final class StreamStage {
    package let tool: String
    package let output: OutputWriter
    package let skipInvalid: Bool
    private let readers: [LineReader]
    private let named: Bool
    /// Lines skipped under `--skip-invalid`.
    package private(set) var skipped = 0
    /// Non-blank lines handed to the body.
    package private(set) var lines = 0

    /// Opens every input of `input` (66 when one is missing, before any output).
    package init(tool: String, input: InputOptions, output: OutputWriter) throws(ChainCastError) {
        self.tool = tool
        self.output = output
        self.skipInvalid = input.skipInvalid
        readers = try input.openAll()
        named = input.paths.count > 1 || input.paths[0] != "-"
    }

    /// Runs `body` for every non-blank line of every input in order, then `finish`
    /// (end-of-input work such as aggregate results), then flushes. Returns false when
    /// the reader of stdout went away (the caller skips its summary and exits 0).
    @discardableResult
    package func run(
        _ body: (UnsafeBufferPointer<UInt8>, InputLocation) throws -> Void,
        finish: () throws -> Void = {}
    ) throws -> Bool {
        do {
            for var reader in readers {
                let file = named ? (reader.name == "standard input" ? "-" : reader.name) : nil
                // Low latency without timers: out whenever the input has nothing more
                // ready (a backfill from a file or a busy pipe keeps full buffers).
                try reader.forEachLine(whenIdle: { try self.output.flush() }) { line, n in
                    try SignalState.checkpoint()
                    lines += 1
                    try body(line, InputLocation(file: file, line: n))
                }
            }
            try finish()
            try output.flush()
            return true
        } catch is OutputClosed {
            return false
        } catch {
            // What is complete still goes out; the error that stopped us wins over
            // one the flush may add (a full disk reported once is enough).
            do { try output.flush() } catch {}
            throw error
        }
    }

    /// Counts and reports an invalid line under `--skip-invalid`; without it, the
    /// line's error stops the run with 65.
    package func invalid(_ message: String, at location: InputLocation) throws(ChainCastError) {
        guard skipInvalid else { throw .data("\(location): \(message)") }
        skipped += 1
        Diagnostics.error(tool, "\(location): \(message) (skipped)")
    }
}
