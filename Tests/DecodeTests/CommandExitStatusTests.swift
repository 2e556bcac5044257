import CCTestSupport
import Foundation
import Testing

/// Exit statuses every command shares (chaincast(7), EXIT STATUS), checked on
/// the built binaries: help is 0, a usage error is 64 with argument-parser's
/// message, and a subcommand's help is 0 too.
@Suite struct CommandExitStatusTests {
    @Test(arguments: [
        "cc-decode --help", "cc-fetch --help", "cc-fetch probe --help", "cc-filter --help",
        "cc-sink --help", "cc-sink sqlite --help", "cc-sink file --help", "cc-sink webhook --help",
    ])
    func helpExitsZero(command: String) throws {
        let r = try Shell.run(command)
        #expect(r.status == 0, "\(command): \(r.stderr)")
        #expect(r.stdout.contains("USAGE:"))
    }

    @Test(arguments: [
        "cc-decode --no-such-flag", "cc-fetch --no-such-flag", "cc-filter --no-such-flag", "cc-sink nowhere",
    ])
    func unknownOptionIsAUsageError(command: String) throws {
        let r = try Shell.run(command)
        #expect(r.status == 64, "\(command): \(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: "))
    }
}

/// SIGINT/SIGTERM while a stage waits on an idle pipe: it flushes what it has
/// (the marker it already read) and exits 130/143 (chaincast(7)).
@Suite struct StopSignalTests {
    static let marker = #"{"$cc":"checkpoint","chainId":1,"blockNumber":5,"blockHash":"0x01","filter":"ab"}"#

    @Test(arguments: [
        (["cc-decode", "--abi", "erc20"], SIGINT, Int32(130)),
        (["cc-decode", "--abi", "erc20"], SIGTERM, Int32(143)),
        (["cc-filter", #"event == "Transfer""#], SIGINT, Int32(130)),
        (["cc-filter", #"event == "Transfer""#], SIGTERM, Int32(143)),
    ])
    func stageStopsCleanly(command: [String], signal: Int32, status: Int32) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Shell.binDir + "/" + command[0])
        p.arguments = Array(command.dropFirst())
        let input = Pipe()
        let output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data((Self.marker + "\n").utf8))
        Thread.sleep(forTimeInterval: 0.7)
        kill(p.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(5)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let stillRunning = p.isRunning
        if stillRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(!stillRunning, "the stage did not stop within 5 s")
        #expect(p.terminationStatus == status)
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(PipelineField.strip(out) == Self.marker + "\n")
    }
}
