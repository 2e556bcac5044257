import ArgumentParser
import CCCLI
import CCCore
import CCFilter
import CCJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cc-filter`: keeps, reshapes and aggregates decoded events with a small
/// exact expression language. All logic lives in CCKit/Filter.
struct FilterCommand: ChainCastCommand {
    static let toolName = "cc-filter"

    static let configuration = CommandConfiguration(
        commandName: "cc-filter",
        abstract: "Keep, reshape and aggregate decoded events with exact 512-bit expressions.",
        discussion: """
            The first operand is the expression unless -f or --where is given (as with grep -e/-f), or \
            --map/--set/--del/--agg is given and the operand names an existing file; the other operands are \
            input files (standard input when none, or '-'). An expression operand that looks like a file \
            name (starts with /, ./, ../ or ~/, or ends in .json, .ndjson, .jsonl, .gz, .log, .txt or .csv) but names no file is \
            refused (66): a mistyped input name is never read as a program. Write an expression that begins \
            with '-' after '--' or with --where.

            Examples:
              cc-filter 'event == "Transfer" && args.value > 10**18'
              cc-filter \\
                --where 'address == "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"' \\
                --map '{block: blockNumber, to: args.to, usdc: formatUnits(args.value, 6)}'
              cc-filter 'event == "Transfer"' --group-by args.to \\
                --agg 'count(), sum(args.value)' --window blocks:1000
              cc-filter 'event == "Transfer"' --group-by args.to \\
                --agg '{total: sum(args.value)}' --sort total:desc --limit 5

            Markers ({"$cc": …}) always pass unchanged and in order. See cc-filter(1) for the language.
            """)

    @Argument(
        help: ArgumentHelp(
            "The filter expression (see the discussion for when it is a FILE instead).",
            valueName: "EXPR"))
    var expression: String?

    @OptionGroup var input: InputOptions

    @Option(
        name: .long, parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "A predicate every passing event must satisfy (repeatable).",
            valueName: "EXPR"))
    var `where`: [String] = []

    @Option(
        name: .short,
        help: ArgumentHelp(
            "Read the predicate from a file ('#' starts a comment).",
            valueName: "PROGRAM-FILE"))
    var file: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Replace each passing event by this object; write {..., key: expr} to keep the event's other fields.",
            valueName: "OBJECT-EXPR"))
    var map: String?

    @Option(
        name: .long, parsing: .unconditionalSingleValue,
        help: ArgumentHelp("Set a field of each passing event (repeatable).", valueName: "KEY=EXPR"))
    var set: [String] = []

    @Option(
        name: .long, parsing: .unconditionalSingleValue,
        help: ArgumentHelp("Delete a field of each passing event (repeatable).", valueName: "PATH"))
    var del: [String] = []

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Aggregate by these keys (comma-separated expressions).",
            valueName: "EXPR[,EXPR...]"))
    var groupBy: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Aggregates: count(), sum(x), min(x), max(x), avg(x), first(x), last(x), distinct(x), or {name: agg(x), …}.",
            valueName: "AGGREGATES"))
    var agg: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "When aggregate rows are written: blocks:N, time:1h (by blockTimestamp), marker, or end (default).",
            valueName: "WINDOW"))
    var window: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Order each window's aggregate rows by a column (key or an aggregate's name); nulls last.",
            valueName: "COLUMN[:desc]"))
    var sort: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Write at most N aggregate rows per window (after --sort).", valueName: "N"))
    var limit: Int?

    @Flag(help: "Drop raw (undecoded) logs instead of passing them through (--agg always drops them).")
    var dropRaw = false

    @Flag(help: "Stop with exit status 65 at the first runtime error instead of dropping the event.")
    var strict = false

    @OptionGroup var verbosity: VerbosityOptions

    func run() throws {
        SignalState.install()
        var input = self.input
        var files = (expression.map { [$0] } ?? []) + input.files
        // Deep (generated) programs recurse deeply while compiling: see FilterLargeStack.
        let (program, plan) = try FilterLargeStack.run { try compile(operands: &files) }
        var options = FilterStreamOptions()
        options.dropRaw = dropRaw
        options.strict = strict
        options.skipInvalid = input.skipInvalid
        // The stream contract's `pipeline`: everything that decides what passes.
        let usedOperand = files.count < (expression == nil ? 0 : 1) + input.files.count
        let programText = file.map { path in (try? readProgramFile(path)).flatMap { $0 } ?? path }
        options.pipelineConfig = [
            usedOperand ? expression : nil, programText, `where`.joined(separator: "\u{1}"),
            map, set.joined(separator: "\u{1}"), del.joined(separator: "\u{1}"), groupBy, agg, window,
            sort, limit.map { String($0) }, dropRaw ? "drop-raw" : nil, strict ? "strict" : nil,
        ].map { $0 ?? "" }.joined(separator: "\u{1F}")
        var stream = FilterStream(program: program, aggregation: plan, options: options)

        input.files = files
        let stage = try StreamStage(tool: "cc-filter", input: input, output: OutputWriter(fd: 1))
        let output = stage.output
        let finished = try stage.run(
            { line, location in try stream.process(line, at: location, output: output) },
            finish: { try stream.finish(output: output) })
        guard finished else { return }
        if verbosity.verbose {
            Diagnostics.error(
                "cc-filter",
                "\(stream.eventsIn) events in, \(stream.eventsOut) records out, "
                    + "\(stream.runtimeErrors) dropped by runtime errors, \(stream.invalidLines) invalid lines skipped"
                    + (plan == nil ? "" : ", \(stream.rawDropped) raw logs dropped"))
        }
    }

    /// Compiles the predicates, reshaping and aggregation; takes the
    /// expression operand out of `operands` when there is one.
    private func compile(operands files: inout [String]) throws -> (FilterProgram, AggregationPlan?) {
        var program = FilterProgram()
        do {
            if file == nil && `where`.isEmpty {
                // With only --map/--set/--del/--agg, every event passes unless an
                // expression is given; an operand naming an existing file is input.
                let reshapesOnly = map != nil || !set.isEmpty || !del.isEmpty || agg != nil
                if files.isEmpty && !reshapesOnly {
                    throw ChainCastError.usage(
                        "missing EXPR: give an expression, --where EXPR or -f PROGRAM-FILE (see cc-filter --help)")
                }
                if let first = files.first, !(reshapesOnly && (first == "-" || access(first, F_OK) == 0)) {
                    if looksLikeFileName(first) {
                        if access(first, F_OK) == 0 {
                            throw ChainCastError.usage(
                                "missing EXPR: \(first) is an input file; give the expression first, or --where EXPR")
                        }
                        throw ChainCastError.noInput(
                            "\(first): no such input file (an expression that looks like a file name must be given "
                                + "with --where)")
                    }
                    try program.addPredicate(files.removeFirst(), origin: "expression")
                }
            }
            if let file {
                guard let text = try readProgramFile(file) else {
                    throw ChainCastError.noInput("cannot read program file \(file)")
                }
                try program.addPredicate(text, origin: file)
            }
            for w in `where` { try program.addPredicate(w, origin: "--where") }
            if let map { try program.setMap(map) }
            for s in set { try program.addSet(s) }
            for d in del { try program.addDelete(d) }
        } catch let e as FilterCompileError {
            throw ChainCastError.usage(e.rendered)
        }
        var plan: AggregationPlan? = nil
        if agg != nil || groupBy != nil || window != nil {
            guard let agg else {
                throw ChainCastError.usage("--group-by and --window need --agg, e.g. --agg 'count(), sum(args.value)'")
            }
            if program.map != nil || !set.isEmpty || !del.isEmpty {
                throw ChainCastError.usage("--agg cannot be combined with --map, --set or --del")
            }
            let w = try window.map { s throws(ChainCastError) in try AggregationWindow(parsing: s) } ?? .end
            do {
                plan = try AggregationPlan(groupBy: groupBy, aggregates: agg, window: w)
                if let sort { try plan?.setSort(sort) }
            } catch {
                throw ChainCastError.usage(error.rendered)
            }
            if let limit {
                guard limit > 0 else { throw ChainCastError.usage("--limit: expected a positive number, got \(limit)") }
                plan?.limit = limit
            }
        } else if sort != nil || limit != nil {
            throw ChainCastError.usage("--sort and --limit order aggregate rows: they need --agg")
        }
        return (program, plan)
    }
}

/// Largest program file: a 20,000-address allowlist is ~1.2 MB; the cap
/// keeps `-f /dev/zero` (or a log given by mistake) from eating memory.
let maxProgramBytes = 16 << 20

/// Program files are small and read once; plain POSIX keeps Foundation out.
private func readProgramFile(_ path: String) throws -> String? {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        if n < 0 {
            try SignalState.checkpoint()  // a FIFO nobody writes: SIGTERM still stops us (143)
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { break }
        bytes.append(contentsOf: buf[0..<n])
        if bytes.count > maxProgramBytes {
            throw ChainCastError.usage(
                "program file \(path) is larger than \(maxProgramBytes >> 20) MiB (cc-filter's limit)")
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// An operand a person most likely meant as an input file: an absolute or
/// ./ path, or a name ending in a data file's extension (`a/b` alone may be
/// a division).
func looksLikeFileName(_ s: String) -> Bool {
    guard !s.isEmpty,
        s.utf8.allSatisfy({ c in
            (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || c == 46 || c == 45 || c == 95 || c == 47
                || c == 126 || c >= 0x80
        })
    else { return false }
    for p in ["/", "./", "../", "~/"] where s.hasPrefix(p) { return true }
    let ext = s.split(separator: ".").last.map { $0.lowercased() } ?? ""
    return s.contains(".") && ["json", "ndjson", "jsonl", "ldjson", "gz", "zst", "log", "txt", "csv"].contains(ext)
}
