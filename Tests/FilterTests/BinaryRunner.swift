import CCTestSupport
import Foundation

typealias RunResult = BinaryRun

/// The built cc-filter (or another command) with real stdin, stdout and stderr.
enum BinaryRunner {
    /// Markers come back without their `pipeline` (see `PipelineField`).
    static func run(_ args: [String], stdin: String = "", executable: String = "cc-filter") throws -> RunResult {
        var r = try BuiltBinaries.run(executable, args, stdin: stdin)
        r.stdout = PipelineField.strip(r.stdout)
        return r
    }

    /// `bash -c` for pipelines (`| head -1`).
    static func shell(_ script: String) throws -> RunResult {
        var r = try BuiltBinaries.run("/bin/bash", ["-c", script])
        r.stdout = PipelineField.strip(r.stdout)
        return r
    }
}

/// Builds decoded events for tests.
func decodedEvent(
    block: Int, log: Int, event: String = "Transfer", value: String = "1000",
    from: String = "0x28C6c06298d514Db089934071355E5743bf21d60",
    to: String = "0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549", timestamp: Int? = nil
) -> String {
    let ts = timestamp.map { ",\"blockTimestamp\":\($0)" } ?? ""
    return "{\"chainId\":1,\"blockNumber\":\(block)\(ts),\"logIndex\":\(log),"
        + "\"address\":\"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48\",\"removed\":false,\"event\":\"\(event)\","
        + "\"args\":{\"from\":\"\(from)\",\"to\":\"\(to)\",\"value\":\"\(value)\"}}"
}

func marker(_ block: Int) -> String {
    "{\"$cc\":\"checkpoint\",\"chainId\":1,\"blockNumber\":\(block),\"blockHash\":\"0xab\",\"filter\":\"3f9a\"}"
}

let rawLog =
    "{\"address\":\"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48\",\"topics\":[\"0xdd\"],\"data\":\"0x\",\"blockNumber\":\"0x1\",\"logIndex\":\"0x0\"}"
