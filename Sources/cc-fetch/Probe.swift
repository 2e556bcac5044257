import ArgumentParser
import CCCLI
import CCCore
import CCFetch
import CCJSON
import Foundation

struct Probe: ChainCastCommand {
    static let toolName = "cc-fetch"
    static let configuration = CommandConfiguration(
        abstract: "Check an endpoint: chain id, client, head, latency, eth_getLogs limits, archive or not.",
        discussion: """
            Finds the largest eth_getLogs block range the endpoint accepts (with a filter that matches \
            nothing, so only the range counts) and the largest number of logs it returns in one answer, \
            and whether it serves old state (archive). Use the numbers for --chunk-size.
            """)

    @OptionGroup(title: "Endpoints") var rpc: RPCOptions

    @Flag(help: "One JSON object instead of text.")
    var json = false

    mutating func run() throws {
        let urls = try rpc.urls()
        let output = OutputWriter(fd: 1)
        for url in urls {
            let node = try NodeFactory(urls: [url], options: rpc).make()
            let report = try ProviderProbe(node: node).run()
            try output.write(json ? report.json(url: redactURL(url)) + "\n" : report.text(url: redactURL(url)))
        }
        try output.flush()
    }
}
