#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The fields of one decoded-event record (stream contract, record 2) that a
/// sink needs, as views into the input line: valid only inside the callback
/// that hands out the line. One pass over the object's members, no
/// dictionaries, no Foundation.
public struct DecodedEvent {
    public var root: JSONValue
    public var chainId: UInt64?
    public var blockNumber: UInt64
    public var blockHash: JSONValue
    public var blockTimestamp: UInt64?
    public var transactionHash: JSONValue?
    public var transactionIndex: UInt64?
    public var logIndex: UInt64
    public var address: JSONValue?
    public var removed: Bool
    public var event: JSONValue?
    public var signature: JSONValue?
    public var args: JSONValue?

    /// Throws `.dataError` naming the missing or malformed field; the caller
    /// adds the line number.
    public init(_ root: JSONValue) throws(ChainCastError) {
        guard root.kind == .object else { throw .data("expected a JSON object, found \(root.kind)") }
        var chainId: JSONValue?
        var blockNumber: JSONValue?
        var blockHash: JSONValue?
        var blockTimestamp: JSONValue?
        var transactionHash: JSONValue?
        var transactionIndex: JSONValue?
        var logIndex: JSONValue?
        var address: JSONValue?
        var removed: JSONValue?
        var event: JSONValue?
        var signature: JSONValue?
        var args: JSONValue?
        root.forEachMember { key, value in
            let k = key.stringContents
            switch k.count {
            case 4:
                if FieldName.equals(k, "args") { if args == nil { args = value } }
            case 5:
                if FieldName.equals(k, "event") { if event == nil { event = value } }
            case 7:
                if FieldName.equals(k, "chainId") {
                    if chainId == nil { chainId = value }
                } else if FieldName.equals(k, "address") {
                    if address == nil { address = value }
                } else if FieldName.equals(k, "removed") {
                    if removed == nil { removed = value }
                }
            case 8:
                if FieldName.equals(k, "logIndex") { if logIndex == nil { logIndex = value } }
            case 9:
                if FieldName.equals(k, "blockHash") {
                    if blockHash == nil { blockHash = value }
                } else if FieldName.equals(k, "signature") {
                    if signature == nil { signature = value }
                }
            case 11:
                if FieldName.equals(k, "blockNumber") { if blockNumber == nil { blockNumber = value } }
            case 14:
                if FieldName.equals(k, "blockTimestamp") { if blockTimestamp == nil { blockTimestamp = value } }
            case 15:
                if FieldName.equals(k, "transactionHash") { if transactionHash == nil { transactionHash = value } }
            case 16:
                if FieldName.equals(k, "transactionIndex") { if transactionIndex == nil { transactionIndex = value } }
            default: break
            }
        }
        self.root = root
        guard let bn = blockNumber else { throw .data("event has no blockNumber") }
        guard let bnv = bn.quantity else { throw .data("blockNumber is not a block number: \(Self.excerpt(bn))") }
        self.blockNumber = bnv
        guard let bh = blockHash, bh.kind == .string else { throw .data("event has no blockHash string") }
        self.blockHash = bh
        guard let li = logIndex else { throw .data("event has no logIndex") }
        guard let liv = li.quantity else { throw .data("logIndex is not a number: \(Self.excerpt(li))") }
        self.logIndex = liv
        self.chainId = try Self.optionalQuantity(chainId, "chainId")
        self.blockTimestamp = try Self.optionalQuantity(blockTimestamp, "blockTimestamp")
        self.transactionIndex = try Self.optionalQuantity(transactionIndex, "transactionIndex")
        self.transactionHash = try Self.optionalString(transactionHash, "transactionHash")
        self.address = try Self.optionalString(address, "address")
        self.event = try Self.optionalString(event, "event")
        self.signature = try Self.optionalString(signature, "signature")
        if let r = removed, !r.isNull {
            guard let b = r.bool else { throw .data("removed is not true or false: \(Self.excerpt(r))") }
            self.removed = b
        } else {
            self.removed = false
        }
        if let a = args, !a.isNull { self.args = a } else { self.args = nil }
    }

    private static func optionalQuantity(_ v: JSONValue?, _ name: String) throws(ChainCastError) -> UInt64? {
        guard let v, !v.isNull else { return nil }
        guard let q = v.quantity else { throw .data("\(name) is not a number: \(excerpt(v))") }
        return q
    }

    private static func optionalString(_ v: JSONValue?, _ name: String) throws(ChainCastError) -> JSONValue? {
        guard let v, !v.isNull else { return nil }
        guard v.kind == .string else { throw .data("\(name) is not a string: \(excerpt(v))") }
        return v
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
