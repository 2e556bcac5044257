#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fields of one decoded-event record (stream contract, record 2) that a
/// sink needs, as views into the input line: valid only inside the callback
/// that hands out the line. One pass over the object's members on the tape
/// (no value, and so no reference count, per member), no dictionaries, no
/// Foundation.
public struct DecodedEvent {
    public var root: JSONValue
    public var chainId: UInt64?
    public var blockNumber: UInt64
    public var blockTimestamp: UInt64?
    public var transactionIndex: UInt64?
    public var logIndex: UInt64
    public var removed: Bool
    /// Tape indices of the text members (-1: absent or null).
    private var blockHashIndex: Int32
    private var transactionHashIndex: Int32 = -1
    private var addressIndex: Int32 = -1
    private var eventIndex: Int32 = -1
    private var signatureIndex: Int32 = -1
    private var argsIndex: Int32 = -1

    public var blockHash: JSONValue { value(blockHashIndex)! }
    public var transactionHash: JSONValue? { value(transactionHashIndex) }
    public var address: JSONValue? { value(addressIndex) }
    public var event: JSONValue? { value(eventIndex) }
    public var signature: JSONValue? { value(signatureIndex) }
    public var args: JSONValue? { value(argsIndex) }

    @inline(__always)
    private func value(_ i: Int32) -> JSONValue? { i < 0 ? nil : JSONValue(tape: root.tape, index: Int(i)) }

    /// The members a record may have, by tape index of the value (-1: absent).
    private struct Members {
        var chainId = -1, blockNumber = -1, blockHash = -1, blockTimestamp = -1, transactionHash = -1
        var transactionIndex = -1, logIndex = -1, address = -1, removed = -1, event = -1, signature = -1
        var args = -1

        /// The first of each, by the key's bytes as written.
        init(_ root: JSONValue) {
            let t = root.tape
            let entries = t.entries
            var i = root.index &+ 1
            let end = Int(entries[root.index].next)
            while i < end {
                let k = entries[i]
                let key = UnsafeBufferPointer(start: t.base + (Int(k.start) &+ 1), count: Int(k.end &- k.start) &- 2)
                let v = i &+ 1
                switch key.count {
                case 4:
                    if args < 0 && FieldName.equals(key, "args") { args = v }
                case 5:
                    if event < 0 && FieldName.equals(key, "event") { event = v }
                case 7:
                    if FieldName.equals(key, "chainId") {
                        if chainId < 0 { chainId = v }
                    } else if FieldName.equals(key, "address") {
                        if address < 0 { address = v }
                    } else if FieldName.equals(key, "removed") {
                        if removed < 0 { removed = v }
                    }
                case 8:
                    if logIndex < 0 && FieldName.equals(key, "logIndex") { logIndex = v }
                case 9:
                    if FieldName.equals(key, "blockHash") {
                        if blockHash < 0 { blockHash = v }
                    } else if FieldName.equals(key, "signature") {
                        if signature < 0 { signature = v }
                    }
                case 11:
                    if blockNumber < 0 && FieldName.equals(key, "blockNumber") { blockNumber = v }
                case 14:
                    if blockTimestamp < 0 && FieldName.equals(key, "blockTimestamp") { blockTimestamp = v }
                case 15:
                    if transactionHash < 0 && FieldName.equals(key, "transactionHash") { transactionHash = v }
                case 16:
                    if transactionIndex < 0 && FieldName.equals(key, "transactionIndex") { transactionIndex = v }
                default: break
                }
                i = Int(entries[v].next)
            }
        }
    }

    /// Throws `.dataError` naming the missing or malformed field; the caller
    /// adds the line number.
    public init(_ root: JSONValue) throws(ChainCastError) {
        guard root.kind == .object else { throw .data("expected a JSON object, found \(root.kind)") }
        let m = Members(root)
        let t = root.tape
        func at(_ i: Int) -> JSONValue? { i < 0 ? nil : JSONValue(tape: t, index: i) }
        self.root = root
        guard let bn = at(m.blockNumber) else { throw .data("event has no blockNumber") }
        guard let bnv = bn.quantity else { throw .data("blockNumber is not a block number: \(Self.excerpt(bn))") }
        blockNumber = bnv
        guard m.blockHash >= 0, at(m.blockHash)?.kind == .string else { throw .data("event has no blockHash string") }
        blockHashIndex = Int32(m.blockHash)
        guard let li = at(m.logIndex) else { throw .data("event has no logIndex") }
        guard let liv = li.quantity else { throw .data("logIndex is not a number: \(Self.excerpt(li))") }
        logIndex = liv
        chainId = try Self.optionalQuantity(at(m.chainId), "chainId")
        blockTimestamp = try Self.optionalQuantity(at(m.blockTimestamp), "blockTimestamp")
        transactionIndex = try Self.optionalQuantity(at(m.transactionIndex), "transactionIndex")
        transactionHashIndex = try Self.optionalString(at(m.transactionHash), "transactionHash")
        addressIndex = try Self.optionalString(at(m.address), "address")
        eventIndex = try Self.optionalString(at(m.event), "event")
        signatureIndex = try Self.optionalString(at(m.signature), "signature")
        if let r = at(m.removed), !r.isNull {
            guard let b = r.bool else { throw .data("removed is not true or false: \(Self.excerpt(r))") }
            removed = b
        } else {
            removed = false
        }
        if let a = at(m.args), !a.isNull { argsIndex = Int32(m.args) }
    }

    private static func optionalQuantity(_ v: JSONValue?, _ name: String) throws(ChainCastError) -> UInt64? {
        guard let v, !v.isNull else { return nil }
        guard let q = v.quantity else { throw .data("\(name) is not a number: \(excerpt(v))") }
        return q
    }

    /// The value's tape index; -1 when absent or null.
    private static func optionalString(_ v: JSONValue?, _ name: String) throws(ChainCastError) -> Int32 {
        guard let v, !v.isNull else { return -1 }
        guard v.kind == .string else { throw .data("\(name) is not a string: \(excerpt(v))") }
        return Int32(v.index)
    }

    /// At most 40 characters of a value, for error messages.
    static func excerpt(_ v: JSONValue) -> String {
        let raw = v.raw
        let n = min(raw.count, 40)
        let s = String(decoding: UnsafeBufferPointer(rebasing: raw[0..<n]), as: UTF8.self)
        return n < raw.count ? s + "…" : s
    }
}

enum FieldName {
    @inline(__always)
    static func equals(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
        guard b.count == s.utf8CodeUnitCount, let p = b.baseAddress else { return false }
        return memcmp(p, s.utf8Start, b.count) == 0
    }
}
