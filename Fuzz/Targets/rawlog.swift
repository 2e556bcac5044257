/// Raw log -> decoded event. Mode byte 0: the input is a stream line, decoded
/// against the built-in ABIs. Otherwise the input is `declaration \n topics
/// (hex, 64 digits each) \n data (hex)`: any event the human-readable parser
/// accepts, over arbitrary topics and data. Whatever cc-decode writes must be
/// one valid JSON object.
nonisolated(unsafe) private var builtins: LogRecordDecoder?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let rest = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if data[0] & 1 == 0 {
        if builtins == nil {
            let sources = BuiltinABIs.all.compactMap { try? ABISource.load($0.name) }
            builtins = LogRecordDecoder(registry: EventRegistry(sources: sources), keepRaw: data[0] & 2 != 0)
        }
        run(builtins!, rest)
        return 0
    }
    let text = String(decoding: rest, as: UTF8.self)
    let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
    guard parts.count == 3, let events = try? HumanReadableABI.parseEvents(String(parts[0])), !events.isEmpty,
        (try? ArgumentKeys.check(events)) != nil
    else { return 0 }
    let address = "0x00000000000000000000000000000000000000aa"
    let source = ABISource(spec: "fuzz", events: events, address: ABISource.parseAddress(address))
    let decoder = LogRecordDecoder(registry: EventRegistry(sources: [source]), strict: data[0] & 2 != 0)
    var topics: [String] = []
    var t = Substring(parts[1].filter { $0.isHexDigit })
    if let e = events.first, !e.anonymous, e.inputs.allSatisfy({ !$0.type.canonical.isEmpty }) {
        topics.append("\"0x" + Keccak256.hash(e.signature).map { String($0, radix: 16).leftPadded } .joined() + "\"")
    }
    while t.count >= 64 && topics.count < 5 {
        topics.append("\"0x" + t.prefix(64) + "\"")
        t = t.dropFirst(64)
    }
    var hex = parts[2].filter { $0.isHexDigit }
    if hex.count % 2 == 1 { hex.removeLast() }
    let line =
        #"{"address":"\#(address)","topics":[\#(topics.joined(separator: ","))],"data":"0x\#(hex)","#
        + #""blockNumber":"0x1","blockHash":"0x\#(String(repeating: "1", count: 64))","logIndex":"0x0"}"#
    var bytes = Array(line.utf8)
    bytes.withUnsafeMutableBufferPointer { run(decoder, UnsafeBufferPointer($0)) }
    return 0
}

private func run(_ d: LogRecordDecoder, _ line: UnsafeBufferPointer<UInt8>) {
    _ = try? d.process(line) { out in
        precondition(out.last == 10, "output does not end with a newline")
        let body = UnsafeBufferPointer(rebasing: out[0..<(out.count - 1)])
        precondition(!body.contains(10), "output is more than one line")
        guard let parsed = try? JSONLine(body) else { preconditionFailure("output is not JSON") }
        precondition(parsed.root.kind == .object, "output is not an object")
    }
}

extension String {
    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
