import CSQLite

/// The `decimal` collation: orders text holding decimal integers ("-5",
/// "1000000000000000000", 78-digit uint256 values) by numeric value.
///
/// Per-event tables declare their wide-integer columns `TEXT COLLATE
/// decimal`, so the exact value stays the stored text while `value >= 1e18`,
/// `ORDER BY value`, `GROUP BY`, `min` and `max` compare numbers. The name
/// and order match the collation of SQLite's decimal extension (built into
/// the `sqlite3` shell since 3.31): the shell answers those queries right,
/// and a client without it (Python's sqlite3) stops with "no such collation
/// sequence: decimal" instead of comparing text, until it registers one.
/// SQLite needs it here for `CREATE`/`ALTER TABLE` with that collation.
enum DecimalCollation {
    static let name = "decimal"

    static func register(_ db: OpaquePointer) {
        sqlite3_create_collation_v2(db, name, SQLITE_UTF8, nil, compareC, nil)
    }

    private static let compareC:
        @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeRawPointer?, Int32, UnsafeRawPointer?) -> Int32 = {
            _, n1, p1, n2, p2 in
            let a = UnsafeBufferPointer(start: p1?.assumingMemoryBound(to: UInt8.self), count: Int(max(n1, 0)))
            let b = UnsafeBufferPointer(start: p2?.assumingMemoryBound(to: UInt8.self), count: Int(max(n2, 0)))
            return DecimalCollation.compare(a, b)
        }

    /// Numeric order of two integers written in decimal (optional sign,
    /// leading zeros allowed, surrounding spaces ignored); text that is not
    /// such an integer sorts after every number, bytewise among itself.
    static func compare(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int32 {
        let x = Parsed(a)
        let y = Parsed(b)
        switch (x.isNumber, y.isNumber) {
        case (false, false): return bytewise(a, b)
        case (true, false): return -1
        case (false, true): return 1
        case (true, true): break
        }
        if x.negative != y.negative { return x.negative ? -1 : 1 }
        let magnitude = compareMagnitude(a, x, b, y)
        return x.negative ? -magnitude : magnitude
    }

    private struct Parsed {
        var negative = false
        /// The digits without leading zeros: `start..<end` of the text.
        var start = 0
        var end = 0
        var isNumber = false

        init(_ t: UnsafeBufferPointer<UInt8>) {
            var i = 0
            var e = t.count
            while i < e, t[i] == 0x20 { i += 1 }
            while e > i, t[e - 1] == 0x20 { e -= 1 }
            if i < e, t[i] == UInt8(ascii: "-") || t[i] == UInt8(ascii: "+") {
                negative = t[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < e else { return }
            for j in i..<e where t[j] &- UInt8(ascii: "0") > 9 { return }
            while i < e - 1, t[i] == UInt8(ascii: "0") { i += 1 }
            start = i
            end = e
            isNumber = true
            // -0 is 0.
            if end - start == 1 && t[start] == UInt8(ascii: "0") { negative = false }
        }
    }

    private static func compareMagnitude(
        _ a: UnsafeBufferPointer<UInt8>, _ x: Parsed, _ b: UnsafeBufferPointer<UInt8>, _ y: Parsed
    ) -> Int32 {
        let la = x.end - x.start
        let lb = y.end - y.start
        if la != lb { return la < lb ? -1 : 1 }
        for k in 0..<la {
            let ca = a[x.start + k]
            let cb = b[y.start + k]
            if ca != cb { return ca < cb ? -1 : 1 }
        }
        return 0
    }

    private static func bytewise(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Int32 {
        let n = min(a.count, b.count)
        for k in 0..<n where a[k] != b[k] { return a[k] < b[k] ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
