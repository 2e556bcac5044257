import CCCore

/// One way to name a block on the command line (`--from`, `--to`):
/// `19000000`, `0x121eac0`, `latest`, `safe`, `finalized`, `earliest`,
/// `-1000` (1000 blocks below the head; as `--from`, the last 1000 blocks) or
/// `2024-01-01T00:00:00Z` (the first block whose timestamp is at or after
/// that instant; as `--to`, the last block before it: `FetchRun`).
package enum BlockSpec: Sendable, Equatable, CustomStringConvertible {
    case number(UInt64)
    case tag(BlockTag)
    case behindHead(UInt64)
    /// Unix seconds.
    case time(Int64)

    package init(parsing text: String) throws(ChainCastError) {
        let s = text.trimmingASCIIWhitespace()
        if s.isEmpty {
            throw .usage(
                "empty block: expected a number, 0x hex, latest, safe, finalized, earliest, -N or an ISO-8601 time")
        }
        if let tag = BlockTag(rawValue: s.lowercased()) { self = .tag(tag); return }
        if s.hasPrefix("-") {
            guard let n = UInt64(s.dropFirst()), s.count > 1 else {
                throw .usage("bad block offset '\(text)': expected -N, N blocks below the head (e.g. -1000)")
            }
            self = .behindHead(n)
            return
        }
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            guard s.count > 2, s.count <= 18, let n = UInt64(s.dropFirst(2), radix: 16) else {
                throw .usage("bad block number '\(text)': not a 64-bit hex quantity")
            }
            self = .number(n)
            return
        }
        if s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 || $0 == UInt8(ascii: "_") }) {
            guard let n = UInt64(s.replacingUnderscores()) else {
                throw .usage("bad block number '\(text)': too large")
            }
            self = .number(n)
            return
        }
        if let t = ISO8601Time.parse(s) { self = .time(t); return }
        throw .usage(
            "bad block '\(text)': expected a number, 0x hex, latest, safe, finalized, earliest, -N or an ISO-8601 time like 2024-01-01T00:00:00Z"
        )
    }

    package var description: String {
        switch self {
        case .number(let n): return String(n)
        case .tag(let t): return t.rawValue
        case .behindHead(let n): return "-\(n)"
        case .time(let t): return ISO8601Time.format(t)
        }
    }
}

/// The block tags JSON-RPC understands. `pending` is left out on purpose: its
/// logs are not in a block yet and can vanish without a removal.
package enum BlockTag: String, Sendable, CaseIterable {
    case latest, safe, finalized, earliest
}

/// A small ISO-8601 / RFC 3339 reader and writer for the command line (cold
/// path, exact, no time-zone database): `2024-01-01`, `2024-01-01T00:00:00Z`,
/// `2024-01-01 00:00:00+02:00`, fractional seconds (rounded up: a block's
/// time is whole seconds, so "at or after 00:00:20.5" is "at or after
/// 00:00:21", and the block of 00:00:20 is before it).
package enum ISO8601Time {
    package static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect(UInt8(ascii: "-")), let mo = digits(2), expect(UInt8(ascii: "-")),
            let d = digits(2)
        else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo) else { return nil }
        var secs: Int64 = 0
        if i == b.count { return daysFromCivil(y, mo, d) * 86_400 }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return nil }
        i += 1
        guard let h = digits(2), expect(UInt8(ascii: ":")), let mi = digits(2) else { return nil }
        var s: Int64 = 0
        var roundUp: Int64 = 0
        if expect(UInt8(ascii: ":")) {
            guard let ss = digits(2) else { return nil }
            s = ss
            if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                let start = i
                var fraction = false
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    if b[i] != 0x30 { fraction = true }
                    i += 1
                }
                guard i > start else { return nil }
                if fraction { roundUp = 1 }
            }
        }
        guard h <= 23, mi <= 59, s <= 60 else { return nil }
        secs = h * 3600 + mi * 60 + s
        var offset: Int64 = 0
        if expect(UInt8(ascii: "Z")) || expect(UInt8(ascii: "z")) {
        } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2) else { return nil }
            _ = expect(UInt8(ascii: ":"))
            guard let om = digits(2), oh <= 23, om <= 59 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil  // a time without a zone is ambiguous: say Z
        }
        guard i == b.count else { return nil }
        return daysFromCivil(y, mo, d) * 86_400 + secs - offset + roundUp
    }

    package static func format(_ t: Int64) -> String {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let rem = t - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func p2(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        // Four digits for any year ISO 8601 writes without a sign, so the text reads back.
        let year = y >= 0 && y < 1000 ? String(String(y + 10000).dropFirst()) : "\(y)"
        return "\(year)-\(p2(m))-\(p2(d))T\(p2(rem / 3600)):\(p2(rem % 3600 / 60)):\(p2(rem % 60))Z"
    }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let u = Array(utf8)
        var a = 0
        var b = u.count
        while a < b, u[a] == 0x20 || u[a] == 0x09 || u[a] == 0x0A || u[a] == 0x0D { a += 1 }
        while b > a, u[b - 1] == 0x20 || u[b - 1] == 0x09 || u[b - 1] == 0x0A || u[b - 1] == 0x0D { b -= 1 }
        return String(decoding: u[a..<b], as: UTF8.self)
    }

    func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
