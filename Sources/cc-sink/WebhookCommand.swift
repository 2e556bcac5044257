import ArgumentParser
import CCKit

struct WebhookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "webhook", abstract: "POST batches of events to a URL.")
    func run() throws { throw ChainCastError.usage("the webhook sink is not built yet") }
}
