import CCKit
import Foundation
import Testing

/// Cross-checks the scanner against Foundation's JSONSerialization on random
/// JSON-like text: both must accept and reject exactly the same inputs.
/// (The alphabet leaves out what the two deliberately treat differently:
/// invalid UTF-8 and lone surrogate escapes, which we tolerate, and nesting
/// deeper than 512. Two known Foundation leniencies/limits are skipped:
/// it accepts a trailing comma ("[1,]") and rejects exponents too large for
/// a Double, which RFC 8259's grammar allows.)
@Suite struct JSONConformanceTests {
    static func foundationAccepts(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
    }

    static func canonical(_ v: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .fragmentsAllowed])
    }

    static func isKnownDifference(_ text: String) -> Bool {
        let compact = String(
            String.UnicodeScalarView(text.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) }))
        return compact.contains(",]") || compact.contains(",}")
            || text.range(of: "[eE][+-]?[0-9]{3,}", options: .regularExpression) != nil
    }

    @Test func foundationsKnownLeniencyIsNotOurs() {
        #expect(Self.foundationAccepts(Array("[1,]".utf8)))
        #expect(syntaxError("[1,]") != nil)
        #expect(syntaxError("{\"a\":1,}") != nil)
        #expect(syntaxError("1e999") == nil)
    }

    @Test func agreesWithFoundationOnRandomInputs() {
        let pieces: [String] = [
            "{", "}", "[", "]", ":", ",", "\"", "\"a\"", "\"k\":", "0", "1", "-", ".", "e", "E", "+", "12", "0.5",
            "-3e+2", "true", "false", "null", " ", "\t", "\n", "\\", "\\n", "\\u0041", "\\u00", "x", "é", "01", "\r",
        ]
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        var disagreements: [String] = []
        var accepted = 0
        for _ in 0..<30_000 {
            x ^= x << 13
            x ^= x >> 7
            x ^= x << 17
            var text = ""
            for _ in 0..<Int(x % 9 + 1) {
                x ^= x << 13
                x ^= x >> 7
                x ^= x << 17
                text += pieces[Int(x % UInt64(pieces.count))]
            }
            let bytes = Array(text.utf8)
            let ours = syntaxError(bytes) == nil
            if ours { accepted += 1 }
            if ours != Self.foundationAccepts(bytes) && !Self.isKnownDifference(text) { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(accepted > 500)  // the generator produces enough valid documents to mean something
    }

    /// Random valid documents, then one random edit: deleted, inserted or replaced byte.
    @Test func agreesWithFoundationOnMutatedDocuments() {
        var rng = SplitMix(seed: 7)
        let alphabet = Array("{}[]\":,0123456789-+.eEtrufalsn \\/x".utf8)
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            var bytes = Array(randomDocument(&rng, depth: 0).utf8)
            switch rng.next() % 4 {
            case 0 where !bytes.isEmpty: bytes.remove(at: Int(rng.next() % UInt64(bytes.count)))
            case 1:
                bytes.insert(
                    alphabet[Int(rng.next() % UInt64(alphabet.count))], at: Int(rng.next() % UInt64(bytes.count + 1)))
            case 2 where !bytes.isEmpty:
                bytes[Int(rng.next() % UInt64(bytes.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            default: break
            }
            let text = String(decoding: bytes, as: UTF8.self)
            // Invalid UTF-8 (an edit inside "日") is a deliberate difference: we tolerate it.
            if Array(text.utf8) != bytes { continue }
            let ours = syntaxError(bytes) == nil
            if ours != Self.foundationAccepts(bytes) && !Self.isKnownDifference(text) { disagreements.append(text) }
            if ours {
                // What we accept re-serializes to something Foundation reads as the same value.
                let compact = try? withJSON(bytes) { root in
                    var w = JSONWriter()
                    w.value(root)
                    return w.bytes
                }
                let a = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
                let b = compact.flatMap {
                    try? JSONSerialization.jsonObject(with: Data($0), options: [.fragmentsAllowed])
                }
                if let a, let b, Self.canonical(a) != Self.canonical(b) { disagreements.append("round trip: " + text) }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test func agreesWithFoundationOnWhatStringsMean() throws {
        let samples = [
            #""plain""#, #""\u00e9\u65e5\ud83d\ude00""#, #""\"\\\/\b\f\n\r\t""#, #""\u0000x""#, #""日本語""#,
        ]
        for s in samples {
            let theirs = try JSONSerialization.jsonObject(with: Data(s.utf8), options: [.fragmentsAllowed]) as? String
            let ours = try withJSON(s) { $0.string() }
            #expect(ours == theirs, "\(s)")
        }
    }
}

typealias SplitMix = CCKit.SplitMix64

func randomDocument(_ rng: inout SplitMix, depth: Int) -> String {
    let ws = ["", "", "", " ", "\n", "\t"]
    func w(_ rng: inout SplitMix) -> String { ws[Int(rng.next() % UInt64(ws.count))] }
    let choice = depth > 3 ? rng.next() % 5 : rng.next() % 7
    switch choice {
    case 0: return ["0", "-1", "12.5", "1e5", "-0.25E-3", "123456789"][Int(rng.next() % 6)]
    case 1: return ["\"\"", "\"abc\"", "\"a\\\"b\"", "\"\\u00e9\\n\"", "\"日本\""][Int(rng.next() % 5)]
    case 2: return ["true", "false"][Int(rng.next() % 2)]
    case 3: return "null"
    case 4: return "\"0x\(String(rng.next(), radix: 16))\""
    case 5:
        let n = Int(rng.next() % 4)
        let items = (0..<n).map { _ in w(&rng) + randomDocument(&rng, depth: depth + 1) + w(&rng) }
        return "[" + items.joined(separator: ",") + "]"
    default:
        let n = Int(rng.next() % 4)
        let items = (0..<n).map { i in w(&rng) + "\"k\(i)\"" + w(&rng) + ":" + randomDocument(&rng, depth: depth + 1) }
        return "{" + items.joined(separator: ",") + "}"
    }
}
