import CCABI
import CCCore
import CCEthereum
import Foundation

extension LogFilter {
    /// Builds the filter from the command line's words:
    /// - `addresses`: each a `0x…` address, a comma list of them, or `@FILE`
    ///   (addresses separated by commas, spaces or newlines; `#` comments);
    /// - `events`: signatures (`Transfer(address,address,uint256)` or
    ///   `event Transfer(address indexed from, …)`), their Keccak-256 is topic0;
    /// - `abis`: `--abi` sources, every non-anonymous event's topic0 (a source
    ///   bound to an address, `0xADDR=SOURCE`, also adds that address);
    /// - `topics[i]`: `--topicI`, a value (`TopicValue.untyped`: a 32-byte
    ///   word, an address, an integer, a bool), `null` (any), or a comma list;
    /// - `args`: `NAME=VALUE[,VALUE…]`, an indexed parameter of an `--event`
    ///   declaration, encoded by its type into its topic.
    package static func fromCommandLine(
        addresses: [String], events: [String], abis: [String], topics: [String?], args: [String] = []
    ) throws(ChainCastError) -> LogFilter {
        var addrs: [Word32] = []
        for a in addresses {
            for item in try expandList(a, what: "--address") {
                guard let w = Word32(hex: item, byteCount: 20) else {
                    throw .usage("--address '\(item)': expected a 20-byte hex address (0x + 40 hex digits)")
                }
                addrs.append(w)
            }
        }
        var topic0: [Word32] = []
        var declared: [ABIEvent] = []
        for e in events {
            let parsed: ABIEvent?
            do throws(ABIParseError) {
                parsed = try HumanReadableABI.parseDeclaration(e)
            } catch {
                throw .usage("--event '\(e)': \(error.message)")
            }
            guard let ev = parsed else { throw .usage("--event '\(e)': not an event signature") }
            guard !ev.anonymous else { throw .usage("--event '\(e)': an anonymous event has no topic0 to filter on") }
            topic0.append(Word32(bytes: Keccak256.hash(ev.signature)))
            declared.append(ev)
        }
        for spec in abis {
            let source = try ABISource.load(spec)
            let named = source.events.filter { !$0.anonymous }
            guard !named.isEmpty else { throw .config("--abi \(spec): only anonymous events, no topic0 to filter on") }
            topic0.append(contentsOf: named.map { Word32(bytes: Keccak256.hash($0.signature)) })
            if let a = source.address, a.count == 20 {
                addrs.append(Word32(bytes: a))
            }
        }
        var positions: [[Word32]?] = [nil, nil, nil, nil]
        for (i, t) in topics.prefix(4).enumerated() {
            guard let t else { continue }
            let trimmed = t.trimmingASCIIWhitespace()
            if trimmed.lowercased() == "null" || trimmed == "*" { continue }
            var words: [Word32] = []
            for item in trimmed.split(separator: ",") {
                let s = String(item).trimmingASCIIWhitespace()
                if s.lowercased() == "null" {
                    throw .usage("--topic\(i) '\(t)': null means any value and cannot be part of a list")
                }
                guard let w = TopicValue.untyped(s) else {
                    throw .usage(
                        "--topic\(i) '\(s)': expected a 32-byte hex word (0x + 64 hex digits), an address, an "
                            + "integer, true or false, null, or a comma list")
                }
                words.append(w)
            }
            if words.isEmpty { throw .usage("--topic\(i): empty") }
            positions[i] = words
        }
        try applyArgs(args, declared, &positions)
        if !topic0.isEmpty {
            if let explicit = positions[0] {
                // Both given: only the values both allow.
                let both = Set(explicit).intersection(topic0)
                guard !both.isEmpty else {
                    throw .usage("--topic0 and --event/--abi together select no event: they have no topic0 in common")
                }
                positions[0] = Array(both)
            } else {
                positions[0] = topic0
            }
        }
        return LogFilter(addresses: addrs, topics: positions)
    }

    /// `--arg NAME=VALUE[,VALUE…]`: the topic of the indexed parameter NAME of
    /// the `--event` declarations, any of the values.
    static func applyArgs(_ args: [String], _ events: [ABIEvent], _ positions: inout [[Word32]?])
        throws(ChainCastError)
    {
        var fromArgs: [Int: [Word32]] = [:]
        for a in args {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw .usage(
                    "--arg '\(a)': expected NAME=VALUE, e.g. --arg to=0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B")
            }
            let name = String(a[..<eq])
            var found: (Int, ABIType)?
            for ev in events {
                let indexed = ev.inputs.filter(\.indexed)
                guard let k = indexed.firstIndex(where: { $0.name == name }) else { continue }
                if let f = found, f.0 != k + 1 {
                    throw .usage("--arg \(name): the --event declarations put it at different topics")
                }
                found = (k + 1, indexed[k].type)
            }
            guard let (position, type) = found else {
                // Declared but not indexed: its value is in the log's data, which no node filters by.
                if let ev = events.first(where: { $0.inputs.contains { $0.name == name } }) {
                    throw .usage(
                        "--arg \(name): \(name) is not indexed in \(ev.humanReadable), so it is in the log's data, "
                            + "which eth_getLogs cannot filter; filter it after decoding: cc-filter 'args.\(name) == …'"
                    )
                }
                throw .usage(
                    "--arg \(name): no indexed parameter named \(name) in "
                        + (events.isEmpty ? "any --event" : events.map(\.humanReadable).joined(separator: "; "))
                        + "; declare it, e.g. --event 'event Transfer(address indexed from, address indexed to, "
                        + "uint256 value)'")
            }
            guard position < 4 else { throw .usage("--arg \(name): an event has at most 3 indexed parameters") }
            for item in a[a.index(after: eq)...].split(separator: ",") {
                let v = String(item).trimmingASCIIWhitespace()
                switch TopicValue.typed(v, type) {
                case .success(let w): fromArgs[position, default: []].append(w)
                case .failure(let p):
                    throw .usage("--arg \(name)='\(v)': expected \(p.expected) (\(name) is \(type.canonical))")
                }
            }
        }
        for (position, words) in fromArgs {
            if positions[position] != nil {
                throw .usage("--topic\(position) and --arg both set topic \(position): give one of them")
            }
            positions[position] = words
        }
    }

    /// `a,b,c` or `@FILE` (commas, whitespace, newlines; `#` starts a comment).
    static func expandList(_ value: String, what: String) throws(ChainCastError) -> [String] {
        var text = value
        if value.hasPrefix("@") {
            let path = String(value.dropFirst())
            guard FileManager.default.fileExists(atPath: path) else { throw .noInput("\(what) \(value): no such file") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .io("\(what) \(value): cannot read")
            }
            text = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in
                    line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
                        ?? ""
                }
                .joined(separator: "\n")
        }
        let items = text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .map(String.init)
        if items.isEmpty { throw .usage("\(what) '\(value)': no address in it") }
        return items
    }
}
