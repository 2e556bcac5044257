import CCJSON

/// What a JSON object on the sink's input is, by the members it has (stream
/// contract v1.1): a decoded event, a raw (undecoded) log, or a plain record
/// (a `cc-filter --map` reshape, an `--agg` row, any other object).
///
/// A decoded event has a `signature`, or `event` or `args` together with the
/// log's identity (`blockHash`, `logIndex`); a raw log has `topics` and none
/// of those; anything else is a plain record. So a reshape that keeps
/// `event` or `args` but not the log's identity is a plain record, while a
/// record with a `signature` but without an event's fields is refused (65)
/// rather than stored as something else.
enum RecordShape {
    case decodedEvent
    case rawLog
    case plain

    /// One walk over the top-level keys, comparing lengths first.
    static func of(_ root: JSONValue) -> RecordShape {
        let t = root.tape
        let entries = t.entries
        var i = root.index &+ 1
        let end = Int(entries[root.index].next)
        var event = false, args = false, blockHash = false, logIndex = false, topics = false
        while i < end {
            let k = entries[i]
            let key = UnsafeBufferPointer(start: t.base + (Int(k.start) &+ 1), count: Int(k.end &- k.start) &- 2)
            switch key.count {
            case 4: if FieldName.equals(key, "args") { args = true }
            case 5: if FieldName.equals(key, "event") { event = true }
            case 6: if FieldName.equals(key, "topics") { topics = true }
            case 8: if FieldName.equals(key, "logIndex") { logIndex = true }
            case 9:
                if FieldName.equals(key, "signature") { return .decodedEvent }
                if FieldName.equals(key, "blockHash") { blockHash = true }
            default: break
            }
            i = Int(entries[i &+ 1].next)
        }
        if (event || args) && blockHash && logIndex { return .decodedEvent }
        if topics && !event && !args { return .rawLog }
        return .plain
    }
}
