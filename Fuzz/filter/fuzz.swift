// Filter lexer -> parser -> compiler -> VM. The first byte picks how the
// program is made and used: its text is either the input's first line or
// built from the language's own tokens (so deep, well-formed programs come
// up often), and it becomes a --where predicate, a --map, a --set or a
// --delete, or an aggregation. The other lines are events run through the
// stream, whose output must be JSON lines. Nothing may trap.
import CCCore
import CCJSON
import CCStream

@testable import CCFilter

#if canImport(Glibc)
    import Glibc
#endif

let pieces = [
    "args.value", "args.ids", "args.from", "[", "]", "(", ")", "{", "}", ",", ":", "?", "!", "-", "+", "*", "/", "%",
    "**", "==", "!=", "<", ">=", "&&", "||", "in", "not", "0", "1", "-1", "10**18", "2**511", "2**512", "0xff", "1e3",
    "\"0xAB\"", "\"x\"", "\"\"", "null", "true", "event", "blockNumber", "args[\"odd name\"]", "args.ids[-1]",
    "lower(", "len(", "substr(", "formatUnits(", "parseUnits(", "hex(", "keccak256(", "checksum(", "min(", "max(",
    "matches(", "\"^(a+)+$\"", "\"\\\\w+\"", "ecrecover(", "int(", "str(", "coalesce(", "replace(", "contains(",
    "...", ".", "[0]", "[1:]", "upper(", "startsWith(", "\"a\"", "address", "$cc", "sum(", "count(",
]

let defaultEvents = [
    #"{"chainId":1,"blockNumber":19000000,"logIndex":3,"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","event":"Transfer","args":{"from":"0x28C6c06298d514Db089934071355E5743bf21d60","to":"0xA9D1e08C7793af67e9d92fe308d5697FB81d3E43","value":"10000000000","ids":[1,2,3],"odd name":"aaaaaaaaaaaaaaaaaaaa!"}}"#,
    #"{"$cc":"checkpoint","chainId":1,"blockNumber":19000001,"blockHash":"0xab","filter":"3f9a"}"#,
    #"{"address":"0xa0b8","topics":["0xddf2"],"data":"0x","blockNumber":"0x1"}"#,
]

let devNull = open("/dev/null", O_WRONLY)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var src = ByteSource(UnsafeBufferPointer(start: data, count: size))
    let mode = src.byte()
    var source = ""
    var events: [[UInt8]] = []
    if mode & 1 == 0 {
        var line: [UInt8] = []
        while !src.isEmpty {
            let b = src.byte()
            if b == 0x0A { break }
            line.append(b)
        }
        source = String(decoding: line, as: UTF8.self)
        events = src.rest().split(separator: 0x0A).map(Array.init)
    } else {
        let n = 1 + src.int(64)
        source = (0..<n).map { _ in pieces[src.int(pieces.count)] }.joined(separator: " ")
        events = defaultEvents.map { Array($0.utf8) }
    }
    var program = FilterProgram()
    var plan: AggregationPlan? = nil
    do {
        switch (mode >> 1) & 7 {
        case 0, 1: try program.addPredicate(source, origin: "--where")
        case 2: try program.setMap(source)
        case 3: try program.addSet("args.fuzz=" + source)
        case 4: try program.addSet(source)
        case 5: try program.addDelete(source)
        case 6: plan = try AggregationPlan(groupBy: source, aggregates: "count(),sum(args.value)", window: .end)
        default: plan = try AggregationPlan(groupBy: "event", aggregates: source, window: .end)
        }
    } catch {
        return 0
    }
    var options = FilterStreamOptions()
    options.dropRaw = mode & 16 != 0
    options.skipInvalid = true
    var stream = FilterStream(program: program, aggregation: plan, options: options)
    let output = OutputWriter(fd: devNull)
    for (i, e) in events.enumerated() {
        do {
            try e.withUnsafeBufferPointer {
                try stream.process($0, at: InputLocation(file: nil, line: i + 1), output: output)
            }
        } catch {}
    }
    try? stream.finish(output: output)
    return 0
}
