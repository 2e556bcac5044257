import ArgumentParser
import CCCLI
import CCCore
import CCJSON
import CCSink

struct FileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "file",
        abstract: "Write events to NDJSON or CSV files, optionally one per event, day or block range.",
        discussion: """
            PATH may hold {event}, {chainId}, {date} (UTC day of the block timestamp) and, with rotation, \
            {from} and {to} (the blocks a file covers). '-' writes to standard output. NDJSON files hold each \
            record exactly as received. Rotated files are written under a hidden '.NAME.part' and renamed when \
            complete, so readers never see half a file. With --checkpoint, a rerun truncates every open file \
            back to the length the checkpoint committed before it appends.

            Examples:
              cc-sink file 'out/{event}.ndjson' --checkpoint ck.json
              cc-sink file 'out/transfers-{from}-{to}.csv' --rotate-blocks 100000 \\
                --columns blockNumber,args.from,args.to,args.value
            """)

    @Argument(help: ArgumentHelp("Output path template, or - for standard output.", valueName: "PATH"))
    var path: String

    @Argument(help: ArgumentHelp("Input file (default: standard input).", valueName: "INPUT"))
    var input: String = "-"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "ndjson or csv (default: csv when PATH ends in .csv, ndjson for .ndjson, .jsonl, .json or no extension).",
            valueName: "FORMAT"))
    var format: FileSink.Format?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "CSV columns, comma-separated: fields (blockNumber) or arguments (args.value). Default: the first record's fields, args flattened.",
            valueName: "LIST"))
    var columns: String?

    @Option(
        name: .long, help: ArgumentHelp("Start a new file every N blocks (aligned to multiples of N).", valueName: "N"))
    var rotateBlocks: UInt64?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Start a new file once one holds N bytes (suffixes K, M, G), at a block boundary.", valueName: "N"))
    var rotateBytes: ByteCountArgument?

    @OptionGroup var common: SinkOptions

    var resolvedFormat: FileSink.Format { format ?? Self.format(ofPath: path) ?? .ndjson }

    /// The format a path's extension names; nil for an extension cc-sink does not write
    /// (`out.parquet` must not silently get NDJSON).
    static func format(ofPath path: String) -> FileSink.Format? {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard path != "-", let dot = name.lastIndex(of: "."), dot != name.startIndex else { return .ndjson }
        switch name[name.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "ndjson", "jsonl", "json", "ldjson", "txt", "log": return .ndjson
        default: return nil
        }
    }

    func validate() throws {
        if format == nil && Self.format(ofPath: path) == nil {
            let ext = path.split(separator: "/").last?.split(separator: ".").last.map { $0.lowercased() } ?? ""
            throw ValidationError(
                "\(path): cc-sink writes NDJSON or CSV, not .\(ext); name the file .ndjson or .csv (and convert "
                    + "it afterwards), or pass --format ndjson to write NDJSON under this name")
        }
        if rotateBlocks == 0 { throw ValidationError("--rotate-blocks must be at least 1") }
        if rotateBlocks != nil && rotateBytes != nil {
            throw ValidationError("--rotate-blocks and --rotate-bytes cannot be combined")
        }
        if columns != nil && resolvedFormat != .csv { throw ValidationError("--columns applies to --format csv") }
    }

    func run() throws {
        var options = FileSink.Options(path: path)
        options.format = resolvedFormat
        options.columns = columns?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        options.rotateBlocks = rotateBlocks
        options.rotateBytes = rotateBytes?.bytes
        let sink = try FileSink(options)
        try common.run(sink, input: input, policy: common.policy(defaultBatchSize: 100_000))
    }
}

extension FileSink.Format: ExpressibleByArgument {}
