import CCCore
import CCJSON

// Hand-run microbenchmark of the JSON scanner and writer (not part of `make bench`,
// which measures whole commands). Run: swift run -c release json-microbench [name-prefix]
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)  // CPU time: the machine is shared
    return Double(ts.tv_sec) * 1e9 + Double(ts.tv_nsec)
}

func hex(_ seed: Int, _ digits: Int) -> String {
    var s = ""
    var x = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 | 1
    for _ in 0..<digits {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17
        s.append(Array("0123456789abcdef")[Int(x & 15)])
    }
    return s
}

// 64 distinct raw ERC-20 Transfer logs as eth_getLogs returns them (~620 bytes each).
let lines: [[UInt8]] = (0..<64).map { i in
    let line = """
        {"address":"0x\(hex(i % 7, 40))","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",\
        "0x000000000000000000000000\(hex(i, 40))","0x000000000000000000000000\(hex(i + 1000, 40))"],\
        "data":"0x\(String(repeating: "0", count: 48))\(hex(i + 7, 16))","blockNumber":"0x\(String(19_000_000 + i, radix: 16))",\
        "transactionHash":"0x\(hex(i + 3, 64))","transactionIndex":"0x\(String(i % 200, radix: 16))",\
        "blockHash":"0x\(hex(i / 8, 64))","logIndex":"0x\(String(i, radix: 16))","removed":false}
        """
    return Array(line.utf8)
}
let avg = lines.reduce(0) { $0 + $1.count } / lines.count
let iterations = 2_000_000

let only = CommandLine.arguments.dropFirst().first  // optional: run just the benchmark with this name prefix

func bench(_ name: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> UInt64) rethrows {
    if let only, !name.hasPrefix(only) { return }
    var best = Double.infinity
    var sink: UInt64 = 0
    for _ in 0..<5 {
        let t0 = now()
        for k in 0..<iterations {
            sink &+= try lines[k & 63].withUnsafeBufferPointer { try body($0) }
        }
        best = min(best, (now() - t0) / Double(iterations))
    }
    let mbps = Double(avg) / best * 1e3
    print("\(name): \(String(Int(best * 10) / 10)) ns/line, \(Int(mbps)) MB/s (avg line \(avg) B) [\(sink & 1)]")
}

try bench("scan (validate + tape)") { b in
    let line = try JSONLine(b)
    return UInt64(line.root.count)
}
try bench("scan + read 10 fields") { b in
    let root = try JSONLine(b).root
    var acc: UInt64 = 0
    acc &+= UInt64(root["address"]!.stringContents.count)
    acc &+= UInt64(root["topics"]!.count)
    acc &+= UInt64(root["data"]!.stringContents.count)
    acc &+= root["blockNumber"]!.quantity!
    acc &+= UInt64(root["blockHash"]!.stringContents.count)
    acc &+= UInt64(root["transactionHash"]!.stringContents.count)
    acc &+= root["transactionIndex"]!.quantity!
    acc &+= root["logIndex"]!.quantity!
    acc &+= root["removed"]!.bool! ? 1 : 0
    acc &+= root["chainId"]?.quantity ?? 0
    return acc
}
var w = JSONWriter()
try bench("scan + forEachMember + write compact") { b in
    let root = try JSONLine(b).root
    w.reset()
    w.value(root)
    return UInt64(w.bytes.count)
}
bench("JSONWriter.string(utf8:) of the whole line") { b in
    w.reset()
    w.string(utf8: b)
    return UInt64(w.bytes.count)
}

// What cc-decode writes per ERC-20 Transfer: keys, hex strings, numbers, args.
func writeDecoded(_ b: UnsafeBufferPointer<UInt8>, _ w: inout JSONWriter) -> UInt64 {
    let root = try! JSONLine(b).root
    w.reset()
    w.raw("{")
    w.key("chainId"); w.uint(1)
    w.raw(","); w.key("blockNumber"); w.uint(root["blockNumber"]!.quantity!)
    w.raw(","); w.key("blockHash"); w.stringAlreadyEscaped(root["blockHash"]!.stringContents)
    w.raw(","); w.key("transactionHash"); w.stringAlreadyEscaped(root["transactionHash"]!.stringContents)
    w.raw(","); w.key("transactionIndex"); w.uint(root["transactionIndex"]!.quantity!)
    w.raw(","); w.key("logIndex"); w.uint(root["logIndex"]!.quantity!)
    w.raw(","); w.key("address"); w.string(utf8: root["address"]!.stringContents)
    w.raw(","); w.key("removed"); w.bool(false)
    w.raw(","); w.key("event"); w.string("Transfer")
    w.raw(","); w.key("signature"); w.raw("\"Transfer(address,address,uint256)\"")
    w.raw(",\"args\":{"); w.key("from"); w.string(utf8: root["topics"]![1]!.stringContents)
    w.raw(","); w.key("to"); w.string(utf8: root["topics"]![2]!.stringContents)
    w.raw(","); w.key("value"); w.raw("\""); w.uint(1_000_000); w.raw("\"}}")
    return UInt64(w.bytes.count)
}
@inline(never) func benchWriteDecoded() {
    if let only, !"write decoded event".hasPrefix(only) { return }
    var local = JSONWriter()
    var best = Double.infinity
    var sink: UInt64 = 0
    for _ in 0..<5 {
        let t0 = now()
        for k in 0..<iterations {
            sink &+= lines[k & 63].withUnsafeBufferPointer { writeDecoded($0, &local) }
        }
        best = min(best, (now() - t0) / Double(iterations))
    }
    print("write decoded event (scan + 10 lookups + JSONWriter, writer local): \(Int(best)) ns/line [\(sink & 1)]")
}
benchWriteDecoded()

@inline(never) func benchSmallWrites() {
    if let only, !"writer ops".hasPrefix(only) { return }
    let address = Array("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48".utf8)
    var w = JSONWriter()
    func time(_ name: String, _ op: (inout JSONWriter) -> Void) {
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = now()
            for _ in 0..<100_000 {
                w.reset()
                for _ in 0..<10 { op(&w) }
            }
            best = min(best, (now() - t0) / 1e6)
        }
        print("writer ops: \(name): \(Int(best * 10) / 10) ns/op")
    }
    address.withUnsafeBufferPointer { a in
        time("string(utf8:) 42-byte address") { $0.string(utf8: a) }
        time("stringAlreadyEscaped 42 bytes") { $0.stringAlreadyEscaped(a) }
        time("raw(buffer) 42 bytes") { $0.raw(a) }
    }
    time("key(\"transactionHash\")") { $0.key("transactionHash") }
    time("uint(19000000)") { $0.uint(19_000_000) }
    time("raw(\",\")") { $0.raw(",") }
    time("string(\"Transfer\")") { $0.string("Transfer") }
}
benchSmallWrites()

@inline(never) func benchFixedCost() {
    if let only, !"fixed".hasPrefix(only) { return }
    let tiny = Array("{}".utf8)
    var best = Double.infinity
    var sink = 0
    for _ in 0..<5 {
        let t0 = now()
        for _ in 0..<iterations {
            sink &+= tiny.withUnsafeBufferPointer { b in (try? JSONLine(b))?.root.count ?? 0 }
        }
        best = min(best, (now() - t0) / Double(iterations))
    }
    print("fixed cost per line (scan of \"{}\"): \(Int(best * 10) / 10) ns [\(sink & 1)]")
}
benchFixedCost()

/// LineReader + scan over a 200k-line file (page cache), the way a command reads its input.
@inline(never) func benchFile() throws {
    if let only, !"file".hasPrefix(only) { return }
    let path = "/tmp/cc-json-microbench-\(getpid()).ndjson"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var chunk: [UInt8] = []
    for i in 0..<200_000 {
        chunk += lines[i & 63]
        chunk.append(0x0A)
        if chunk.count > 1 << 20 {
            _ = chunk.withUnsafeBufferPointer { write(fd, $0.baseAddress!, $0.count) }
            chunk.removeAll(keepingCapacity: true)
        }
    }
    _ = chunk.withUnsafeBufferPointer { write(fd, $0.baseAddress!, $0.count) }
    close(fd)
    defer { unlink(path) }
    for mode in ["read only", "read + scan"] {
        var best = Double.infinity
        var sink = 0
        for _ in 0..<5 {
            var reader = try LineReader(path: path)
            let t0 = now()
            try reader.forEachLine { line, _ in
                if mode == "read only" { sink &+= line.count } else { sink &+= try JSONLine(line).root.count }
            }
            best = min(best, (now() - t0) / 200_000)
        }
        print("file, LineReader \(mode): \(Int(best * 10) / 10) ns/line [\(sink & 1)]")
    }
}
try benchFile()
