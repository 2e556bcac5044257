import CCTestSupport
import Testing

/// Raw logs with fields of the wrong kind, repeated fields, more topics and
/// more data than the decoder's first buffers hold, through cc-decode.
@Suite struct RawLogShapeTests {
    static let topics = [
        "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef",
        "0x000000000000000000000000a9d1e08c7793af67e9d92fe308d5697fb81d3e43",
        "0x00000000000000000000000028c6c06298d514db089934071355e5743bf21d60",
    ]
    static func raw(
        topics: [String] = topics, topicsJSON: String? = nil,
        data: String = "0x" + String(repeating: "0", count: 54) + "02540be400",
        removed: String = "false", extra: String = ""
    ) -> String {
        let t = topicsJSON ?? "[" + topics.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        return "{\"address\":\"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\",\"topics\":\(t),\"data\":\"\(data)\","
            + "\"blockNumber\":\"0x121eac0\",\"logIndex\":\"0x1b\",\"removed\":\(removed)\(extra)}"
    }
    static func decoded(value: String) -> String {
        "{\"blockNumber\":19000000,\"blockHash\":null,\"transactionHash\":null,\"transactionIndex\":null,\"logIndex\":27,"
            + "\"address\":\"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48\",\"removed\":false,\"event\":\"Transfer\","
            + "\"signature\":\"Transfer(address,address,uint256)\",\"args\":{\"from\":\"0xA9D1e08C7793af67e9d92fe308d5697FB81d3E43\","
            + "\"to\":\"0x28C6c06298d514Db089934071355E5743bf21d60\",\"value\":\"\(value)\"}}"
    }

    @Test func wrongKindsAreSkippedRepeatsIgnoredAndBigLogsFit() throws {
        let nineTopics = Self.raw(
            topics: Self.topics + Array(repeating: "0x" + String(repeating: "11", count: 32), count: 6))
        let lines = [
            Self.raw(topicsJSON: "5"), Self.raw(removed: "\"yes\""), Self.raw(removed: "null"),
            // A repeated field: the first one counts.
            Self.raw(extra: ",\"data\":\"0x\""), Self.raw(extra: ",\"topics\":[]"),
            Self.raw(extra: ",\"address\":\"0x00\""),
            Self.raw(data: "0x" + String(repeating: "0", count: 53) + "02540be400"),
            nineTopics,
            Self.raw(data: "0x" + String(repeating: "00", count: 5000)),
        ]
        let r = try BuiltBinaries.run(
            "cc-decode", ["--abi", "erc20", "--skip-invalid", "--unknown", "pass"],
            stdin: lines.joined(separator: "\n") + "\n")
        #expect(r.status == 0)
        #expect(
            r.stderr == """
                cc-decode: line 1: "topics" is not an array (skipped)
                cc-decode: line 2: "removed" is not a boolean (skipped)
                cc-decode: line 7: "data" is not a 0x hex string of whole bytes (skipped)

                """)
        let ok = Self.decoded(value: "10000000000")
        #expect(r.lines == [ok, ok, ok, ok, nineTopics, Self.decoded(value: "0")])
    }
}
