import CCCore

/// A file sink path such as `out/{event}/{date}-{from}-{to}.ndjson`.
///
/// `{event}`, `{chainId}` and `{date}` (UTC day of the block timestamp) pick
/// which file an event goes to; `{from}` and `{to}` name the block range a
/// rotated file covers and are filled in when the file is complete.
package struct FileNameTemplate: Equatable, Sendable {
    package enum Part: Equatable, Sendable {
        case literal(String)
        case event, chainId, date, from, to
    }

    package let text: String
    package let parts: [Part]

    package init(_ text: String) throws(ChainCastError) {
        self.text = text
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw .usage("path '\(text)': unclosed '{' (placeholders: {event} {chainId} {date} {from} {to})")
            }
            let name = rest[rest.index(after: open)..<close]
            let part: Part
            switch name {
            case "event": part = .event
            case "chainId": part = .chainId
            case "date": part = .date
            case "from": part = .from
            case "to": part = .to
            default:
                throw .usage(
                    "path '\(text)': unknown placeholder {\(name)} (known: {event} {chainId} {date} {from} {to})")
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(part)
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    package var hasRange: Bool { parts.contains(.from) || parts.contains(.to) }
    /// No placeholder: the path names one file whatever the records say.
    package var isFixed: Bool { parts.allSatisfy { if case .literal = $0 { true } else { false } } }

    /// The path with the per-event placeholders filled in and `{from}`/`{to}`
    /// left as they are: the key of one series of files.
    package func key(event: String, chainId: String, date: String) -> String {
        var s = ""
        for p in parts {
            switch p {
            case .literal(let l): s += l
            case .event: s += event
            case .chainId: s += chainId
            case .date: s += date
            case .from: s += "{from}"
            case .to: s += "{to}"
            }
        }
        return s
    }

    /// A key with its block range filled in.
    package static func resolve(key: String, from: String, to: String) -> String {
        key.replacing("{from}", with: from).replacing("{to}", with: to)
    }

    /// An event name made safe as one path component: no separators, no
    /// leading dot, nothing outside `[A-Za-z0-9_.-]`, at most 100 bytes.
    package static func pathComponent(_ raw: String) -> String {
        var out = ""
        for b in raw.utf8.prefix(100) {
            let ok =
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
                || b == 0x2D || b == 0x2E
            out.unicodeScalars.append(Unicode.Scalar(ok ? b : 0x5F))
        }
        if out.isEmpty { return "_" }
        if out.hasPrefix(".") { out = "_" + out }
        return out
    }

    /// `2024-01-11` for a Unix timestamp (UTC), without Foundation.
    package static func utcDate(_ timestamp: UInt64) -> String {
        // Howard Hinnant's days-to-civil algorithm.
        let z = Int64(timestamp / 86_400) + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}
