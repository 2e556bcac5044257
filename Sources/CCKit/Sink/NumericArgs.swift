import CCJSON

/// The `args` text the SQLite sink stores in its events table: the stream's
/// args with every integer argument (`uintN`/`intN` by the event's
/// signature) written as a JSON number instead of a decimal string.
///
/// So `json_extract(args, '$.value')` is a number SQLite compares, sorts and
/// sums as one (exactly while it fits in 64 bits), where a string would sort
/// above every number and make `>= 1000000000000000000` match every row. The
/// JSON text keeps every digit (`args -> '$.value'`, or any JSON parser that
/// reads big integers, such as Python's, returns the exact value).
final class NumericArgs {
    private var lastSignature: [UInt8] = []
    private var lastMask: [Bool] = []
    private var masks: [[UInt8]: [Bool]] = [:]
    private var out: [UInt8] = []

    init() { out.reserveCapacity(512) }

    /// Per top-level parameter of the signature: is it an integer type.
    private func mask(_ signature: JSONValue) -> [Bool] {
        let b = signature.stringContents
        if b.elementsEqual(lastSignature) { return lastMask }
        let key = Array(b)
        let m: [Bool]
        if let found = masks[key] {
            m = found
        } else {
            let types = EventSignature(String(decoding: key, as: UTF8.self))?.types ?? []
            m = types.map(EventSignature.isInteger)
            if masks.count < 4096 { masks[key] = m }
        }
        lastSignature = key
        lastMask = m
        return m
    }

    /// The rewritten args, or nil when nothing changes (no integer argument
    /// as a canonical decimal string). Valid until the next call.
    func rewrite(_ args: JSONValue, signature: JSONValue?) -> [UInt8]? {
        guard args.kind == .object, let signature, signature.kind == .string else { return nil }
        let m = mask(signature)
        guard m.contains(true) else { return nil }
        var changed = false
        var position = 0
        out.removeAll(keepingCapacity: true)
        out.append(UInt8(ascii: "{"))
        args.forEachMember { key, value in
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: key.raw)
            out.append(UInt8(ascii: ":"))
            if position < m.count, m[position], value.kind == .string, Self.isCanonicalInteger(value.stringContents) {
                out.append(contentsOf: value.stringContents)
                changed = true
            } else {
                out.append(contentsOf: value.raw)
            }
            position += 1
        }
        out.append(UInt8(ascii: "}"))
        return changed ? out : nil
    }

    /// `0`, `-5`, `123…`: digits a JSON number may be written with.
    @inline(__always)
    static func isCanonicalInteger(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { return false }
        if b[i] == UInt8(ascii: "0") { return i + 1 == b.count && i == 0 }
        for j in i..<b.count where b[j] &- UInt8(ascii: "0") > 9 { return false }
        return true
    }
}
