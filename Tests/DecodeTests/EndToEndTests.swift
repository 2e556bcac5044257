import CCKit
import CCTestSupport
import Foundation
import Testing

/// Runs the built cc-decode in real shell pipelines.
struct Shell {
    var stdout: String
    var stderr: String
    var status: Int32

    static var binDir: String { BuiltBinaries.directory }

    /// Runs `script` with bash (`set -o pipefail`), `cc-decode` on PATH, `input` in $IN.
    static func run(_ script: String, input: String = "") throws -> Shell {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cc-decode-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inFile = dir.appendingPathComponent("in.ndjson")
        try input.write(to: inFile, atomically: true, encoding: .utf8)
        let r = try BuiltBinaries.shell(script, environment: ["IN": inFile.path, "DIR": dir.path])
        // Markers without their `pipeline` (see `PipelineField`).
        return Shell(stdout: PipelineField.strip(r.stdout), stderr: r.stderr, status: r.status)
    }
}

enum Fixture {
    static let usdcTransfer =
        #"{"address":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x000000000000000000000000a9d1e08c7793af67e9d92fe308d5697fb81d3e43","0x00000000000000000000000028c6c06298d514db089934071355e5743bf21d60"],"data":"0x00000000000000000000000000000000000000000000000000000002540be400","blockNumber":"0x121eac0","transactionHash":"0x5A4BF6970980A9381E6D6C78D96AB278035BBFF58C383FFE96A0A2BBE7B5A7D6","transactionIndex":"0x5","blockHash":"0x7c5a35e9cb3e8ae0e221ab470abae9d446c3a5626ce6689fc777dcffcab52c70","logIndex":"0x1b","removed":false,"blockTimestamp":"0x65a0b2c0"}"#
    static let usdcDecoded =
        #"{"chainId":1,"blockNumber":19000000,"blockHash":"0x7c5a35e9cb3e8ae0e221ab470abae9d446c3a5626ce6689fc777dcffcab52c70","blockTimestamp":1705030336,"transactionHash":"0x5a4bf6970980a9381e6d6c78d96ab278035bbff58c383ffe96a0a2bbe7b5a7d6","transactionIndex":5,"logIndex":27,"address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","removed":false,"event":"Transfer","signature":"Transfer(address,address,uint256)","args":{"from":"0xA9D1e08C7793af67e9d92fe308d5697FB81d3E43","to":"0x28C6c06298d514Db089934071355E5743bf21d60","value":"10000000000"}}"#
    // ERC-721 Transfer: the same topic0 with tokenId indexed (4 topics); quantities as a
    // JSON number and a decimal string; chainId already present.
    static let baycTransfer =
        #"{"chainId":5,"address":"0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d","topics":["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef","0x0000000000000000000000000000000000000000000000000000000000000000","0x00000000000000000000000028c6c06298d514db089934071355e5743bf21d60","0x000000000000000000000000000000000000000000000000000000000000002a"],"data":"0x","blockNumber":19000001,"transactionHash":"0x1111111111111111111111111111111111111111111111111111111111111111","transactionIndex":"0x0","blockHash":"0x2222222222222222222222222222222222222222222222222222222222222222","logIndex":"3","removed":true,"extra":{"ignored":[1,2]}}"#
    static let baycDecoded =
        #"{"chainId":5,"blockNumber":19000001,"blockHash":"0x2222222222222222222222222222222222222222222222222222222222222222","transactionHash":"0x1111111111111111111111111111111111111111111111111111111111111111","transactionIndex":0,"logIndex":3,"address":"0xBC4CA0EdA7647A8aB7C2061c2E118A18a936f13D","removed":true,"event":"Transfer","signature":"Transfer(address,address,uint256)","args":{"from":"0x0000000000000000000000000000000000000000","to":"0x28C6c06298d514Db089934071355E5743bf21d60","tokenId":"42"}}"#
    static let marker = #"{"$cc":"checkpoint","chainId":1,"blockNumber":19000100,"blockHash":"0xab","filter":"3f9a"}"#
    static let unknown =
        #"{"address":"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2","topics":["0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c","0x0000000000000000000000007a250d5630b4cf539739df2c5dacb4c659f2488d"],"data":"0x0000000000000000000000000000000000000000000000000de0b6b3a7640000","blockNumber":"0x1","transactionHash":"0x3333333333333333333333333333333333333333333333333333333333333333","transactionIndex":"0x1","blockHash":"0x4444444444444444444444444444444444444444444444444444444444444444","logIndex":"0x0","removed":false}"#
    static let wethDeposit =
        #"{"chainId":1,"blockNumber":1,"blockHash":"0x4444444444444444444444444444444444444444444444444444444444444444","transactionHash":"0x3333333333333333333333333333333333333333333333333333333333333333","transactionIndex":1,"logIndex":0,"address":"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2","removed":false,"event":"Deposit","signature":"Deposit(address,uint256)","args":{"dst":"0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D","wad":"1000000000000000000"}}"#

    static var stream: String {
        [usdcTransfer, "", baycTransfer, marker, unknown].joined(separator: "\n") + "\n"
    }
}

@Suite struct EndToEndTests {
    @Test func decodesInAPipeAndPassesMarkersAndUnknownLogs() throws {
        let r = try Shell.run(#"cat "$IN" | cc-decode --abi erc20 --abi erc721 --chain-id 1"#, input: Fixture.stream)
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(
            r.stdout.split(separator: "\n", omittingEmptySubsequences: false) == [
                Substring(Fixture.usdcDecoded), Substring(Fixture.baycDecoded),
                Substring(Fixture.marker), Substring(Fixture.unknown), "",
            ])
    }

    @Test func aSecondStageDecodesWhatTheFirstPassedOn() throws {
        let r = try Shell.run(
            #"cc-decode --abi erc20 "$IN" | cc-decode --abi weth --chain-id 1 --unknown drop"#,
            input: Fixture.usdcTransfer + "\n" + Fixture.unknown + "\n")
        #expect(r.status == 0)
        // The USDC line was decoded by stage one (no chainId there: none given) and passes stage two unchanged.
        let first = Fixture.usdcDecoded.replacingOccurrences(of: #""chainId":1,"#, with: "")
        #expect(r.stdout == first + "\n" + Fixture.wethDeposit + "\n")
    }

    /// Stream contract v1.1: an object that is neither a control record, a
    /// log (`topics`, `data`) nor a decoded event is a plain record, which a
    /// stage passes; cc-decode took it for a broken log (65, "missing address").
    @Test func plainRecordsPassUnchanged() throws {
        let plain = [
            #"{"window":{"fromBlock":1,"toBlock":2},"count":3}"#,
            #"{"address":"0x1111111111111111111111111111111111111111","value":"5"}"#,
        ]
        for unknown in ["pass", "drop", "fail"] {
            let r = try Shell.run(
                #"cc-decode --abi erc20 --unknown "# + unknown + #" < "$IN""#,
                input: plain.joined(separator: "\n") + "\n")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == plain.joined(separator: "\n") + "\n")
        }
    }

    @Test func malformedLineStopsWith65NamingTheLine() throws {
        let r = try Shell.run(
            #"cc-decode --abi erc20 < "$IN""#,
            input: Fixture.usdcTransfer + "\n\n{\"address\":1,\"topics\":[],\"data\":\"0x\"}\n")
        #expect(r.status == 65)
        #expect(r.stdout == Fixture.usdcDecoded.replacingOccurrences(of: #""chainId":1,"#, with: "") + "\n")
        #expect(r.stderr == "cc-decode: line 3: \"address\" is not a 20-byte 0x hex string\n")
        let s = try Shell.run(
            #"cc-decode --abi erc20 --skip-invalid -v "$IN" | wc -l"#, input: "nope\n" + Fixture.usdcTransfer)
        #expect(s.status == 0)
        #expect(s.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        #expect(s.stderr.hasPrefix("cc-decode: ") && s.stderr.contains("/in.ndjson line 1: not JSON: "))
        #expect(s.stderr.contains("cc-decode: 2 lines, 1 decoded, 0 unknown, 1 invalid, 0 passed through, "))
    }

    @Test func unknownFailAndDrop() throws {
        let f = try Shell.run(#"cc-decode --abi erc20 --unknown fail "$IN""#, input: Fixture.unknown)
        #expect(f.status == 65)
        #expect(
            f.stderr.contains(
                "line 1: no loaded event matches this log (address 0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2, topic0 0xe1fffcc4923d04b559f4d29a8bfc6cda04eb5b0d3c460751c2402c5c5cc9109c, 2 topics, 32 bytes of data)"
            ))
        let d = try Shell.run(
            #"cc-decode --abi erc20 --unknown drop "$IN""#, input: Fixture.unknown + "\n" + Fixture.marker)
        #expect(d.stdout == Fixture.marker + "\n")
    }

    @Test func badABIFileIs78AndMissingIs66() throws {
        let bad = try Shell.run(
            #"echo '[{"type":"event","name":"X","inputs":[{"type":"uint7"}]}]' > "$DIR/x.json"; cc-decode --abi "$DIR/x.json" < /dev/null"#
        )
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("x.json: entry 0 (event X): unknown type 'uint7'"))
        let missing = try Shell.run(#"cc-decode --abi nope.json < /dev/null"#)
        #expect(missing.status == 66)
        let usage = try Shell.run(#"cc-decode < /dev/null"#)
        #expect(usage.status == 64)
    }

    @Test func closedOutputEndsQuietlyWithZero() throws {
        let many = String(repeating: Fixture.usdcTransfer + "\n", count: 50_000)
        let r = try Shell.run(#"cc-decode --abi erc20 "$IN" | head -n 1"#, input: many)
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.stdout == Fixture.usdcDecoded.replacingOccurrences(of: #""chainId":1,"#, with: "") + "\n")
    }

    @Test func anonymousEventsMatchOnlyThroughAnAddressBinding() throws {
        let log =
            #"{"address":"0x00000000000000000000000000000000000000aa","topics":["0x0000000000000000000000000000000000000000000000000000000000000007"],"data":"0x000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000026869000000000000000000000000000000000000000000000000000000000000","blockNumber":"0x1","transactionHash":null,"transactionIndex":"0x0","blockHash":null,"logIndex":"0x0"}"#
        let decl = "event Ping(uint256 indexed id, string note) anonymous"
        let unbound = try Shell.run(#"cc-decode --abi '\#(decl)' "$IN""#, input: log)
        #expect(unbound.stdout == log + "\n")
        let bound = try Shell.run(
            #"cc-decode --abi '0x00000000000000000000000000000000000000AA=\#(decl)' --keep-raw "$IN""#, input: log)
        #expect(bound.status == 0)
        #expect(
            bound.stdout
                == #"{"blockNumber":1,"blockHash":null,"transactionHash":null,"transactionIndex":0,"logIndex":0,"address":"0x00000000000000000000000000000000000000AA","removed":false,"event":"Ping","signature":"Ping(uint256,string)","args":{"id":"7","note":"hi"},"topics":["0x0000000000000000000000000000000000000000000000000000000000000007"],"data":"0x000000000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000000000000000000000000026869000000000000000000000000000000000000000000000000000000000000"}"#
                + "\n")
    }

    @Test func listAbis() throws {
        let r = try Shell.run("cc-decode --list-abis")
        #expect(r.status == 0)
        #expect(r.stdout.contains("  uniswap-v3-pool  Uniswap V3 pool"))
    }
}
