import CCKit
import CCTestSupport
import Foundation
import Testing

@Suite struct CheckpointFileTests {
    let dir: String = try! TestDirectory.make("cc-ckpt")

    @Test func missingFileIsNoCheckpoint() throws {
        #expect(try CheckpointFile(path: dir + "/none.json").read() == nil)
    }

    @Test func roundTripKeepsEveryField() throws {
        let file = CheckpointFile(path: dir + "/ck.json")
        let cp = Checkpoint(
            chainId: 1, blockNumber: 19_000_100, blockHash: "0x" + String(repeating: "ab", count: 32),
            filter: "3f9a00112233", updatedAt: "2026-11-24T12:00:00Z", sink: .sqlite(table: "events"))
        try file.write(cp)
        let text = try String(contentsOfFile: dir + "/ck.json", encoding: .utf8)
        #expect(
            text
                == #"{"version":1,"chainId":1,"blockNumber":19000100,"blockHash":"0x"#
                + String(repeating: "ab", count: 32)
                + #"","filter":"3f9a00112233","updatedAt":"2026-11-24T12:00:00Z","sink":{"type":"sqlite","table":"events"}}"#
                + "\n")
        #expect(try file.read() == cp)
        // No temp file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["ck.json"])
    }

    @Test(arguments: [
        ("", "not a JSON object"),
        ("[1]", "not a JSON object"),
        (
            #"{"version":2,"chainId":1,"blockNumber":1,"blockHash":"0x00","filter":"ab"}"#,
            "unsupported or missing \"version\""
        ),
        (#"{"version":1,"chainId":true,"blockNumber":1,"blockHash":"0x00","filter":"ab"}"#, "\"chainId\" must be"),
        (#"{"version":1,"chainId":1,"blockNumber":1.5,"blockHash":"0x00","filter":"ab"}"#, "\"blockNumber\" must be"),
        (#"{"version":1,"chainId":1,"blockNumber":-3,"blockHash":"0x00","filter":"ab"}"#, "\"blockNumber\" must be"),
        (#"{"version":1,"chainId":1,"blockNumber":3,"blockHash":"0x\"}","filter":"ab"}"#, "\"blockHash\" must be"),
        (#"{"version":1,"chainId":1,"blockNumber":3,"blockHash":"0x00","filter":"ab","sink":[]}"#, "\"sink\" must be"),
    ])
    func corruptFilesAreConfigurationErrors(text: String, message: String) throws {
        let path = dir + "/bad.json"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try CheckpointFile(path: path).read()
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.status == .config)
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.message.hasPrefix("checkpoint \(path): "))
        }
    }

    @Test func chainIdOneIsANumberNotABool() throws {
        let path = dir + "/one.json"
        try #"{"version":1,"chainId":1,"blockNumber":0,"blockHash":"0x00","filter":"ab"}"#.write(
            toFile: path, atomically: false, encoding: .utf8)
        let cp = try #require(try CheckpointFile(path: path).read())
        #expect(cp.chainId == 1 && cp.blockNumber == 0 && cp.sink == .none)
    }

    @Test func hexIsReadInOneCaseAndAnUntypedSinkObjectIsNoState() throws {
        let path = dir + "/case.json"
        let upper = "0x" + String(repeating: "AB", count: 32)
        try
            #"{"version":1,"chainId":1,"blockNumber":7,"blockHash":"\#(upper)","filter":"3F9A","pipeline":"C0DE","sink":{"b":1,"a":[2, 3]}}"#
            .write(toFile: path, atomically: false, encoding: .utf8)
        let cp = try #require(try CheckpointFile(path: path).read())
        #expect(cp.blockHash == upper.lowercased() && cp.filter == "3f9a" && cp.pipeline == "c0de")
        // No "type": no sink wrote it, so there is no state to resume from.
        #expect(cp.sink == .none)
        #expect(
            cp.marker
                == CheckpointMarker(
                    chainId: 1, blockNumber: 7, blockHash: upper.lowercased(), filter: "3f9a", pipeline: "c0de"))
    }

    @Test func writeIntoMissingDirectoryIsAnIOError() {
        do {
            try CheckpointFile(path: dir + "/no/such/dir/ck.json").write(
                Checkpoint(chainId: 1, blockNumber: 1, blockHash: "0x00", filter: "ab"))
            Issue.record("expected an error")
        } catch {
            #expect(error.status == .ioError)
            #expect(error.message.contains("No such file or directory"))
        }
    }

    @Test func markerLineIsTheSpecsRecord() {
        let m = CheckpointMarker(chainId: 1, blockNumber: 19_000_100, blockHash: "0xab", filter: "3f9a")
        #expect(
            m.jsonLine == #"{"$cc":"checkpoint","chainId":1,"blockNumber":19000100,"blockHash":"0xab","filter":"3f9a"}"#
        )
    }
}

@Suite struct RedactedURLTests {
    @Test(arguments: [
        ("https://eth-mainnet.g.alchemy.com/v2/SECRETKEY", "https://eth-mainnet.g.alchemy.com/…"),
        ("https://user:pass@node.example.com:8545", "https://node.example.com:8545/…"),
        ("http://127.0.0.1:8545", "http://127.0.0.1:8545"),
        ("http://127.0.0.1:8545/", "http://127.0.0.1:8545"),
        ("https://rpc.example.com/?apikey=x", "https://rpc.example.com/…"),
        ("https://rpc.example.com?apikey=x", "https://rpc.example.com/…"),
        ("wss://mainnet.infura.io/ws/v3/abc", "wss://mainnet.infura.io/…"),
        ("node.example.com/key", "node.example.com/…"),
    ])
    func hidesPathQueryAndUserinfo(url: String, shown: String) {
        #expect(redactURL(url) == shown)
    }
}

@Suite struct CheckpointMarkerParsingTests {
    func parse(_ text: String) throws -> CheckpointMarker? {
        var bytes = Array(text.utf8)
        return try bytes.withUnsafeMutableBufferPointer { buf in
            let line = try JSONLine(UnsafeBufferPointer(buf))
            return try CheckpointMarker(record: line.root)
        }
    }

    @Test func parsesTheSpecsMarker() throws {
        let m = try parse(
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":19000100,"blockHash":"0xab","filter":"3f9a"}"#)
        #expect(m == CheckpointMarker(chainId: 1, blockNumber: 19_000_100, blockHash: "0xab", filter: "3f9a"))
        #expect(
            m?.jsonLine
                == #"{"$cc":"checkpoint","chainId":1,"blockNumber":19000100,"blockHash":"0xab","filter":"3f9a"}"#)
    }

    @Test func otherRecordsAreNotMarkers() throws {
        #expect(try parse(#"{"$cc":"progress","blockNumber":1}"#) == nil)
        #expect(try parse(#"{"event":"Transfer"}"#) == nil)
    }

    @Test(arguments: [
        #"{"$cc":"checkpoint","blockNumber":1,"blockHash":"0xab","filter":"3f"}"#,
        #"{"$cc":"checkpoint","chainId":1,"blockNumber":"x","blockHash":"0xab","filter":"3f"}"#,
        #"{"$cc":"checkpoint","chainId":1,"blockNumber":1,"blockHash":"zz","filter":"3f"}"#,
        #"{"$cc":"checkpoint","chainId":1,"blockNumber":1,"blockHash":"0xab"}"#,
    ])
    func malformedMarkersAreDataErrors(text: String) {
        #expect(throws: ChainCastError.self) { try parse(text) }
    }
}

@Suite struct CheckpointFileEscapingTests {
    @Test func aReadUpdatedAtWithQuotesAndBackslashesIsWrittenBackAsJSON() throws {
        let dir = try TestDirectory.make("ck-escape")
        let file = CheckpointFile(path: dir + "/ck.json")
        let c = Checkpoint(
            chainId: 1, blockNumber: 5, blockHash: "0xab", filter: "3f9a", updatedAt: #"2026\"-\\11"#,
            sink: .sqlite(table: "events"))
        try file.write(c)
        let back = try file.read()
        #expect(back == c)
    }
}
