/// Event and argument names come from ABIs, which anyone can publish: a
/// contract may call its event `"; DROP TABLE events; --`. Every identifier the
/// sink puts into SQL is first reduced to `[A-Za-z0-9_]` and then quoted, so
/// neither step alone has to be perfect.
package enum SQLIdentifier {
    /// Longest identifier we generate; long enough for real names, short
    /// enough that a hostile 1 MB name does not become a 1 MB column name.
    static let maxLength = 60

    package static func sanitize(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(min(name.utf8.count, maxLength))
        for b in name.utf8 {
            if out.utf8.count >= maxLength { break }
            let ok =
                (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
            out.unicodeScalars.append(Unicode.Scalar(ok ? b : UInt8(ascii: "_")))
        }
        if out.isEmpty { return "_" }
        if let first = out.utf8.first, first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") { out = "_" + out }
        // SQLite reserves names starting with sqlite_ for itself.
        if out.lowercased().hasPrefix("sqlite_") { out = "_" + out }
        return out
    }

    /// `"name"` with embedded quotes doubled, as SQL requires.
    package static func quote(_ name: String) -> String {
        var out = "\""
        for c in name.unicodeScalars {
            if c == "\"" { out.append("\"\"") } else if c != "\0" { out.unicodeScalars.append(c) }
        }
        out.append("\"")
        return out
    }

    /// A sanitized name that is not in `taken` (compared case-insensitively,
    /// as SQLite compares identifiers): `name`, `name_2`, `name_3`, …
    /// With `alsoFree`, `name + alsoFree` must not be taken either (a table
    /// and the index named after it).
    package static func unique(_ base: String, avoiding taken: Set<String>, alsoFree suffix: String? = nil) -> String {
        func free(_ n: String) -> Bool {
            let l = n.lowercased()
            return !taken.contains(l) && !(suffix.map { taken.contains(l + $0.lowercased()) } ?? false)
        }
        if free(base) { return base }
        var n = 2
        while !free("\(base)_\(n)") { n += 1 }
        return "\(base)_\(n)"
    }
}
