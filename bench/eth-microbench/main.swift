import CCCore
import CCEthereum

// Hand-run microbenchmark of the Ethereum foundation (hex, keccak, EIP-55,
// 256-bit integers); not part of `make bench`, which measures whole commands.
// Times are per-thread CPU time, so a busy machine skews them less.
// Run: swift run -c release eth-microbench
import Glibc

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
func bench(_ name: String, _ n: Int, _ body: () -> UInt64) {
    let t0 = now()
    let sink = body()
    let dt = now() - t0
    print(name, String(Int(dt / Double(n) * 1e9)) + " ns/op", "(\(Int(Double(n)/dt)) op/s) [\(sink & 1)]")
}
var addrs: [[UInt8]] = []
var st: UInt64 = 1
for _ in 0..<4096 {
    var a = [UInt8](repeating: 0, count: 20)
    for i in 0..<20 {
        st = st &* 6364136223846793005 &+ 1442695040888963407
        a[i] = UInt8(truncatingIfNeeded: st >> 56)
    }
    addrs.append(a)
}
let n = 1_000_000
bench("keccak 40B", n) {
    var out = [UInt8](repeating: 0, count: 32)
    var acc: UInt64 = 0
    let data = [UInt8](repeating: 0x61, count: 40)
    data.withUnsafeBytes { d in
        out.withUnsafeMutableBytes { o in
            for _ in 0..<n { Keccak256.hash(d, into: o.baseAddress!); acc &+= UInt64(o[0]) }
        }
    }
    return acc
}
let big = [UInt8](repeating: 0x61, count: 1 << 20)
bench("keccak 1MiB (per MiB)", 50) {
    var acc: UInt64 = 0
    for _ in 0..<50 { acc &+= UInt64(Keccak256.hash(big)[0]) }
    return acc
}
bench("eip55 uncached", n) {
    var out: [UInt8] = []
    out.reserveCapacity(64)
    var acc: UInt64 = 0
    for i in 0..<n {
        out.removeAll(keepingCapacity: true)
        addrs[i & 4095].withUnsafeBufferPointer { ChecksumAddress.append($0, to: &out) }
        acc &+= UInt64(out[5])
    }
    return acc
}
let cache = ChecksumCache()
bench("eip55 cached", n) {
    var out: [UInt8] = []
    out.reserveCapacity(64)
    var acc: UInt64 = 0
    for i in 0..<n {
        out.removeAll(keepingCapacity: true)
        addrs[i & 4095].withUnsafeBufferPointer { cache.append($0, to: &out) }
        acc &+= UInt64(out[5])
    }
    return acc
}
let vals = addrs.map { UInt256(bigEndian: $0 + $0[0..<12]) }
bench("uint256 decimal print (78 digits)", n) {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    var acc: UInt64 = 0
    for i in 0..<n {
        out.removeAll(keepingCapacity: true)
        vals[i & 4095].appendDecimal(to: &out)
        acc &+= UInt64(out.count)
    }
    return acc
}
let small = addrs.map { UInt256(bigEndian: Array($0[0..<9])) }
bench("uint256 decimal print (~21 digits)", n) {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    var acc: UInt64 = 0
    for i in 0..<n {
        out.removeAll(keepingCapacity: true)
        small[i & 4095].appendDecimal(to: &out)
        acc &+= UInt64(out.count)
    }
    return acc
}
let texts = vals.map { Array($0.decimalString.utf8) }
bench("uint256 decimal parse (78 digits)", n) {
    var acc: UInt64 = 0
    for i in 0..<n {
        acc &+= texts[i & 4095].withUnsafeBufferPointer { UInt256(decimal: $0)!.w0 }
    }
    return acc
}
bench("uint256 div 256/128", n) {
    var acc: UInt64 = 0
    for i in 0..<n {
        let a = vals[i & 4095], b = vals[(i + 1) & 4095] >> 128
        acc &+= a.quotientAndRemainder(dividingBy: b).quotient.w0
    }
    return acc
}
bench("uint256 mul", n) {
    var acc: UInt64 = 0
    for i in 0..<n { acc &+= vals[i & 4095].multipliedReportingOverflow(by: vals[(i + 7) & 4095]).partialValue.w0 }
    return acc
}
bench("hex encode 32B", n) {
    var out: [UInt8] = []
    out.reserveCapacity(80)
    var acc: UInt64 = 0
    let w = vals[0].bigEndianBytes
    w.withUnsafeBufferPointer { wb in
        for _ in 0..<n { out.removeAll(keepingCapacity: true); Hex.append(wb, to: &out); acc &+= UInt64(out[3]) }
    }
    return acc
}
let hexText = Array(Hex.encode(vals[0].bigEndianBytes + vals[1].bigEndianBytes).utf8)
bench("hex decode 64B", n) {
    var acc: UInt64 = 0
    var out = [UInt8](repeating: 0, count: 64)
    hexText.withUnsafeBufferPointer { h in
        out.withUnsafeMutableBufferPointer { o in
            for _ in 0..<n { acc &+= UInt64(Hex.decode(h, into: o)!) &+ UInt64(o[1]) }
        }
    }
    return acc
}
let mid = addrs.map { UInt256(bigEndian: Array($0[0..<15])) }
bench("uint256 decimal print (120-bit, 36 digits)", n) {
    var out: [UInt8] = []
    out.reserveCapacity(128)
    var acc: UInt64 = 0
    for i in 0..<n {
        out.removeAll(keepingCapacity: true)
        mid[i & 4095].appendDecimal(to: &out)
        acc &+= UInt64(out.count)
    }
    return acc
}
