import CCKit

/// A value for the test-side ABI encoder: independent of the decoder, written
/// straight from the specification, so round trips check the decoder against it.
indirect enum TestValue {
    case word([UInt8])  // uint, int, address, bool, bytesN: the canonical 32-byte word
    case bytes([UInt8])  // bytes and string (UTF-8)
    case list([TestValue])  // T[], T[k], tuples
}

/// Encodes values per the Solidity ABI specification ("Formal Specification of the Encoding").
enum ABITestEncoder {
    static func encode(_ types: [ABIType], _ values: [TestValue]) -> [UInt8] {
        var head: [UInt8] = []
        var tail: [UInt8] = []
        let headSize = types.reduce(0) { $0 + $1.headSize }
        for (t, v) in zip(types, values) {
            if t.isDynamic {
                head += word(UInt64(headSize + tail.count))
                tail += encodeSingle(t, v)
            } else {
                head += encodeSingle(t, v)
            }
        }
        return head + tail
    }

    static func encodeSingle(_ t: ABIType, _ v: TestValue) -> [UInt8] {
        switch (t, v) {
        case (_, .word(let w)): return w
        case (_, .bytes(let b)):
            return word(UInt64(b.count)) + b + [UInt8](repeating: 0, count: (32 - b.count % 32) % 32)
        case (.array(let e), .list(let xs)):
            return word(UInt64(xs.count)) + encode(Array(repeating: e, count: xs.count), xs)
        case (.fixedArray(let e, let k), .list(let xs)):
            return encode(Array(repeating: e, count: k), xs)
        case (.tuple(let cs), .list(let xs)):
            return encode(cs.map(\.type), xs)
        default:
            fatalError("test encoder: \(t) does not fit \(v)")
        }
    }

    static func word(_ v: UInt64) -> [UInt8] {
        var w = [UInt8](repeating: 0, count: 32)
        for i in 0..<8 { w[31 - i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
        return w
    }

    static func hex(_ b: [UInt8]) -> String {
        let d = Array("0123456789abcdef")
        var s = "0x"
        for x in b {
            s.append(d[Int(x >> 4)])
            s.append(d[Int(x & 15)])
        }
        return s
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8.filter { $0 != 0x20 && $0 != 0x0A })
        if chars.count >= 2 && chars[0] == 0x30 && chars[1] == 0x78 { chars.removeFirst(2) }
        var i = 0
        while i + 1 < chars.count {
            out.append(UInt8(String(decoding: chars[i...i + 1], as: UTF8.self), radix: 16)!)
            i += 2
        }
        return out
    }

    /// The JSON cc-decode must write for `v` of type `t` (the stream contract's rules).
    static func expectedJSON(_ t: ABIType, _ v: TestValue) -> String {
        switch (t, v) {
        case (.uint, .word(let w)):
            return "\"" + w.withUnsafeBufferPointer { UInt256(bigEndian: $0) }.decimalString + "\""
        case (.int, .word(let w)):
            return "\"" + Int256(bitPattern: w.withUnsafeBufferPointer { UInt256(bigEndian: $0) }).decimalString + "\""
        case (.address, .word(let w)):
            return "\"" + ChecksumAddress.string(Array(w[12...])) + "\""
        case (.bool, .word(let w)):
            return w[31] == 1 ? "true" : "false"
        case (.fixedBytes(let n), .word(let w)):
            return "\"" + hex(Array(w[0..<n])) + "\""
        case (.bytes, .bytes(let b)):
            return "\"" + hex(b) + "\""
        case (.string, .bytes(let b)):
            return jsonString(String(decoding: b, as: UTF8.self))
        case (.array(let e), .list(let xs)), (.fixedArray(let e, _), .list(let xs)):
            return "[" + xs.map { expectedJSON(e, $0) }.joined(separator: ",") + "]"
        case (.tuple(let cs), .list(let xs)):
            if cs.contains(where: { $0.name.isEmpty }) {
                return "[" + zip(cs, xs).map { expectedJSON($0.type, $1) }.joined(separator: ",") + "]"
            }
            return "{"
                + zip(cs, xs).map { jsonString($0.name) + ":" + expectedJSON($0.type, $1) }
                .joined(separator: ",") + "}"
        default:
            fatalError("expectedJSON: \(t) does not fit \(v)")
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}

typealias SeededRandom = CCKit.SplitMix64

/// Random types over the full grammar and random values of them.
struct RandomABI {
    var rng: SeededRandom

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }

    mutating func name() -> String {
        ["a", "b", "value", "owner", "x_1", "$d", "amount", "data", "id", "Δ"][int(0...8)]
    }

    mutating func type(depth: Int) -> ABIType {
        let choice = depth >= 3 ? int(0...6) : int(0...9)
        switch choice {
        case 0: return .uint(bits: 8 * int(1...32))
        case 1: return .int(bits: 8 * int(1...32))
        case 2: return .address
        case 3: return .bool
        case 4: return .fixedBytes(int(1...32))
        case 5: return .bytes
        case 6: return .string
        case 7: return .array(type(depth: depth + 1))
        case 8: return .fixedArray(type(depth: depth + 1), int(1...3))
        default:
            let named = int(0...2) > 0
            return .tuple(
                (0..<int(1...3)).map { i in
                    ABIComponent(name: named ? name() + "\(i)" : "", type: type(depth: depth + 1))
                })
        }
    }

    mutating func bigWord(bits: Int) -> [UInt8] {
        var w = [UInt8](repeating: 0, count: 32)
        // Mix small, medium and full-width values: decimal formatting has fast paths for each.
        let width = [1, 8, 16, bits / 8, bits / 8][int(0...4)]
        let n = min(width, bits / 8)
        for i in (32 - n)..<32 { w[i] = UInt8.random(in: 0...255, using: &rng) }
        if int(0...9) == 0 { for i in (32 - bits / 8)..<32 { w[i] = 0xFF } }
        return w
    }

    mutating func value(_ t: ABIType) -> TestValue {
        switch t {
        case .uint(let bits): return .word(bigWord(bits: bits))
        case .int(let bits):
            var w = bigWord(bits: bits)
            if Bool.random(using: &rng) {
                // Negative: set the sign bit and extend it through the word.
                let first = 32 - bits / 8
                w[first] |= 0x80
                for i in 0..<first { w[i] = 0xFF }
            } else {
                w[32 - bits / 8] &= 0x7F
            }
            return .word(w)
        case .address:
            var w = [UInt8](repeating: 0, count: 32)
            for i in 12..<32 { w[i] = UInt8.random(in: 0...255, using: &rng) }
            return .word(w)
        case .bool:
            return .word(ABITestEncoder.word(Bool.random(using: &rng) ? 1 : 0))
        case .fixedBytes(let n):
            var w = [UInt8](repeating: 0, count: 32)
            for i in 0..<n { w[i] = UInt8.random(in: 0...255, using: &rng) }
            return .word(w)
        case .bytes:
            return .bytes((0..<int(0...70)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case .string:
            let alphabet = ["a", "Z", "0", " ", "\"", "\\", "é", "漢", "😀", "\n", "\t", "/"]
            return .bytes(Array((0..<int(0...20)).map { _ in alphabet[int(0...11)] }.joined().utf8))
        case .array(let e):
            return .list((0..<int(0...3)).map { _ in value(e) })
        case .fixedArray(let e, let k):
            return .list((0..<k).map { _ in value(e) })
        case .tuple(let cs):
            return .list(cs.map { value($0.type) })
        }
    }
}
