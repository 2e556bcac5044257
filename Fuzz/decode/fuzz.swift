// Raw log -> decoded event. The first byte picks the ABI: the built-in ones, or
// a human-readable ABI taken from the input's first line. The second picks the
// log: the rest of the input as a whole line (hostile JSON), or a well-formed
// raw log for one of the ABI's events whose topics and data are the input's
// bytes (hostile ABI payloads). Each ends decoded, unknown, passed through, or
// as InvalidRecord/UnknownEvent; whatever is written must scan as JSON.
import CCABI
import CCCore
import CCEthereum
import CCJSON

let builtinRegistry: EventRegistry = EventRegistry(
    sources: BuiltinABIs.all.compactMap { try? ABISource.load($0.name) })

let hexDigits = Array("0123456789abcdef".utf8)

func hex(_ b: [UInt8]) -> String {
    var s: [UInt8] = Array("0x".utf8)
    for x in b {
        s.append(hexDigits[Int(x >> 4)])
        s.append(hexDigits[Int(x & 15)])
    }
    return String(decoding: s, as: UTF8.self)
}

func run(_ decoder: LogRecordDecoder, _ line: [UInt8]) {
    do {
        _ = try line.withUnsafeBufferPointer { l in
            try decoder.process(l) { out in
                check(out.last == 0x0A, "record without its newline")
                let body = UnsafeBufferPointer(rebasing: out.dropLast())
                do { _ = try JSONLine(body) } catch {
                    fatalError("fuzz check failed: wrote invalid JSON: \(String(decoding: body, as: UTF8.self))")
                }
            }
        }
    } catch is InvalidRecord {
    } catch is UnknownEvent {
    } catch {
        fatalError("fuzz check failed: unexpected error \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var src = ByteSource(UnsafeBufferPointer(start: data, count: size))
    let mode = src.byte()
    let registry: EventRegistry
    if mode & 1 == 0 {
        registry = builtinRegistry
    } else {
        var decl: [UInt8] = []
        while !src.isEmpty {
            let b = src.byte()
            if b == 0x0A { break }
            decl.append(b)
        }
        guard let events = try? ABISource.parse(decl), !events.isEmpty else { return 0 }
        registry = EventRegistry(sources: [ABISource(spec: "fuzz", events: events)])
    }
    let decoder = LogRecordDecoder(
        registry: registry, strict: mode & 2 != 0, unknownPolicy: mode & 4 != 0 ? .fail : .pass,
        keepRaw: mode & 8 != 0, defaultChainId: 1)
    if mode & 16 == 0 {
        run(decoder, Array(src.rest()))
        return 0
    }
    // A well-formed raw log: topic0 of one of the events, then the input's bytes.
    let events = registry.events
    guard !events.isEmpty else { return 0 }
    let event = events[src.int(events.count)]
    var topics: [String] = []
    if !event.anonymous { topics.append(hex(Keccak256.hash(event.signature))) }
    for _ in 0..<src.int(4) { topics.append(hex(src.take(32))) }
    let payload = src.take(Int(src.byte()) * 8 + Int(src.byte()))
    let line =
        #"{"address":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","topics":["#
        + topics.map { "\"\($0)\"" }.joined(separator: ",")
        + #"],"data":""# + hex(payload)
        + #"","blockNumber":"0x121eac0","transactionHash":"0x5a4bf6970980a9381e6d6c78d96ab278035bbff58c383ffe96a0a2bbe7b5a7d6","transactionIndex":"0x5","blockHash":"0x7c5a35e9cb3e8ae0e221ab470abae9d446c3a5626ce6689fc777dcffcab52c70","logIndex":"0x1b","removed":false}"#
    run(decoder, Array(line.utf8))
    return 0
}
