import ArgumentParser
import CCKit

struct FileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "file", abstract: "Write events to NDJSON or CSV files.")
    func run() throws { throw ChainCastError.usage("the file sink is not built yet") }
}
