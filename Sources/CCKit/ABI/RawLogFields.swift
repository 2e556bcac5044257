import CCCore
import CCJSON

/// The members of a raw-log line, taken in one walk over the object (first
/// occurrence wins, unknown members are ignored). Nothing here holds a
/// reference: topics, data and the address are decoded straight into the
/// caller's scratch buffers, and hashes are views into the line, so the
/// per-line cost is the walk itself.
struct RawLogFields {
    enum Quantity {
        case absent
        case value(UInt64)
        case invalid
    }

    var chainId = Quantity.absent, blockNumber = Quantity.absent, blockTimestamp = Quantity.absent
    var transactionIndex = Quantity.absent, logIndex = Quantity.absent
    /// Contents of the hash strings (between the quotes), nil when absent or null.
    var blockHash: UnsafeBufferPointer<UInt8>?
    var transactionHash: UnsafeBufferPointer<UInt8>?
    var removed = false
    var seen: UInt32 = 0
    /// A key beginning with `$` (reserved for control records) is present.
    var hasDollarKey = false
    var hasEvent = false
    var hasArgs = false
    var hasSignature = false
    /// `topics` or `data` came before `args`: Record 2 puts them after it (--keep-raw).
    var logFieldBeforeArgs = false
    /// `blockNumber` is a string: a node's hex quantity, never Record 2's JSON number.
    var blockNumberIsString = false
    /// A member that would make a passed-through raw log look like something
    /// else downstream (`$` keys, `event`, `args`, `signature`).
    var hasForgingKey: Bool { hasDollarKey || hasEvent || hasArgs || hasSignature }
    /// The first problem found; only reported when the line is not passed through.
    var problem: String?
    var topicCount = 0
    var dataCount = 0

    /// What the line is, by the stream contract rather than by the presence of
    /// one key: a record carrying `topics` or `data` is a log, whatever else it
    /// holds, unless it has Record 2's shape (`event`, `signature` and `args`,
    /// `topics`/`data` only after `args`, a numeric `blockNumber`, no `$` key).
    /// So a node or proxy that adds `$cc` or `event`/`args` to its logs cannot
    /// turn them into markers or "decoded" events here. Anything else (no
    /// `topics`, no `data`: a `cc-filter --map` reshape, an aggregate row) is
    /// a plain record, which stages pass (stream contract v1.1).
    enum Kind { case control, decoded, log, plain }

    var kind: Kind {
        let logShaped = seen & (Self.sawTopics | Self.sawData) != 0
        if !logShaped {
            if hasDollarKey { return .control }
            if hasEvent && hasArgs { return .decoded }
            return .plain
        }
        if !hasDollarKey && hasEvent && hasArgs && hasSignature && !logFieldBeforeArgs && !blockNumberIsString {
            return .decoded
        }
        return .log
    }

    static let sawAddress: UInt32 = 1, sawTopics: UInt32 = 2, sawData: UInt32 = 4

    init(_ root: JSONValue, scratch: RecordScratch) {
        root.forEachMember { k, v in
            if k.hasEscapes {
                // An escaped key (`"\u0024cc"`) means what its unescaped form means to every other reader.
                var u: [UInt8] = []
                k.unescapedBytes(into: &u)
                u.withUnsafeBufferPointer { visit($0, v, scratch) }
            } else {
                visit(k.stringContents, v, scratch)
            }
        }
        if problem == nil {
            if seen & Self.sawAddress == 0 {
                problem = "missing \"address\""
            } else if seen & Self.sawTopics == 0 {
                problem = "missing \"topics\""
            } else if seen & Self.sawData == 0 {
                problem = "missing \"data\""
            }
        }
    }

    private mutating func visit(_ key: UnsafeBufferPointer<UInt8>, _ v: JSONValue, _ scratch: RecordScratch) {
        if key.count > 0 && key[0] == 36 { hasDollarKey = true }
        switch key.count {
        case 4 where eq(key, "data"):
            if !hasArgs { logFieldBeforeArgs = true }
            guard seen & Self.sawData == 0 else { return }
            seen |= Self.sawData
            guard v.kind == .string, let n = scratch.decodeData(v.stringContents) else {
                note("\"data\" is not a 0x hex string of whole bytes")
                return
            }
            dataCount = n
        case 4 where eq(key, "args"): hasArgs = true
        case 5 where eq(key, "event"): hasEvent = true
        case 9 where eq(key, "signature"): hasSignature = true
        case 6 where eq(key, "topics"):
            if !hasArgs { logFieldBeforeArgs = true }
            guard seen & Self.sawTopics == 0 else { return }
            seen |= Self.sawTopics
            guard v.kind == .array else {
                note("\"topics\" is not an array")
                return
            }
            scratch.reserveTopics(v.count)
            var i = 0
            v.forEachElement { t in
                if problem == nil,
                    !(t.kind == .string
                        && HexBytes.decode(t.stringContents, into: scratch.topics + i * 32, count: 32))
                {
                    note("\"topics\"[\(i)] is not a 32-byte 0x hex string")
                }
                i += 1
            }
            topicCount = i
        case 7 where eq(key, "address"):
            guard seen & Self.sawAddress == 0 else { return }
            seen |= Self.sawAddress
            if !(v.kind == .string && HexBytes.decode(v.stringContents, into: scratch.address, count: 20)) {
                note("\"address\" is not a 20-byte 0x hex string")
            }
        case 7 where eq(key, "removed"):
            if v.kind == .bool {
                removed = v.bool ?? false
            } else if !v.isNull {
                note("\"removed\" is not a boolean")
            }
        case 7 where eq(key, "chainId"): if case .absent = chainId { chainId = quantity(v, "chainId") }
        case 8 where eq(key, "logIndex"): if case .absent = logIndex { logIndex = quantity(v, "logIndex") }
        case 9 where eq(key, "blockHash"): if blockHash == nil { blockHash = hash(v, "blockHash") }
        case 11 where eq(key, "blockNumber"):
            if case .absent = blockNumber {
                blockNumberIsString = v.kind == .string
                blockNumber = quantity(v, "blockNumber")
            }
        case 14 where eq(key, "blockTimestamp"):
            if case .absent = blockTimestamp { blockTimestamp = quantity(v, "blockTimestamp") }
        case 15 where eq(key, "transactionHash"):
            if transactionHash == nil { transactionHash = hash(v, "transactionHash") }
        case 16 where eq(key, "transactionIndex"):
            if case .absent = transactionIndex { transactionIndex = quantity(v, "transactionIndex") }
        default: break
        }
    }

    private mutating func note(_ p: @autoclosure () -> String) {
        if problem == nil { problem = p() }
    }

    private mutating func quantity(_ v: JSONValue, _ name: String) -> Quantity {
        if v.isNull { return .absent }
        if let x = v.quantity { return .value(x) }
        note("\"\(name)\" is not a quantity (hex, number or decimal string that fits in 64 bits)")
        return .invalid
    }

    private mutating func hash(_ v: JSONValue, _ name: String) -> UnsafeBufferPointer<UInt8>? {
        if v.isNull { return nil }
        let s = v.stringContents
        if v.kind == .string && HexBytes.isHash(s) { return s }
        note("\"\(name)\" is not a 32-byte 0x hex string")
        return nil
    }
}

/// Scratch buffers a `LogRecordDecoder` owns and reuses for every line.
final class RecordScratch {
    let address = UnsafeMutablePointer<UInt8>.allocate(capacity: 20)
    private(set) var topics: UnsafeMutablePointer<UInt8>
    private var topicCapacity = 8
    private(set) var data: UnsafeMutablePointer<UInt8>
    private var dataCapacity = 1 << 12

    init() {
        topics = .allocate(capacity: 8 * 32)
        data = .allocate(capacity: 1 << 12)
        address.initialize(repeating: 0, count: 20)
    }

    deinit {
        address.deallocate()
        topics.deallocate()
        data.deallocate()
    }

    func reserveTopics(_ n: Int) {
        guard n > topicCapacity else { return }
        topics.deallocate()
        topicCapacity = n
        topics = .allocate(capacity: n * 32)
    }

    /// Decodes "0x…" into `data`; the byte count, or nil when it is not whole-byte hex.
    func decodeData(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        guard s.count >= 2, s.count % 2 == 0 else { return nil }
        let n = (s.count - 2) / 2
        if n > dataCapacity {
            data.deallocate()
            dataCapacity = max(n, dataCapacity * 2)
            data = .allocate(capacity: dataCapacity)
        }
        return HexBytes.decode(s, into: data, count: n) ? n : nil
    }
}

@inline(__always)
private func eq(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
    guard b.count == s.utf8CodeUnitCount else { return false }
    let p = s.utf8Start
    for i in 0..<b.count where b[i] != p[i] { return false }
    return true
}
