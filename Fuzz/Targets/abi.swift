/// Both ABI parsers (JSON ABI, artifacts, Etherscan answers; human-readable
/// declarations): refuse or accept, never crash; what is accepted gets a
/// signature, a topic count and a decoding plan.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let events = try? ABISource.parse(bytes) {
        for e in events {
            _ = e.signature
            _ = e.humanReadable
            _ = EventPlan(e, topic0: Keccak256.hash(e.signature))
            // The human-readable form of a parsed event parses back to the same signature.
            if let back = try? HumanReadableABI.parseDeclaration(e.humanReadable) {
                precondition(back.signature == e.signature, "\(e.humanReadable) reparses as \(back.signature)")
            }
        }
        _ = EventRegistry(sources: [ABISource(spec: "fuzz", events: events)])
    }
    return 0
}
