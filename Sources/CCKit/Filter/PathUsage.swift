import CCJSON

/// Issue 11 item 7: a mistyped path (`sum(args.vaule)`, `evnt == "Transfer"`)
/// is valid syntax and yields null, so the run "works" and answers nothing.
/// The VM notes which static paths it ever found (CompiledExpression's
/// pathUse); at the end of the run, paths looked up but never found are
/// named on stderr with the closest path of a few sample events.
struct FilterPathSamples {
    /// Events looked at for samples: the first ones, so the hot path pays
    /// nothing after them.
    static let window = 256
    static let maxSamples = 8

    private(set) var lines: [[UInt8]] = []
    private var eventNames: [[UInt8]] = []
    private var looked = 0

    /// Keeps a copy of the line when its `event` name is new.
    @inline(__always) mutating func consider(_ root: JSONValue, _ line: UnsafeBufferPointer<UInt8>) {
        guard looked < Self.window else { return }
        looked += 1
        guard lines.count < Self.maxSamples else { return }
        var name: [UInt8] = []
        root["event"]?.unescapedBytes(into: &name)
        if lines.isEmpty || !eventNames.contains(name) {
            eventNames.append(name)
            lines.append(Array(line))
        }
    }

    /// Every member path of the samples, up to four levels deep.
    func knownPaths() -> [String] {
        var out: Set<String> = []
        func walk(_ v: JSONValue, _ prefix: [FilterPathSegment], _ depth: Int) {
            guard v.kind == .object, depth < 4 else { return }
            v.forEachMember { k, child in
                var key: [UInt8] = []
                k.unescapedBytes(into: &key)
                let path = prefix + [.key(String(decoding: key, as: UTF8.self))]
                out.insert(path.display)
                walk(child, path, depth + 1)
            }
        }
        for var line in lines {
            line.withUnsafeMutableBufferPointer { b in
                if let parsed = try? JSONLine(UnsafeBufferPointer(b)) { walk(parsed.root, [], 0) }
            }
        }
        return out.sorted()
    }

    /// One warning per distinct path never found, in program order.
    func warnings(for expressions: [CompiledExpression], events: Int) -> [String] {
        guard events > 0 else { return [] }
        var seen: Set<String> = []
        var missing: [String] = []
        for e in expressions {
            // `arr[9]` on short arrays is data, not a typo: only missing keys are named.
            for p in e.unresolvedPaths {
                guard case .key? = p.last, seen.insert(p.display).inserted else { continue }
                missing.append(p.display)
            }
        }
        guard !missing.isEmpty else { return [] }
        let known = knownPaths()
        return missing.map { path in
            var text = "warning: \(path) matched no field in \(events) event\(events == 1 ? "" : "s"), so it was null"
            if let guess = Self.closest(to: path, in: known) { text += "; did you mean \(guess)?" }
            return text
        }
    }

    /// The known path nearest by edit distance (a transposition counts one),
    /// when near enough to be a typo.
    static func closest(to path: String, in known: [String]) -> String? {
        let a = Array(path.unicodeScalars)
        let limit = a.count <= 4 ? 1 : (a.count <= 10 ? 2 : 3)
        var best: (String, Int)? = nil
        for k in known {
            let b = Array(k.unicodeScalars)
            if abs(a.count - b.count) > limit { continue }
            let d = editDistance(a, b)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (k, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
