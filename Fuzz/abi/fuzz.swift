// Both ABI parsers (JSON and human-readable) on any bytes: an event list or an
// ABIParseError, never a trap. Every event parsed is written back as a
// human-readable declaration, which must parse to the same event (when its
// names are identifiers: a JSON ABI may name a parameter "id~", which the
// declaration shows as is, for messages only).
import CCABI
import CCCore

func isPlain(_ text: String) -> Bool {
    text.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F || c == 0x24
            || c == 0x20 || c == 0x28 || c == 0x29 || c == 0x5B || c == 0x5D || c == 0x2C
    }
}

func roundTrip(_ events: [ABIEvent]) {
    for e in events where e.indexingKnown && !e.name.isEmpty {
        let text = e.humanReadable
        guard isPlain(text) else { continue }
        guard let again = try? HumanReadableABI.parseDeclaration(text) else {
            fatalError("fuzz check failed: parsed event does not parse back: \(text)")
        }
        check(again.signature == e.signature, "signature changed through \(text): \(again.signature) vs \(e.signature)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let events = try? JSONABI.parseEvents(bytes) { roundTrip(events) }
    if let events = try? HumanReadableABI.parseEvents(String(decoding: bytes, as: UTF8.self)) { roundTrip(events) }
    if let events = try? ABISource.parse(bytes) {
        roundTrip(events)
        _ = EventRegistry(sources: [ABISource(spec: "fuzz", events: events)])
    }
    return 0
}
