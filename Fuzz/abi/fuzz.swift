// Both ABI parsers (JSON and human-readable) on any bytes: an event list or an
// ABIParseError, never a trap. Every event parsed is written back as a
// human-readable declaration, which must parse to the same event.
import CCABI
import CCCore

func roundTrip(_ events: [ABIEvent]) {
    for e in events where e.indexingKnown && !e.name.isEmpty {
        let text = e.humanReadable
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
