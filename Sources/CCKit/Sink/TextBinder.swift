import CCCore
import CCJSON

/// The SQLite TEXT of a scanned JSON value: a string's contents, unescaped
/// only when it holds escapes; any other kind as its exact JSON text (objects
/// and arrays as they came in); always valid UTF-8 (ill-formed bytes become
/// U+FFFD) so SQLite's JSON functions and every reader can use the column.
enum SQLText {
    /// The text as a view into the line when it needs no change; otherwise
    /// nil, with the text in `scratch`.
    @inline(__always)
    static func of(_ v: JSONValue, raw: Bool = false, scratch: inout [UInt8]) -> UnsafeBufferPointer<UInt8>? {
        let view: UnsafeBufferPointer<UInt8>
        if raw || v.kind != .string {
            view = v.raw
        } else if !v.hasEscapes {
            view = v.stringContents
        } else {
            scratch.removeAll(keepingCapacity: true)
            v.unescapedBytes(into: &scratch)
            let ok = scratch.withUnsafeBufferPointer { UTF8Repair.isValid($0) }
            if !ok { scratch = scratch.withUnsafeBufferPointer { UTF8Repair.repaired($0) } }
            return nil
        }
        if UTF8Repair.isValid(view) { return view }
        scratch = UTF8Repair.repaired(view)
        return nil
    }
}

/// Binds scanned JSON values as SQLite TEXT (see `SQLText`), copied.
struct TextBinder {
    private var scratch: [UInt8] = []

    init() { scratch.reserveCapacity(256) }

    /// A JSON string's value; other kinds are bound as their JSON text.
    @inline(__always)
    mutating func bind(_ stmt: SQLiteStatement, _ index: Int32, _ v: JSONValue) {
        // A local first: as an argument of a call on `self`, it would run after
        // `self` (and its old `scratch`) was already read for the call.
        let view = SQLText.of(v, scratch: &scratch)
        bind(stmt, index, view)
    }

    @inline(__always)
    mutating func bindOptional(_ stmt: SQLiteStatement, _ index: Int32, _ v: JSONValue?) {
        if let v { bind(stmt, index, v) } else { stmt.bindNull(index) }
    }

    /// The value's exact JSON text (objects and arrays as they came in).
    @inline(__always)
    mutating func bindRawJSON(_ stmt: SQLiteStatement, _ index: Int32, _ v: JSONValue) {
        let view = SQLText.of(v, raw: true, scratch: &scratch)
        bind(stmt, index, view)
    }

    @inline(__always)
    private func bind(_ stmt: SQLiteStatement, _ index: Int32, _ view: UnsafeBufferPointer<UInt8>?) {
        if let view { stmt.bind(index, text: view) } else { stmt.bind(index, bytes: scratch) }
    }

    /// A decimal string (`"-5"`, `"1000000"`) that fits in Int64, else nil.
    @inline(__always)
    static func int64(decimal v: JSONValue) -> Int64? {
        guard v.kind == .string || v.kind == .number, !v.hasEscapes else { return nil }
        let b = v.kind == .string ? v.stringContents : v.raw
        guard !b.isEmpty else { return nil }
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        }
        guard i < b.count, b.count - i <= 19 else { return nil }
        // No leading zeros: "007" is not the canonical decimal the stream uses.
        if b[i] == UInt8(ascii: "0") && b.count - i > 1 { return nil }
        var mag: UInt64 = 0
        while i < b.count {
            let d = b[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            mag = mag * 10 + UInt64(d)
            i += 1
        }
        if negative {
            if mag > UInt64(Int64.max) + 1 { return nil }
            return mag == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mag)
        }
        return mag <= UInt64(Int64.max) ? Int64(mag) : nil
    }
}

extension TextBinder {
    /// Columns 1–8 every per-event and raw-log table starts with: chain_id,
    /// block_number, block_hash, block_timestamp, transaction_hash,
    /// transaction_index, log_index, address.
    mutating func bindLogColumns(_ s: SQLiteStatement, chainId: Int64, _ e: DecodedEvent) {
        s.bind(1, int: chainId)
        s.bind(2, int: Int64(bitPattern: e.blockNumber))
        bind(s, 3, e.blockHash)
        if let ts = e.blockTimestamp { s.bind(4, int: Int64(bitPattern: ts)) } else { s.bindNull(4) }
        bindOptional(s, 5, e.transactionHash)
        if let ti = e.transactionIndex { s.bind(6, int: Int64(bitPattern: ti)) } else { s.bindNull(6) }
        s.bind(7, int: Int64(bitPattern: e.logIndex))
        bindOptional(s, 8, e.address)
    }
}
