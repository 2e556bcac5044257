import CCABI
import CCCore
import CCEthereum

/// Topic filter values as people write them (`--topicN`, `--arg NAME=VALUE`),
/// encoded as the 32-byte word the node compares, the way `cast logs` does.
enum TopicValue {
    /// A value without a type (`--topicN`): a 32-byte word (0x + 64 hex), an
    /// address (0x + 40 hex, left-padded), `true`/`false`, a decimal integer
    /// (negative as int256 two's complement), or shorter 0x hex as a number.
    static func untyped(_ s: String) -> Word32? {
        let lower = s.lowercased()
        if lower == "true" { return Word32(0, 0, 0, 1) }
        if lower == "false" { return Word32(0, 0, 0, 0) }
        if let w = Word32(hex: s, byteCount: 32) { return w }
        if let w = Word32(hex: s, byteCount: 20) { return w }
        if lower.hasPrefix("0x") {
            guard s.count > 2, s.count <= 66, let v = UInt256(hex: s) else { return nil }
            return word(v)
        }
        return integer(s, signed: true)
    }

    /// A value for an indexed parameter of `type` (`--arg`): nil with the
    /// reason when it does not fit.
    static func typed(_ s: String, _ type: ABIType) -> Result<Word32, Problem> {
        switch type {
        case .address:
            guard let w = Word32(hex: s, byteCount: 20) else {
                return .failure(Problem("an address (0x + 40 hex digits)"))
            }
            return .success(w)
        case .bool:
            switch s.lowercased() {
            case "true", "1": return .success(Word32(0, 0, 0, 1))
            case "false", "0": return .success(Word32(0, 0, 0, 0))
            default: return .failure(Problem("true or false"))
            }
        case .uint(let bits), .int(let bits):
            let signed = { if case .int = type { return true } else { return false } }()
            let w = s.lowercased().hasPrefix("0x") ? UInt256(hex: s).map(word) : integer(s, signed: signed)
            guard let w, fits(w, bits: bits, signed: signed) else {
                return .failure(Problem("an integer that fits \(type.canonical)"))
            }
            return .success(w)
        case .fixedBytes(let n):
            // bytesN is left-aligned in its word.
            guard let bytes = Hex.decode(s), s.lowercased().hasPrefix("0x"), bytes.count == n else {
                return .failure(Problem("0x + \(2 * n) hex digits"))
            }
            return .success(Word32(bytes: bytes + [UInt8](repeating: 0, count: 32 - n)))
        case .string:
            // An indexed string's topic is the Keccak-256 of its bytes.
            return .success(Word32(bytes: Keccak256.hash(Array(s.utf8))))
        case .bytes:
            guard let bytes = Hex.decode(s), s.lowercased().hasPrefix("0x") else {
                return .failure(Problem("0x hex bytes"))
            }
            return .success(Word32(bytes: Keccak256.hash(bytes)))
        default:
            // Arrays and tuples: the topic is the hash of their encoding; take the hash itself.
            guard let w = Word32(hex: s, byteCount: 32) else {
                return .failure(Problem("its 32-byte topic hash (0x + 64 hex digits) for a \(type.canonical)"))
            }
            return .success(w)
        }
    }

    struct Problem: Error {
        var expected: String
        init(_ expected: String) { self.expected = expected }
    }

    private static func word(_ v: UInt256) -> Word32 { Word32(v.w3, v.w2, v.w1, v.w0) }

    /// Decimal (underscores allowed), `-` for a two's complement negative.
    private static func integer(_ s: String, signed: Bool) -> Word32? {
        var t = s.replacingOccurrences(of: "_", with: "")
        var negative = false
        if t.hasPrefix("-") {
            guard signed else { return nil }
            negative = true
            t.removeFirst()
        }
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = UInt256(decimal: t) else {
            return nil
        }
        if !negative { return word(v) }
        // int256 range: -2^255 … -1.
        if v > UInt256(w0: 0, w1: 0, w2: 0, w3: 1 << 63) || v.isZero { return v.isZero ? word(v) : nil }
        return word(UInt256(w0: 0, w1: 0, w2: 0, w3: 0) &- v)
    }

    /// Whether the word is a valid `uintN`/`intN` value (sign-extended for intN).
    private static func fits(_ w: Word32, bits: Int, signed: Bool) -> Bool {
        if bits >= 256 { return true }
        let v = UInt256(w0: w.w3, w1: w.w2, w2: w.w1, w3: w.w0)
        if !signed { return v.leadingZeroBitCount >= 256 - bits }
        let negative = w.w0 >> 63 == 1
        // Every bit above bit (bits-1) equals the sign bit.
        let top = negative ? UInt256(w0: 0, w1: 0, w2: 0, w3: 0) &- v &- UInt256(1) : v
        return top.leadingZeroBitCount >= 256 - bits + 1
    }
}
