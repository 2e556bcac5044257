import CCCore
import CCJSON

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
package struct DecodedEvent {
    package var root: JSONValue
    package var chainId: UInt64?
    package var blockNumber: UInt64
    package var blockTimestamp: UInt64?
    package var transactionIndex: UInt64?
    package var logIndex: UInt64
    package var removed: Bool
    /// Tape indices of the text members (-1: absent or null).
    private var blockHashIndex: Int32
    private var transactionHashIndex: Int32 = -1
    private var addressIndex: Int32 = -1
    private var eventIndex: Int32 = -1
    private var signatureIndex: Int32 = -1
    private var argsIndex: Int32 = -1

    package var blockHash: JSONValue { value(blockHashIndex)! }
    package var transactionHash: JSONValue? { value(transactionHashIndex) }
    package var address: JSONValue? { value(addressIndex) }
    package var event: JSONValue? { value(eventIndex) }
    package var signature: JSONValue? { value(signatureIndex) }
    package var args: JSONValue? { value(argsIndex) }

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
                case 4: _ = Self.take(&args, v, key, "args")
                case 5: _ = Self.take(&event, v, key, "event")
                case 7:
                    _ =
                        Self.take(&chainId, v, key, "chainId") || Self.take(&address, v, key, "address")
                        || Self.take(&removed, v, key, "removed")
                case 8: _ = Self.take(&logIndex, v, key, "logIndex")
                case 9: _ = Self.take(&blockHash, v, key, "blockHash") || Self.take(&signature, v, key, "signature")
                case 11: _ = Self.take(&blockNumber, v, key, "blockNumber")
                case 14: _ = Self.take(&blockTimestamp, v, key, "blockTimestamp")
                case 15: _ = Self.take(&transactionHash, v, key, "transactionHash")
                case 16: _ = Self.take(&transactionIndex, v, key, "transactionIndex")
                default: break
                }
                i = Int(entries[v].next)
            }
        }

        /// Whether `key` is `name`; then `slot` is `v` unless an earlier
        /// member of that name set it.
        @inline(__always)
        private static func take(
            _ slot: inout Int, _ v: Int, _ key: UnsafeBufferPointer<UInt8>, _ name: StaticString
        ) -> Bool {
            guard FieldName.equals(key, name) else { return false }
            if slot < 0 { slot = v }
            return true
        }
    }

    /// Throws `.dataError` naming the missing or malformed field; the caller
    /// adds the line number.
    ///
    /// Fields are read by tape index with the tape borrowed: a `JSONValue`
    /// per field would retain and release the tape a dozen times per record,
    /// which was a quarter of the file sink's CPU.
    package init(_ root: JSONValue) throws(ChainCastError) {
        guard root.kind == .object else { throw .data("expected a JSON object, found \(root.kind)") }
        let m = Members(root)
        let t = root.tape
        self.root = root
        guard m.blockNumber >= 0 else { throw .data("event has no blockNumber") }
        guard let bnv = Self.quantity(t, m.blockNumber) else {
            throw .data("blockNumber is not a block number: \(Self.excerpt(t, m.blockNumber))")
        }
        blockNumber = bnv
        guard m.blockHash >= 0, Self.kind(t, m.blockHash) == .string else {
            throw .data("event has no blockHash string")
        }
        blockHashIndex = Int32(m.blockHash)
        guard m.logIndex >= 0 else { throw .data("event has no logIndex") }
        guard let liv = Self.quantity(t, m.logIndex) else {
            throw .data("logIndex is not a number: \(Self.excerpt(t, m.logIndex))")
        }
        logIndex = liv
        chainId = try Self.optionalQuantity(t, m.chainId, "chainId")
        blockTimestamp = try Self.optionalQuantity(t, m.blockTimestamp, "blockTimestamp")
        transactionIndex = try Self.optionalQuantity(t, m.transactionIndex, "transactionIndex")
        transactionHashIndex = try Self.optionalString(t, m.transactionHash, "transactionHash")
        addressIndex = try Self.optionalString(t, m.address, "address")
        eventIndex = try Self.optionalString(t, m.event, "event")
        signatureIndex = try Self.optionalString(t, m.signature, "signature")
        if m.removed >= 0, Self.kind(t, m.removed) != .null {
            guard Self.kind(t, m.removed) == .bool else {
                throw .data("removed is not true or false: \(Self.excerpt(t, m.removed))")
            }
            removed = t.base[Int(t.entries[m.removed].start)] == UInt8(ascii: "t")
        } else {
            removed = false
        }
        if m.args >= 0, Self.kind(t, m.args) != .null { argsIndex = Int32(m.args) }
    }

    @inline(__always)
    private static func kind(_ t: JSONTape, _ i: Int) -> JSONKind {
        JSONKind(rawValue: t.entries[i].kindBits) ?? .null
    }

    @inline(__always)
    private static func quantity(_ t: JSONTape, _ i: Int) -> UInt64? { JSONValue.quantity(t, i) }

    private static func optionalQuantity(_ t: JSONTape, _ i: Int, _ name: String) throws(ChainCastError) -> UInt64? {
        guard i >= 0, kind(t, i) != .null else { return nil }
        guard let q = quantity(t, i) else { throw .data("\(name) is not a number: \(excerpt(t, i))") }
        return q
    }

    /// The value's tape index; -1 when absent or null.
    private static func optionalString(_ t: JSONTape, _ i: Int, _ name: String) throws(ChainCastError) -> Int32 {
        guard i >= 0, kind(t, i) != .null else { return -1 }
        guard kind(t, i) == .string else { throw .data("\(name) is not a string: \(excerpt(t, i))") }
        return Int32(i)
    }

    static func excerpt(_ t: JSONTape, _ i: Int) -> String { excerpt(JSONValue(tape: t, index: i)) }

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
