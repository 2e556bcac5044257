import CCKit
import CCTestSupport
import Foundation
import Testing

/// `--topicN` values and `--arg NAME=VALUE` (issue 11, item 8): encoded into
/// the 32-byte words the node compares, as `cast logs` does.
@Suite struct TopicValueTests {
    static let transfer = "event Transfer(address indexed from, address indexed to, uint256 value)"
    static let address = "0xCBF5a9f6cd1c05650bcd4b7700664452dfebc585"
    static let padded = "0x000000000000000000000000cbf5a9f6cd1c05650bcd4b7700664452dfebc585"

    func words(_ topics: [String?], args: [String] = [], events: [String] = []) throws -> [[String]?] {
        let f = try LogFilter.fromCommandLine(addresses: [], events: events, abis: [], topics: topics, args: args)
        return f.topics.map { $0?.map { $0.hex(byteCount: 32) } }
    }

    @Test func untypedValues() throws {
        let ones = "0x" + String(repeating: "f", count: 64)
        let w = try words([nil, "12,0x0c", "-1", "true"])
        // 12 and 0x0c are one value.
        #expect(w[1] == ["0x" + String(repeating: "0", count: 62) + "0c"])
        #expect(w[2] == [ones])
        #expect(w[3] == ["0x" + String(repeating: "0", count: 63) + "1"])
        #expect(try words([nil, nil, Self.address])[2] == [Self.padded])
        #expect(try words([nil, nil, Self.padded])[2] == [Self.padded])
        #expect(throws: ChainCastError.self) { try words([nil, "hello"]) }
    }

    @Test func namedArgs() throws {
        let w = try words([nil, nil, nil, nil], args: ["to=\(Self.address)"], events: [Self.transfer])
        #expect(w[0] == ["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"])
        #expect(w[1] == nil && w[2] == [Self.padded] && w.count == 3)
        let mixed = "event Note(string indexed tag, int8 indexed level, bytes4 indexed sel, bool indexed ok)"
        let n = try words([nil, nil, nil, nil], args: ["tag=abc", "level=-2", "sel=0x12345678"], events: [mixed])
        // keccak256("abc")
        #expect(n[1] == ["0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"])
        #expect(n[2] == ["0x" + String(repeating: "f", count: 63) + "e"])
        #expect(n[3] == ["0x12345678" + String(repeating: "0", count: 56)])
        #expect(throws: ChainCastError.self) { try words([nil], args: ["level=300"], events: [mixed]) }
        #expect(throws: ChainCastError.self) { try words([nil], args: ["value=1"], events: [Self.transfer]) }
        #expect(throws: ChainCastError.self) {
            try words([nil, nil, Self.padded], args: ["to=\(Self.address)"], events: [Self.transfer])
        }
    }

    @Test("through the binary: an address topic, a named --arg and the padded word fetch the same logs")
    func sameLogs() throws {
        let node = try FixtureNode(["--blocks", "400"])
        defer { node.stop() }
        let base = ["--rpc", node.url, "--from", "0", "--to", "300", "-q"]
        let t0 = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
        let (s1, padded, _) = try FetchProcess.run(base + ["--topic0", t0, "--topic2", Self.padded])
        let (s2, byAddress, _) = try FetchProcess.run(base + ["--topic0", t0, "--topic2", Self.address])
        let (s3, byArg, e3) = try FetchProcess.run(base + ["--event", Self.transfer, "--arg", "to=\(Self.address)"])
        #expect(s1 == 0 && s2 == 0 && s3 == 0, "\(e3)")
        #expect(records(padded).count >= 5)
        #expect(byAddress == padded && byArg == padded)
        let (s4, _, e4) = try FetchProcess.run(
            base + ["--event", "Transfer(address,address,uint256)", "--arg", "to=\(Self.address)"])
        #expect(s4 == 64)
        #expect(e4.hasPrefix("cc-fetch: --arg to: no indexed parameter named to in "))
        // Declared, but not indexed: said so, not "declare it" with the same declaration.
        let (s6, _, e6) = try FetchProcess.run(base + ["--event", Self.transfer, "--arg", "value=5"])
        #expect(s6 == 64)
        #expect(
            e6 == "cc-fetch: --arg value: value is not indexed in \(Self.transfer), so it is in the "
                + "log's data, which eth_getLogs cannot filter; filter it after decoding: cc-filter 'args.value == …'\n"
        )
        let (s5, _, e5) = try FetchProcess.run(base + ["--topic2", "-1"])
        #expect(s5 == 0, "\(e5)")
    }
}

/// One `--arg v=VALUE` for `event E(TYPE indexed v)`: the topic word it
/// becomes, or the exact usage error.
struct TypedArgCase: CustomTestStringConvertible, Sendable {
    var type: String
    var value: String
    /// The 32-byte word as hex, or the usage message.
    var expected: String
    var fails = false
    var testDescription: String { "\(type) \(value)" }
}

private func zeros(_ n: Int) -> String { String(repeating: "0", count: n) }

let typedArgCases: [TypedArgCase] = [
    TypedArgCase(
        type: "address", value: "0x12",
        expected: "--arg v='0x12': expected an address (0x + 40 hex digits) (v is address)",
        fails: true),
    TypedArgCase(type: "bool", value: "TRUE", expected: "0x" + zeros(63) + "1"),
    TypedArgCase(type: "bool", value: "1", expected: "0x" + zeros(63) + "1"),
    TypedArgCase(type: "bool", value: "false", expected: "0x" + zeros(64)),
    TypedArgCase(type: "bool", value: "0", expected: "0x" + zeros(64)),
    TypedArgCase(
        type: "bool", value: "yes", expected: "--arg v='yes': expected true or false (v is bool)", fails: true),
    TypedArgCase(type: "uint8", value: "255", expected: "0x" + zeros(62) + "ff"),
    TypedArgCase(type: "uint8", value: "0xff", expected: "0x" + zeros(62) + "ff"),
    TypedArgCase(
        type: "uint8", value: "0x100", expected: "--arg v='0x100': expected an integer that fits uint8 (v is uint8)",
        fails: true),
    TypedArgCase(
        type: "uint8", value: "-1", expected: "--arg v='-1': expected an integer that fits uint8 (v is uint8)",
        fails: true),
    TypedArgCase(
        type: "uint256", value: "0x" + String(repeating: "f", count: 64),
        expected: "0x" + String(repeating: "f", count: 64)),
    TypedArgCase(type: "int16", value: "-32768", expected: "0x" + String(repeating: "f", count: 60) + "8000"),
    TypedArgCase(type: "int16", value: "32767", expected: "0x" + zeros(60) + "7fff"),
    TypedArgCase(
        type: "int16", value: "-32769", expected: "--arg v='-32769': expected an integer that fits int16 (v is int16)",
        fails: true),
    TypedArgCase(type: "int256", value: "-0", expected: "0x" + zeros(64)),
    TypedArgCase(
        type: "int256",
        value: "-57896044618658097711785492504343953926634992332820282019728792003956564819968",
        expected: "0x8" + zeros(63)),
    TypedArgCase(
        type: "int256",
        value: "-57896044618658097711785492504343953926634992332820282019728792003956564819969",
        expected:
            "--arg v='-57896044618658097711785492504343953926634992332820282019728792003956564819969': expected an integer that fits int256 (v is int256)",
        fails: true),
    TypedArgCase(
        type: "bytes2", value: "0x12", expected: "--arg v='0x12': expected 0x + 4 hex digits (v is bytes2)",
        fails: true),
    // keccak256(0x1234)
    TypedArgCase(
        type: "bytes", value: "0x1234", expected: "0x56570de287d73cd1cb6092bb8fdee6173974955fdef345ae579ee9f475ea7432"),
    TypedArgCase(
        type: "bytes", value: "1234", expected: "--arg v='1234': expected 0x hex bytes (v is bytes)", fails: true),
    TypedArgCase(
        type: "uint256[]", value: "0x" + String(repeating: "ab", count: 32),
        expected: "0x" + String(repeating: "ab", count: 32)),
    TypedArgCase(
        type: "uint256[]", value: "0xab",
        expected:
            "--arg v='0xab': expected its 32-byte topic hash (0x + 64 hex digits) for a uint256[] (v is uint256[])",
        fails: true),
]

@Suite struct TypedArgTests {
    @Test(arguments: typedArgCases)
    func typedArg(_ c: TypedArgCase) throws {
        let build = {
            try LogFilter.fromCommandLine(
                addresses: [], events: ["event E(\(c.type) indexed v)"], abis: [], topics: [], args: ["v=\(c.value)"])
        }
        if c.fails {
            let error = #expect(throws: ChainCastError.self) { try build() }
            #expect(error?.message == c.expected)
            #expect(error?.status == .usage)
        } else {
            let f = try build()
            #expect(f.topics.count == 2)
            #expect(f.topics[1]?.map { $0.hex(byteCount: 32) } == [c.expected])
        }
    }
}

@Suite struct FilterCommandLineTests {
    @Test(
        arguments: [
            (
                ["event A(uint256 indexed a) anonymous"], [String?](), [String](),
                "--event 'event A(uint256 indexed a) anonymous': an anonymous event has no topic0 to filter on"
            ),
            (["function f(uint256 a)"], [], [], "--event 'function f(uint256 a)': not an event signature"),
            ([], [nil, ","], [], "--topic1: empty"),
            (
                [], [], ["x=1"],
                "--arg x: no indexed parameter named x in any --event; declare it, e.g. --event 'event Transfer(address indexed from, address indexed to, uint256 value)'"
            ),
        ] as [([String], [String?], [String], String)])
    func refusals(_ events: [String], _ topics: [String?], _ args: [String], _ message: String) {
        let e = #expect(throws: ChainCastError.self) {
            try LogFilter.fromCommandLine(addresses: [], events: events, abis: [], topics: topics, args: args)
        }
        #expect(e?.message == message)
        #expect(e?.status == .usage)
    }

    @Test func wildcardsAndManyAddresses() throws {
        let f = try LogFilter.fromCommandLine(addresses: [], events: [], abis: [], topics: [nil, "*", "0x01"])
        #expect(f.topics.count == 3 && f.topics[1] == nil)
        // More than eight addresses: looked up by binary search in the sorted list.
        let many = (1...12).map { Word32(0, 0, 0, UInt64($0 * 3)) }
        let g = LogFilter(addresses: many.reversed())
        #expect(many.allSatisfy { g.matchesAddress($0) })
        #expect(!g.matchesAddress(Word32(0, 0, 0, 4)))
        #expect(!g.matchesAddress(Word32(0, 0, 0, 1)))
        #expect(!g.matchesAddress(Word32(0, 0, 0, 100)))
    }
}
