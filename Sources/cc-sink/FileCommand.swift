import ArgumentParser
import CCKit

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
              cc-sink file 'out/transfers-{from}-{to}.csv' --rotate-blocks 100000 --columns blockNumber,args.from,args.to,args.value
            """)

    @Argument(help: ArgumentHelp("Output path template, or - for standard output.", valueName: "PATH"))
    var path: String

    @Argument(help: ArgumentHelp("Input file (default: standard input).", valueName: "INPUT"))
    var input: String = "-"

    @Option(
        name: .long, help: ArgumentHelp("ndjson or csv (default: csv when PATH ends in .csv).", valueName: "FORMAT"))
    var format: String?

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
    var rotateBytes: String?

    @OptionGroup var common: SinkOptions

    static let otherFormats: Set<String> = [
        "parquet", "pq", "arrow", "feather", "ipc", "avro", "orc", "xlsx", "xls", "tsv", "gz", "zst", "bz2", "xz",
        "zip", "db", "sqlite", "sqlite3",
    ]

    var resolvedFormat: FileSink.Format {
        if let format, let f = FileSink.Format(rawValue: format) { return f }
        return path.lowercased().hasSuffix(".csv") ? .csv : .ndjson
    }

    func validate() throws {
        if let format, FileSink.Format(rawValue: format) == nil {
            throw ValidationError("--format must be ndjson or csv, not '\(format)'")
        }
        // A name promising another format (or compression) would get NDJSON
        // under it without a word.
        let ext = path.split(separator: "/").last?.split(separator: ".").dropFirst().last.map { $0.lowercased() }
        if format == nil, let ext, Self.otherFormats.contains(ext) {
            throw ValidationError(
                "\(path): cc-sink writes NDJSON or CSV, not .\(ext); name the file .ndjson or .csv (and convert "
                    + "it afterwards), or pass --format ndjson to write NDJSON under this name")
        }
        if rotateBlocks == 0 { throw ValidationError("--rotate-blocks must be at least 1") }
        if rotateBlocks != nil && rotateBytes != nil {
            throw ValidationError("--rotate-blocks and --rotate-bytes cannot be combined")
        }
        if let r = rotateBytes, ByteCount.parse(r) == nil {
            throw ValidationError("--rotate-bytes: expected a size like 1000000, 64M or 1G, got '\(r)'")
        }
        if columns != nil && resolvedFormat != .csv { throw ValidationError("--columns applies to --format csv") }
    }

    func run() throws {
        var options = FileSink.Options(path: path)
        options.format = resolvedFormat
        options.columns = columns?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        options.rotateBlocks = rotateBlocks
        options.rotateBytes = rotateBytes.flatMap(ByteCount.parse)
        let sink = try FileSink(options)
        do {
            try common.run(sink, input: input, policy: common.policy(defaultBatchSize: 100_000))
        } catch let e as ChainCastError where e.message == OutputFile.closedMessage {
            throw OutputClosed()
        }
    }
}

/// `1000000`, `64K`, `64M`, `1G` (powers of 1024 for the suffixes).
enum ByteCount {
    static func parse(_ text: String) -> Int? {
        let scales: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var t = text.uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        var scale = 1
        if let last = t.last, let s = scales[last] {
            scale = s
            t.removeLast()
        }
        guard let v = Int(t), v > 0 else { return nil }
        return v.multipliedReportingOverflow(by: scale).overflow ? nil : v * scale
    }
}
