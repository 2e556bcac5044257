// Both ABI parsers (JSON and human-readable) on any bytes: an event list or an
// ABIParseError, never a trap. Every event parsed is written back as a
// human-readable declaration, which must parse to the same event (when its
// names are identifiers: a JSON ABI may name a parameter "id~", which the
// declaration shows as is, for messages only).
import CCABI
import CCCore

func isIdentifier(_ name: String) -> Bool {
    guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return name.isEmpty }
    return name.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == 0x5F || c == 0x24
    }
}

func namesArePlain(_ t: ABIType) -> Bool {
    switch t {
    case .tuple(let cs): return cs.allSatisfy { isIdentifier($0.name) && namesArePlain($0.type) }
    case .array(let e), .fixedArray(let e, _): return namesArePlain(e)
    default: return true
    }
}

func roundTrip(_ events: [ABIEvent]) {
    for e in events where e.indexingKnown && !e.name.isEmpty {
        guard isIdentifier(e.name), e.inputs.allSatisfy({ isIdentifier($0.name) && namesArePlain($0.type) }) else {
            continue
        }
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
