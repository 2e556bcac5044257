/// The members of a raw-log line cc-decode cares about, found in one walk
/// over the object (first occurrence wins, unknown members are ignored).
struct RawLogFields {
    var address, topics, data, blockNumber, blockHash, blockTimestamp: JSONValue?
    var transactionHash, transactionIndex, logIndex, removed, chainId: JSONValue?
    /// `$cc` (a checkpoint marker or another control record) is present.
    var isControlRecord = false
    var hasEvent = false
    var hasArgs = false
    /// Already decoded by an earlier cc-decode: pass it through.
    var isDecoded: Bool { hasEvent && hasArgs }
    var firstInvalidQuantity: String? {
        for (name, v) in [
            ("chainId", chainId), ("blockNumber", blockNumber), ("blockTimestamp", blockTimestamp),
            ("transactionIndex", transactionIndex), ("logIndex", logIndex),
        ] {
            if let v, !v.isNull, v.quantity == nil { return "\"\(name)\" is not a quantity (hex, number or decimal string)" }
        }
        for (name, v) in [("blockHash", blockHash), ("transactionHash", transactionHash)] {
            if let v, !v.isNull, !(v.kind == .string && HexBytes.isHash(v.stringContents)) {
                return "\"\(name)\" is not a 32-byte 0x hex string"
            }
        }
        if let removed, !removed.isNull, removed.bool == nil { return "\"removed\" is not a boolean" }
        return nil
    }

    init(_ root: JSONValue) {
        root.forEachMember { k, v in
            let key = k.stringContents
            switch key.count {
            case 3 where eq(key, "$cc"): isControlRecord = true
            case 4 where eq(key, "data"): if data == nil { data = v }
            case 4 where eq(key, "args"): hasArgs = true
            case 5 where eq(key, "event"): hasEvent = true
            case 6 where eq(key, "topics"): if topics == nil { topics = v }
            case 7 where eq(key, "address"): if address == nil { address = v }
            case 7 where eq(key, "removed"): if removed == nil { removed = v }
            case 7 where eq(key, "chainId"): if chainId == nil { chainId = v }
            case 8 where eq(key, "logIndex"): if logIndex == nil { logIndex = v }
            case 9 where eq(key, "blockHash"): if blockHash == nil { blockHash = v }
            case 11 where eq(key, "blockNumber"): if blockNumber == nil { blockNumber = v }
            case 14 where eq(key, "blockTimestamp"): if blockTimestamp == nil { blockTimestamp = v }
            case 15 where eq(key, "transactionHash"): if transactionHash == nil { transactionHash = v }
            case 16 where eq(key, "transactionIndex"): if transactionIndex == nil { transactionIndex = v }
            default: break
            }
        }
    }
}

@inline(__always)
private func eq(_ b: UnsafeBufferPointer<UInt8>, _ s: StaticString) -> Bool {
    guard b.count == s.utf8CodeUnitCount else { return false }
    let p = s.utf8Start
    for i in 0..<b.count where b[i] != p[i] { return false }
    return true
}
