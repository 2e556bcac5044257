import CCCore
import CCStream

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fast path of `LogBatchProcessor`: finds the members a check needs in
/// the bytes of one log object, without building values. The bytes were
/// already validated as JSON by `JSONLine`, so the scanner only has to find
/// boundaries; anything unusual (an escaped key) makes it return nil and the
/// caller takes the general path.
struct RawLog {
    /// Offsets into the object's bytes: [start, end) of each value
    /// (strings without their quotes); -1 when absent.
    var blockNumber = (-1, -1, false)  // (start, end, isString)
    var logIndex = (-1, -1, false)
    var blockHash = (-1, -1)
    var address = (-1, -1)
    var topics: (Int, Int, Int, Int, Int, Int, Int, Int) = (-1, -1, -1, -1, -1, -1, -1, -1)
    var topicCount = 0
    /// A topics member that is not an array of strings.
    var topicsMalformed = false
    var hasTopics = false
    var removed = false
    var hasTimestamp = false
    /// Where each Record 1 member's value is, first occurrence only: what cc-fetch writes.
    var members = RawLogMembers()

    func topic(_ i: Int) -> (Int, Int) {
        switch i {
        case 0: return (topics.0, topics.1)
        case 1: return (topics.2, topics.3)
        case 2: return (topics.4, topics.5)
        default: return (topics.6, topics.7)
        }
    }

    mutating func setTopic(_ i: Int, _ s: Int, _ e: Int) {
        switch i {
        case 0: topics.0 = s; topics.1 = e
        case 1: topics.2 = s; topics.3 = e
        case 2: topics.4 = s; topics.5 = e
        default: topics.6 = s; topics.7 = e
        }
    }

    @inline(__always) static func skipSpace(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int) {
        while i < b.count, isSpace(b[i]) { i += 1 }
    }

    /// Index just after the string starting at the quote `b[start]`: memchr to the
    /// next quote, then an even number of backslashes before it means it ends there.
    @inline(__always) static func endOfString(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        guard let base = b.baseAddress else { return b.count }
        var i = start + 1
        while i < b.count {
            guard let q = memchr(base + i, 0x22, b.count - i) else { return b.count }
            let j = base.distance(to: q.assumingMemoryBound(to: UInt8.self))
            var k = j - 1
            var backslashes = 0
            while k > start, b[k] == 0x5C {
                backslashes += 1
                k -= 1
            }
            if backslashes & 1 == 0 { return j + 1 }
            i = j + 1
        }
        return b.count
    }

    /// Index just after the value starting at `b[i]` (any kind).
    static func endOfValue(_ b: UnsafeBufferPointer<UInt8>, _ start: Int) -> Int {
        var i = start
        guard i < b.count else { return i }
        switch b[i] {
        case 0x22: return endOfString(b, i)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            var depth = 0
            while i < b.count {
                let c = b[i]
                if c == 0x22 { i = endOfString(b, i); continue }
                if c == UInt8(ascii: "[") || c == UInt8(ascii: "{") { depth += 1 }
                if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                    depth -= 1
                    if depth == 0 { return i + 1 }
                }
                i += 1
            }
            return i
        default:
            while i < b.count {
                let c = b[i]
                if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || isSpace(c) { break }
                i += 1
            }
            return i
        }
    }

    /// Scans a log object; nil when the general path must decide.
    static func scan(_ b: UnsafeBufferPointer<UInt8>) -> RawLog? {
        guard b.count >= 2, b[0] == UInt8(ascii: "{") else { return nil }
        var r = RawLog()
        var i = 1
        while i < b.count {
            skipSpace(b, &i)
            guard i < b.count else { return nil }
            let c = b[i]
            if c == UInt8(ascii: "}") { return r }
            if c == UInt8(ascii: ",") { i += 1; continue }
            guard c == 0x22 else { return nil }
            let ks = i + 1
            var ke = ks
            while ke < b.count, b[ke] != 0x22 {
                if b[ke] == 0x5C { return nil }
                ke += 1
            }
            i = ke + 1
            skipSpace(b, &i)
            guard i < b.count, b[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            skipSpace(b, &i)
            guard i < b.count else { return nil }
            let vs = i
            let isString = b[vs] == 0x22
            // Exact keys, first occurrence wins; anything else is skipped (and not written).
            guard let field = RawLogKey(exactly: UnsafeBufferPointer(rebasing: b[ks..<ke])),
                !r.members.has(field)
            else {
                i = endOfValue(b, vs)
                continue
            }
            if field == .topics {
                r.hasTopics = true
                guard b[vs] == UInt8(ascii: "[") else {
                    r.topicsMalformed = true
                    i = endOfValue(b, vs)
                    r.members.set(field, vs, i)
                    continue
                }
                i = vs + 1
                while i < b.count {
                    skipSpace(b, &i)
                    guard i < b.count else { return nil }
                    let t = b[i]
                    if t == UInt8(ascii: "]") { i += 1; break }
                    if t == UInt8(ascii: ",") { i += 1; continue }
                    if t == 0x22 {
                        let e = endOfString(b, i)
                        if r.topicCount < 4 { r.setTopic(r.topicCount, i + 1, e - 1) }
                        r.topicCount += 1
                        i = e
                    } else {
                        r.topicsMalformed = true
                        i = endOfValue(b, i)
                    }
                }
                r.members.set(field, vs, i)
                continue
            }
            i = endOfValue(b, vs)
            r.members.set(field, vs, i)
            let (s, e) = isString ? (vs + 1, i - 1) : (vs, i)
            switch field {
            case .blockNumber: r.blockNumber = (s, e, isString)
            case .logIndex: r.logIndex = (s, e, isString)
            case .blockHash: if isString { r.blockHash = (s, e) }
            case .address: if isString { r.address = (s, e) }
            case .removed: r.removed = b[vs] == UInt8(ascii: "t")
            case .blockTimestamp: r.hasTimestamp = true
            default: break
            }
        }
        return nil
    }

    /// A quantity: "0x" hex string, decimal string, or JSON integer; nil otherwise.
    @inline(__always) static func quantity(_ b: UnsafeBufferPointer<UInt8>, _ f: (Int, Int, Bool)) -> UInt64? {
        let (s, e, isString) = f
        guard s >= 0, e > s else { return nil }
        if isString, e - s >= 3, b[s] == 0x30, b[s + 1] | 0x20 == 0x78 {
            guard e - s - 2 <= 16 else { return nil }
            var v: UInt64 = 0
            for k in (s + 2)..<e {
                let n = Hex.digit(b[k])
                if n > 15 { return nil }
                v = v << 4 | UInt64(n)
            }
            return v
        }
        var v: UInt64 = 0
        for k in s..<e {
            let c = b[k] &- 0x30
            guard c <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c))
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }

    /// Whether b[s..<e] is "0x" followed by exactly 2*bytes hex digits.
    @inline(__always) static func isHexWord(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, bytes: Int) -> Bool {
        guard s >= 0, e - s == 2 + 2 * bytes, b[s] == 0x30, b[s + 1] | 0x20 == 0x78 else { return false }
        var bad: UInt8 = 0
        for k in (s + 2)..<e { bad |= Hex.digit(b[k]) & 0xF0 }
        return bad == 0
    }
}

/// The value spans (offsets into the log object's bytes) of the Record 1
/// members of one log, first occurrence of each key. cc-fetch writes exactly
/// these members, in the node's order, so a node (or a proxy) that adds keys —
/// `$cc`, `event`, `args` — cannot make a log pass for a control record or a
/// decoded event downstream.
struct RawLogMembers {
    private var start = InlineArray<11, Int>(repeating: -1)
    private var end = InlineArray<11, Int>(repeating: -1)

    @inline(__always) func has(_ k: RawLogKey) -> Bool { start[k.rawValue] >= 0 }

    @inline(__always) mutating func set(_ k: RawLogKey, _ s: Int, _ e: Int) {
        start[k.rawValue] = s
        end[k.rawValue] = e
    }

    /// Appends `"key":value` for every member found but `chainId` (cc-fetch writes its
    /// own), in the order the node sent them, comma-separated, compacting values that
    /// hold raw whitespace (a pretty-printing node must not break NDJSON framing).
    func appendMembers(of b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var order = InlineArray<11, Int>(repeating: 0)
        var n = 0
        for k in 0..<11 where start[k] >= 0 && k != RawLogKey.chainId.rawValue {
            var j = n
            while j > 0 && start[order[j - 1]] > start[k] {
                order[j] = order[j - 1]
                j -= 1
            }
            order[j] = k
            n += 1
        }
        for x in 0..<n {
            let k = order[x]
            if x > 0 { out.append(UInt8(ascii: ",")) }
            out.append(0x22)
            let name = RawLogKey(rawValue: k)!.name
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(0x22)
            out.append(UInt8(ascii: ":"))
            let v = UnsafeBufferPointer(rebasing: b[start[k]..<end[k]])
            if let base = v.baseAddress, b[start[k]] != 0x22,
                memchr(base, 0x0A, v.count) != nil || memchr(base, 0x0D, v.count) != nil
                    || memchr(base, 0x20, v.count) != nil || memchr(base, 0x09, v.count) != nil
            {
                appendCompacted(v, to: &out)
            } else {
                out.append(contentsOf: v)
            }
        }
    }
}
