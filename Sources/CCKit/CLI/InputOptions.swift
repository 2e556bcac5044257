import ArgumentParser
import CCCore
import CCJSON
import CCStream

/// `[FILE...]` and `--skip-invalid`: how every stream-reading command takes its input.
package struct InputOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "NDJSON input files, read in order. Standard input when none is given or for '-'.",
            valueName: "FILE"))
    package var files: [String] = []

    @Flag(
        help: ArgumentHelp(
            "Warn about malformed input lines on stderr, count them and go on.",
            discussion: "Without it the first malformed line stops the command with exit status 65."))
    package var skipInvalid = false

    package init() {}

    /// The inputs in order, "-" for standard input.
    package var paths: [String] { files.isEmpty ? ["-"] : files }

    /// Opens every input first, so a missing file (exit 66) is reported before any output.
    package func openAll() throws(ChainCastError) -> [LineReader] {
        var readers: [LineReader] = []
        for p in paths { readers.append(try LineReader(path: p)) }
        return readers
    }
}
