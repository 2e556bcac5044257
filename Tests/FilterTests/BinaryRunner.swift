import CCTestSupport
import Foundation

/// Runs the built cc-filter binary through real pipes.
struct RunResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

enum BinaryRunner {
    static var binDir: String { BuiltBinaries.directory }

    static var filter: String { binDir + "/cc-filter" }

    static func run(_ args: [String], stdin: String = "", executable: String = filter) throws -> RunResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        // Feed stdin and drain both outputs concurrently so no pipe fills up.
        let data = Data(stdin.utf8)
        let writer = Thread {
            try? inPipe.fileHandleForWriting.write(contentsOf: data)
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        nonisolated(unsafe) var errData = Data()
        let errDone = DispatchSemaphore(value: 0)
        Thread {
            errData = errPipe.fileHandleForReading.readDataToEndOfFile()
            errDone.signal()
        }.start()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        errDone.wait()
        p.waitUntilExit()
        return RunResult(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `sh -c` for pipelines (`| head -1`).
    static func shell(_ script: String) throws -> RunResult {
        try run(["-c", script], executable: "/bin/bash")
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
