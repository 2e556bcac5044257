import CCCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `--abi SPEC` argument, resolved: the events it declares and, for the
/// `0xADDRESS=SOURCE` form, the one contract they are bound to.
///
/// SPEC is, in the order cc-decode tries them: `0xADDRESS=SOURCE`; a built-in
/// name (`erc20`, …); an inline declaration (`event Transfer(…)` or
/// `Transfer(address,address,uint256)`, several separated by `;`); a file (JSON
/// ABI, artifact, Etherscan response, or human-readable lines).
package struct ABISource: Sendable {
    package var spec: String
    package var events: [ABIEvent]
    /// 20 bytes when bound to a contract address.
    package var address: [UInt8]?

    package init(spec: String, events: [ABIEvent], address: [UInt8]? = nil) {
        self.spec = spec
        self.events = events
        self.address = address
    }

    /// Resolves SPEC; a bad ABI is exit 78 naming the source, a missing file 66.
    package static func load(_ spec: String) throws(ChainCastError) -> ABISource {
        if let eq = spec.firstIndex(of: "="), spec.hasPrefix("0x") || spec.hasPrefix("0X") {
            let addr = String(spec[..<eq])
            guard let bytes = parseAddress(addr) else {
                throw .config("--abi \(spec): '\(addr)' is not a 20-byte hex address")
            }
            var inner = try load(String(spec[spec.index(after: eq)...]))
            inner.spec = spec
            inner.address = bytes
            return inner
        }
        if let builtin = BuiltinABIs.named(spec) {
            do throws(ABIParseError) {
                return ABISource(spec: spec, events: try HumanReadableABI.parseEvents(builtin.declarations))
            } catch {
                throw .internalError("built-in ABI \(spec): \(error.message)")
            }
        }
        if looksLikeDeclaration(spec) {
            do throws(ABIParseError) {
                let events = try HumanReadableABI.parseEvents(spec)
                guard !events.isEmpty else { throw ABIParseError("declares no event") }
                try ArgumentKeys.check(events)
                return ABISource(spec: spec, events: events)
            } catch {
                throw .config("--abi '\(spec)': \(error.message)")
            }
        }
        let bytes = try readFile(spec)
        do throws(ABIParseError) {
            let events = try parse(bytes)
            guard !events.isEmpty else {
                throw ABIParseError("declares no event (only functions, errors or nothing)")
            }
            return ABISource(spec: spec, events: events)
        } catch {
            throw .config("ABI file \(spec): \(error.message)")
        }
    }

    /// Parses the contents of an ABI file: JSON when it starts with `[` or `{`,
    /// human-readable declarations otherwise.
    package static func parse(_ bytes: [UInt8]) throws(ABIParseError) -> [ABIEvent] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        let first = body.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        let events: [ABIEvent]
        if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") {
            events = try JSONABI.parseEvents(Array(body))
        } else {
            guard let text = String(validating: body, as: UTF8.self) else { throw ABIParseError("not UTF-8 text") }
            events = try HumanReadableABI.parseEvents(text)
        }
        try ArgumentKeys.check(events)
        return events
    }

    static func looksLikeDeclaration(_ spec: String) -> Bool {
        let s = spec.trimmingCharacters(in: " \t\n")
        if s.hasPrefix("event ") || s.hasPrefix("event\t") { return true }
        // `Name(…)`: a path could contain parentheses too, so a file of that name wins.
        guard let open = s.firstIndex(of: "("), s.hasSuffix(")") || s.hasSuffix(";") else { return false }
        let name = s[..<open]
        guard let f = name.first, f.isLetter || f == "_" || f == "$",
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "$") })
        else { return false }
        return access(spec, F_OK) != 0
    }

    static func parseAddress(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count == 42, u[0] == UInt8(ascii: "0"), u[1] | 0x20 == UInt8(ascii: "x") else { return nil }
        return Hex.decode(s)
    }

    private static func readFile(_ path: String) throws(ChainCastError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            let e = errno
            let reason = String(cString: strerror(e))
            if e == ENOENT {
                throw .noInput(
                    "--abi \(path): no such file, and not a built-in ABI name or an event declaration "
                        + "(built-ins: \(BuiltinABIs.all.map(\.name).joined(separator: ", ")))")
            }
            throw .noInput("--abi \(path): \(reason)")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("--abi \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
            if out.count > 64 << 20 { throw .config("ABI file \(path): larger than 64 MB") }
        }
        return out
    }
}
