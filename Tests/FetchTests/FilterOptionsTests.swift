import CCKit
import CCTestSupport
import Foundation
import Testing

/// cc-fetch's filter options beyond --address/--event: --abi (and an ABI
/// bound to an address), --address @FILE, --topic0 together with --event or
/// --abi, and the usage errors of --topicN, --arg and --event.
@Suite("cc-fetch filter options")
struct FilterOptionsTests {
    static let transfer = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    static let approval = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"

    /// A raw log line's address and topic0.
    static func addressAndTopic0(_ line: String) throws -> (String, String?) {
        let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return ((o["address"] as? String) ?? "", (o["topics"] as? [String])?.first)
    }

    @Test("--abi selects its events' topic0s, 0xADDR=SOURCE adds the address, --address @FILE reads a list")
    func abiAndAddressFile() throws {
        let node = try FixtureNode(["--blocks", "1500"])
        let all = try oracleLines(url: node.url, from: 0, to: 1499)
        let addresses = Array(Set(try all.map { try Self.addressAndTopic0($0).0 })).sorted()
        #expect(addresses.count >= 3)
        let dir = try TestDirectory.make("filter-options")
        try "# two of the node's tokens\n\(addresses[0]), \(addresses[1])  # trailing comment\n\n".write(
            toFile: dir + "/addresses.txt", atomically: true, encoding: .utf8)

        var (status, out, err) = try FetchProcess.run(
            [
                "--rpc", node.url, "--from", "0", "--to", "1499", "--address", "@" + dir + "/addresses.txt", "--abi",
                "erc20",
            ])
        #expect(status == 0, "\(err)")
        var want = try all.filter {
            let (a, t) = try Self.addressAndTopic0($0)
            return (a == addresses[0] || a == addresses[1]) && (t == Self.transfer || t == Self.approval)
        }
        #expect(!want.isEmpty)
        #expect(records(out) == want)

        // An ABI bound to an address filters on that address; --topic0 narrows its events to Approval.
        (status, out, err) = try FetchProcess.run(
            [
                "--rpc", node.url, "--from", "0", "--to", "1499", "--abi", addresses[2] + "=erc20", "--topic0",
                Self.approval + ",0x" + String(repeating: "ab", count: 32),
            ])
        #expect(status == 0, "\(err)")
        want = try all.filter { try Self.addressAndTopic0($0) == (addresses[2], Self.approval) }
        #expect(!want.isEmpty)
        #expect(records(out) == want)
    }

    @Test("bad filter options stop before any request: one line naming the option, 64 (66 for a missing list file)")
    func filterOptionErrors() throws {
        let dir = try TestDirectory.make("filter-errors")
        try #"[{"type":"event","name":"A","anonymous":true,"inputs":[]}]"#.write(
            toFile: dir + "/anon.json", atomically: true, encoding: .utf8)
        let base = ["--rpc", "http://127.0.0.1:1/", "--from", "0", "--to", "9"]
        let transfer = "event Transfer(address indexed from, address indexed to, uint256 value)"
        let cases: [([String], Int32, String)] = [
            (
                ["--topic1", "null,0x01"], 64,
                "cc-fetch: --topic1 'null,0x01': null means any value and cannot be part of a list\n"
            ),
            (
                ["--topic0", "0x" + String(repeating: "00", count: 32), "--event", transfer], 64,
                "cc-fetch: --topic0 and --event/--abi together select no event: they have no topic0 in common\n"
            ),
            (
                ["--event", transfer, "--arg", "to"], 64,
                "cc-fetch: --arg 'to': expected NAME=VALUE, e.g. --arg to=0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B\n"
            ),
            (
                [
                    "--event", "event A(address indexed who)", "--event",
                    "event B(uint256 indexed n, address indexed who)",
                    "--arg", "who=0x0000000000000000000000000000000000000001",
                ], 64,
                "cc-fetch: --arg who: the --event declarations put it at different topics\n"
            ),
            (
                ["--address", "@" + dir + "/missing.txt"], 66,
                "cc-fetch: --address @\(dir)/missing.txt: no such file\n"
            ),
            (
                ["--abi", dir + "/anon.json"], 78,
                "cc-fetch: --abi \(dir)/anon.json: only anonymous events, no topic0 to filter on\n"
            ),
        ]
        for (args, status, message) in cases {
            let (s, out, err) = try FetchProcess.run(base + args)
            #expect(s == status, "\(args): \(err)")
            #expect(err == message, "\(args)")
            #expect(out.isEmpty)
        }
        // A declaration that does not parse names itself and what is wrong.
        let (s, _, err) = try FetchProcess.run(base + ["--event", "Transfer(address"])
        #expect(s == 64)
        #expect(err.hasPrefix("cc-fetch: --event 'Transfer(address': "), "\(err)")
        #expect(err.split(separator: "\n").count == 1)
    }
}
