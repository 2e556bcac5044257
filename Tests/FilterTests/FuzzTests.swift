import Testing

@testable import CCFilter

/// Random programs built from the language's own tokens: each must either
/// compile or give a compile error, and evaluating it must give a value or a
/// runtime error. Nothing may trap.
@Suite struct FuzzTests {
    static let pieces = [
        "args.value", "args.ids", "[", "]", "(", ")", "{", "}", ",", ":", "?", "!", "-", "+", "*", "/", "%", "**",
        "==", "!=", "<", ">=", "&&", "||", "in", "not", "0", "1", "-1", "10**18", "2**511", "2**512", "0xff", "1e3",
        "\"0xAB\"", "\"x\"", "\"\"", "null", "true", "event", "blockNumber", "args[\"odd name\"]", "args.ids[-1]",
        "lower(", "len(", "substr(", "formatUnits(", "parseUnits(", "hex(", "keccak256(", "checksum(", "min(",
        "matches(", "ecrecover(", "int(", "str(", "coalesce(", "replace(", "contains(", "...", ".", "[0]",
    ]

    @Test func randomProgramsNeverTrap() throws {
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var compiled = 0
        for _ in 0..<20000 {
            let source = (0..<(1 + next(9))).map { _ in Self.pieces[next(Self.pieces.count)] }.joined(separator: " ")
            if (try? FilterCompiler.compile(source)) != nil { compiled += 1 }
            _ = try evalTransfer(source)  // returns "error: …" for both kinds of error
        }
        #expect(compiled > 500)
    }
}
