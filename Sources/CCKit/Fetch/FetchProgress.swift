import CCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The progress line on stderr (only when stderr is a terminal) and the
/// closing summary of `-v`.
package struct FetchProgress {
    package let enabled: Bool
    package let startedAt: Double
    private var lastDraw = 0.0
    private var drawn = false

    package init(enabled: Bool) {
        self.enabled = enabled
        startedAt = monotonicSeconds()
    }

    package static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Redraws at most 4 times a second.
    package mutating func update(doneBlocks: UInt64, totalBlocks: UInt64?, logs: Int, force: Bool = false) {
        guard enabled else { return }
        let now = monotonicSeconds()
        guard force || now - lastDraw >= 0.25 else { return }
        lastDraw = now
        let elapsed = max(0.001, now - startedAt)
        var s = "\r\u{1B}[2Kcc-fetch: "
        if let total = totalBlocks, total > 0 {
            let pct = Double(doneBlocks) / Double(total) * 100
            s += "\(doneBlocks)/\(total) blocks (\(formatFixed(pct, 1))%)"
            let rate = Double(doneBlocks) / elapsed
            if rate > 0 && doneBlocks < total {
                s += ", ETA \(formatDuration(Double(total - doneBlocks) / rate))"
            }
        } else {
            s += "\(doneBlocks) blocks"
        }
        s += ", \(logs) logs, \(Int(Double(logs) / elapsed)) logs/s"
        writeStderr(s)
        drawn = true
    }

    package mutating func clear() {
        guard enabled, drawn else { return }
        writeStderr("\r\u{1B}[2K")
        drawn = false
    }

    package var elapsed: Double { monotonicSeconds() - startedAt }
}

func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { b in
        var off = 0
        while off < b.count {
            let w = write(2, b.baseAddress! + off, b.count - off)
            if w <= 0 { if w < 0 && errno == EINTR { continue }; return }
            off += w
        }
    }
}

package func formatFixed(_ v: Double, _ decimals: Int) -> String {
    var p = 1.0
    for _ in 0..<decimals { p *= 10 }
    let r = (v * p).rounded() / p
    var s = String(r)
    if let dot = s.firstIndex(of: ".") {
        let have = s.distance(from: dot, to: s.endIndex) - 1
        if have < decimals { s += String(repeating: "0", count: decimals - have) }
    }
    return decimals == 0 ? String(Int(r)) : s
}

package func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m\(s % 60 < 10 ? "0" : "")\(s % 60)s" }
    return "\(s / 3600)h\(s % 3600 / 60 < 10 ? "0" : "")\(s % 3600 / 60)m"
}
