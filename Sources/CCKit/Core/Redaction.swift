#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one place that decides what of a foreign text may be shown: response
/// bodies and error strings a server, proxy or library produced, and values a
/// person typed. Servers echo what they were sent (Express: `Cannot POST
/// /hook/TOKEN?sig=KEY`; proxies echo `Authorization`, base64 userinfo and
/// all), so every message that carries such text goes through `scrub`.
///
/// What goes: every secret part of the configured URLs and headers (below),
/// any URL's path, query and userinfo (`redactURL`), the credential after
/// `Bearer`/`Basic`/`Token`/`Authorization:`, and the value of any
/// `key=`/`token=`/`sig=`-like parameter. Control characters become spaces,
/// so a body cannot rewrite the terminal.
package struct Redactor: Sendable {
    private var secrets: [[UInt8]] = []

    /// `urls`: endpoints whose userinfo, path, query, base64 userinfo and
    /// path segments and query values are secret. `headers`: `Name: value`
    /// lines whose values are secret.
    package init(urls: [String] = [], headers: [String] = []) {
        var s: [String] = []
        for u in urls { s += Self.secretParts(ofURL: u) }
        for h in headers {
            guard let colon = h.firstIndex(of: ":") else { continue }
            let value = h[h.index(after: colon)...].trimmingSpaces
            s.append(String(value))
            if let last = value.split(separator: " ").last { s.append(String(last)) }
        }
        secrets = Array(Set(s.filter { $0.utf8.count >= 4 }.map { Array($0.utf8) }))
            .sorted { $0.count > $1.count }
    }

    /// Built from this process's arguments and environment: every URL given
    /// (`--rpc`, a webhook URL, `CC_RPC_URL`) and every `-H`/`--header`
    /// value. `Diagnostics.error` scrubs every message with it, so a message
    /// nobody thought of still cannot show them.
    package static let process: Redactor = {
        let args = CommandLine.arguments
        var urls: [String] = []
        var headers: [String] = []
        var i = 1
        while i < args.count {
            let a = args[i]
            if (a == "-H" || a == "--header"), i + 1 < args.count {
                headers.append(args[i + 1])
            } else if a.hasPrefix("--header=") {
                headers.append(String(a.dropFirst(9)))
            }
            if a.contains("://") { urls += a.split(separator: " ").map(String.init) }
            i += 1
        }
        for name in ["CC_RPC_URL", "CC_WEBHOOK_URL"] {
            if let v = getenv(name) {
                urls += String(cString: v).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            }
        }
        return Redactor(urls: urls, headers: headers)
    }()

    /// Foreign text: every pass. `keepLineBreaks` keeps `\n` and tab.
    package func scrub(_ text: String, keepLineBreaks: Bool = false) -> String {
        var b = Array(text.utf8)
        for s in secrets { Self.replaceAll(&b, s) }
        b = Self.redactURLs(b)
        b = Self.redactCredentials(b)
        b = Self.redactSecretParameters(b)
        return Self.blankControls(b, keepLineBreaks: keepLineBreaks)
    }

    /// For a command's own message, whose foreign parts were scrubbed where
    /// they came in: the configured secrets, URLs and control characters go,
    /// line breaks stay, and the command's own words (a filter program that
    /// says `key=`) are left as written so a caret under them still points
    /// at the right column.
    package func scrubOwnMessage(_ text: String) -> String {
        var b = Array(text.utf8)
        for s in secrets { Self.replaceAll(&b, s) }
        b = Self.redactURLs(b)
        return Self.blankControls(b, keepLineBreaks: true)
    }

    private static func blankControls(_ bytes: [UInt8], keepLineBreaks: Bool) -> String {
        var b = bytes
        for i in b.indices where (b[i] < 0x20 || b[i] == 0x7F) && !(keepLineBreaks && (b[i] == 10 || b[i] == 9)) {
            b[i] = 0x20
        }
        return String(decoding: b, as: UTF8.self)
    }

    /// Where providers and webhooks put keys: userinfo (and its base64, as it
    /// travels in `Authorization: Basic`), the whole path and query, path
    /// segments and query values of 6+ characters, and every value of a
    /// parameter whose name says it is secret.
    static func secretParts(ofURL url: String) -> [String] {
        var rest = Substring(url)
        if let r = rest.firstRange(of: "://") { rest = rest[r.upperBound...] }
        var parts: [String] = []
        let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<slash]
        if let at = authority.lastIndex(of: "@") {
            let userinfo = String(authority[..<at])
            parts.append(userinfo)
            parts += userinfo.split(separator: ":").filter { $0.count >= 6 }.map(String.init)
            let decoded = percentDecoded(userinfo)
            for u in Set([userinfo, decoded]) {
                let b64 = base64(Array(u.utf8))
                parts.append(b64)
                parts.append(String(b64.prefix(while: { $0 != "=" })))
            }
        }
        let tail = rest[slash...]
        if tail.count > 1 {
            parts.append(String(tail))
            if let q = tail.firstIndex(of: "?") {
                parts.append(String(tail[..<q]))
                parts.append(String(tail[q...]))
            }
        }
        for piece in tail.split(whereSeparator: { "/?&#".contains($0) }) {
            let kv = piece.split(separator: "=", maxSplits: 1)
            if kv.count == 2 && isSecretName(Array(kv[0].utf8)) {
                parts.append(String(kv[1]))
                parts.append(percentDecoded(String(kv[1])))
            }
            // A parameter's value, or a bare path segment; not a parameter's name
            // ("password" itself is no secret, and scrubbing it garbles messages).
            if let p = kv.last, p.count >= 6 {
                parts.append(String(p))
                parts.append(percentDecoded(String(p)))
            }
        }
        return parts
    }

    private static let secretNames: [String] = [
        "key", "apikey", "api_key", "api-key", "token", "access_token", "auth", "sig", "signature", "secret",
        "password", "passwd", "pass", "pwd", "session", "credential", "credentials", "jwt",
    ]

    static func isSecretName(_ name: [UInt8]) -> Bool {
        let lower = String(decoding: name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
        return secretNames.contains(lower) || lower.hasSuffix("key") || lower.hasSuffix("token")
            || lower.hasSuffix("secret")
    }

    // MARK: Byte-level passes

    private static let ellipsis = Array("…".utf8)

    static func replaceAll(_ b: inout [UInt8], _ s: [UInt8]) {
        guard !s.isEmpty, b.count >= s.count else { return }
        var out: [UInt8] = []
        var i = 0
        var changed = false
        while i < b.count {
            if i + s.count <= b.count && b[i] == s[0] && b[i..<(i + s.count)].elementsEqual(s) {
                out += ellipsis
                i += s.count
                changed = true
            } else {
                out.append(b[i])
                i += 1
            }
        }
        if changed { b = out }
    }

    @inline(__always)
    private static func isTokenEnd(_ c: UInt8) -> Bool {
        c <= 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "<")
            || c == UInt8(ascii: ">") || c == UInt8(ascii: "`") || c == 0x7F
    }

    /// `scheme://…` anywhere in the text, shown as `redactURL` shows it.
    static func redactURLs(_ b: [UInt8]) -> [UInt8] {
        let marker = Array("://".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if i + 3 <= b.count && b[i] == 58 && b[i..<(i + 3)].elementsEqual(marker) {
                // Back up over the scheme already copied.
                var s = out.count
                while s > 0 && isSchemeByte(out[s - 1]) { s -= 1 }
                var e = i + 3
                while e < b.count && !isTokenEnd(b[e]) { e += 1 }
                let url = String(decoding: out[s...] + b[i..<e], as: UTF8.self)
                out.removeSubrange(s...)
                out += Array(redactURL(url).utf8)
                i = e
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    private static func isSchemeByte(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 43 || c == 45 || c == 46
    }

    /// The word after `Bearer`, `Basic`, `Token`, `Digest` or `Authorization:`.
    static func redactCredentials(_ b: [UInt8]) -> [UInt8] {
        let words = ["bearer ", "basic ", "authorization: ", "authorization=", "x-api-key: "].map { Array($0.utf8) }
        var out: [UInt8] = []
        var i = 0
        outer: while i < b.count {
            for w in words where i + w.count <= b.count && lowerEquals(b[i..<(i + w.count)], w) {
                out += b[i..<(i + w.count)]
                var j = i + w.count
                while j < b.count && b[j] == 0x20 { j += 1 }
                let start = j
                while j < b.count && !isTokenEnd(b[j]) && b[j] != UInt8(ascii: ",") { j += 1 }
                // `Authorization: Bearer X`: keep the scheme word; the next round takes X.
                let token = b[start..<j]
                if w.count > 7
                    && ["bearer", "basic"].contains(
                        String(decoding: token.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self))
                {
                    i = start
                    continue outer
                }
                if j > start { out += ellipsis }
                i = j
                continue outer
            }
            out.append(b[i])
            i += 1
        }
        return out
    }

    /// `name=value` where the name says the value is secret (`sig=`, `apikey=`, `access_token=`…).
    static func redactSecretParameters(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "=") {
                var s = out.count
                while s > 0 && (isSchemeByte(out[s - 1]) || out[s - 1] == UInt8(ascii: "_")) { s -= 1 }
                if s < out.count && isSecretName(Array(out[s...])) {
                    out.append(b[i])
                    var j = i + 1
                    while j < b.count && !isTokenEnd(b[j]) && b[j] != UInt8(ascii: "&") && b[j] != UInt8(ascii: ",")
                        && b[j] != UInt8(ascii: ";")
                    {
                        j += 1
                    }
                    if j > i + 1 { out += ellipsis }
                    i = j
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return out
    }

    private static func lowerEquals(_ a: ArraySlice<UInt8>, _ lower: [UInt8]) -> Bool {
        zip(a, lower).allSatisfy { ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }
    }

    static func percentDecoded(_ s: String) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, let h = hexValue(b[i + 1]), let l = hexValue(b[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        let d = Hex.digit(c)
        return d < 16 ? d : nil
    }

    static func base64(_ b: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let n = min(3, b.count - i)
            var v = UInt32(b[i]) << 16
            if n > 1 { v |= UInt32(b[i + 1]) << 8 }
            if n > 2 { v |= UInt32(b[i + 2]) }
            for k in 0..<4 { out.append(k <= n ? table[Int((v >> (18 - 6 * UInt32(k))) & 63)] : UInt8(ascii: "=")) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
