/// Binds scanned JSON values as SQLite TEXT: string contents unescaped only
/// when they hold escapes, and always valid UTF-8 (ill-formed bytes become
/// U+FFFD) so SQLite's JSON functions and every reader can use the column.
struct TextBinder {
    private var scratch: [UInt8] = []

    init() { scratch.reserveCapacity(256) }

    /// A JSON string's value; other kinds are bound as their JSON text.
    @inline(__always)
    mutating func bind(_ stmt: SQLiteStatement, _ index: Int32, _ v: JSONValue) {
        guard v.kind == .string else {
            bindRawJSON(stmt, index, v)
            return
        }
        if !v.hasEscapes {
            let c = v.stringContents
            if UTF8Repair.isValid(c) {
                stmt.bind(index, text: c)
            } else {
                stmt.bind(index, bytes: UTF8Repair.repaired(c))
            }
            return
        }
        scratch.removeAll(keepingCapacity: true)
        v.unescapedBytes(into: &scratch)
        bindChecked(stmt, index)
    }

    @inline(__always)
    mutating func bindOptional(_ stmt: SQLiteStatement, _ index: Int32, _ v: JSONValue?) {
        if let v { bind(stmt, index, v) } else { stmt.bindNull(index) }
    }

    /// The value's exact JSON text (objects and arrays as they came in).
    @inline(__always)
    mutating func bindRawJSON(_ stmt: SQLiteStatement, _ index: Int32, _ v: JSONValue) {
        let raw = v.raw
        if UTF8Repair.isValid(raw) {
            stmt.bind(index, text: raw)
        } else {
            stmt.bind(index, bytes: UTF8Repair.repaired(raw))
        }
    }

    private mutating func bindChecked(_ stmt: SQLiteStatement, _ index: Int32) {
        let ok = scratch.withUnsafeBufferPointer { UTF8Repair.isValid($0) }
        if ok {
            stmt.bind(index, bytes: scratch)
        } else {
            stmt.bind(index, bytes: scratch.withUnsafeBufferPointer { UTF8Repair.repaired($0) })
        }
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

/// Reading the `sink` object of a checkpoint file.
enum SinkState {
    /// Refuses a checkpoint that another kind of sink wrote.
    static func expectType(_ state: [UInt8], _ kind: String) throws(ChainCastError) {
        let found: String? = state.withUnsafeBufferPointer { buf -> String? in
            guard let line = try? JSONLine(buf), let t = line.root["type"], t.kind == .string else { return nil }
            return t.string()
        }
        guard let found else { throw .config("checkpoint file's \"sink\" object has no \"type\"") }
        if found != kind {
            throw .config(
                "checkpoint file was written by the \(found) sink, not the \(kind) sink; use another --checkpoint file")
        }
    }
}
