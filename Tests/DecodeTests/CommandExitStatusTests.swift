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

    @Test(arguments: ["cc-decode --no-such-flag", "cc-fetch --no-such-flag", "cc-filter --no-such-flag", "cc-sink nowhere"])
    func unknownOptionIsAUsageError(command: String) throws {
        let r = try Shell.run(command)
        #expect(r.status == 64, "\(command): \(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: "))
    }
}
