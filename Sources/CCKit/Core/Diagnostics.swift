#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Human messages go to stderr, never stdout (stdout carries records only).
package enum Diagnostics {
    package static func print(_ message: String) {
        var line = message
        line.append("\n")
        line.utf8CString.withUnsafeBufferPointer { buf in
            var off = 0
            let n = buf.count - 1
            while off < n {
                let w = write(2, buf.baseAddress! + off, n - off)
                if w <= 0 { if w < 0 && errno == EINTR { continue }; return }
                off += w
            }
        }
    }

    /// `cc-decode: line 12: …` — the command name prefixes every message.
    /// Every message goes through `Redactor.process`: it may quote an
    /// argument that holds a key (foreign text is scrubbed where it comes in).
    package static func error(_ command: String, _ message: String) {
        print("\(command): \(Redactor.process.scrubOwnMessage(message))")
    }
}
