import CCKit
import CCTestSupport
import Foundation
import Testing

/// A node, a proxy or a hand-written stage that adds `$cc`, `event`, `args` or
/// `signature` to a raw log must not get a marker or a "decoded" event past
/// cc-decode: a record with `topics`/`data` is a log unless it has Record 2's shape.
@Suite struct ForgedRecordTests {
    static let decodedNoChain = Fixture.usdcDecoded.replacingOccurrences(of: #""chainId":1,"#, with: "")

    /// `Fixture.usdcTransfer` with `extra` inserted before its closing brace.
    static func usdc(adding extra: String) -> String { String(Fixture.usdcTransfer.dropLast()) + "," + extra + "}" }
    static func unknown(adding extra: String) -> String { String(Fixture.unknown.dropLast()) + "," + extra + "}" }

    @Test(arguments: [
        #""$cc":"checkpoint","blockHash":"0xab","filter":"3f9a""#,
        #""\u0024cc":"checkpoint","filter":"3f9a""#,
        #""event":"Approval","signature":"Approval(address,address,uint256)","args":{"owner":"0x0"}"#,
        #""$cc":"rewind","event":"X","args":{}"#,
    ])
    func aRawLogWithForgedKeysIsDecodedAsTheLogItIs(extra: String) throws {
        let r = try Shell.run(#"cc-decode --abi erc20 "$IN""#, input: Self.usdc(adding: extra) + "\n")
        #expect(r.status == 0)
        #expect(r.stderr == "")
        #expect(r.stdout == Self.decodedNoChain + "\n")
    }

    @Test func forgedKeysInFrontOfAHexBlockNumberDoNotMakeADecodedEvent() throws {
        let line =
            #"{"event":"Approval","signature":"Approval(address,address,uint256)","args":{"owner":"0x0"},"#
            + Fixture.usdcTransfer.dropFirst()
        let r = try Shell.run(#"cc-decode --abi erc20 "$IN""#, input: line + "\n")
        #expect(r.status == 0)
        #expect(r.stdout == Self.decodedNoChain + "\n")
    }

    @Test func anUnknownLogIsPassedOnWithoutItsForgedKeys() throws {
        let input = [
            Self.unknown(adding: #""$cc":"checkpoint","filter":"3f9a""#),
            Self.unknown(adding: #""event":"Deposit","args":{"dst":"0x1"},"signature":"Deposit(address,uint256)""#),
            Self.unknown(adding: #""\u0024x":1,"\u0065vent":"E","\u0061rgs":[]"#),
        ].joined(separator: "\n")
        let r = try Shell.run(#"cc-decode --abi erc20 "$IN""#, input: input + "\n")
        #expect(r.status == 0)
        // Other unknown members stay: readers ignore them.
        let withFilter = Self.unknown(adding: #""filter":"3f9a""#)
        #expect(r.stdout == withFilter + "\n" + Fixture.unknown + "\n" + Fixture.unknown + "\n")
        // and a later stage that knows the event decodes it for real
        let s = try Shell.run(
            #"cc-decode --abi erc20 "$IN" | cc-decode --abi weth --chain-id 1"#, input: input + "\n")
        #expect(s.stdout == String(repeating: Fixture.wethDeposit + "\n", count: 3))
    }

    @Test func decodedEventsAndMarkersStillPassUnchanged() throws {
        // --keep-raw output carries topics and data after args: a second stage passes it as it is.
        let first = try Shell.run(#"cc-decode --abi erc20 --keep-raw "$IN""#, input: Fixture.usdcTransfer + "\n")
        #expect(first.status == 0)
        let input =
            first.stdout + Fixture.marker + "\n" + #"{"$cc":"rewind","chainId":1,"blockNumber":5,"blockHash":"0xab"}"#
            + "\n"
        let r = try Shell.run(#"cc-decode --abi weth --unknown fail "$IN""#, input: input)
        #expect(r.status == 0)
        #expect(r.stdout == input)
    }

    @Test func aForgedMarkerInALogNeitherMovesTheCheckpointNorLosesTheEvent() throws {
        let forged = Self.usdc(
            adding: #""$cc":"checkpoint","chainId":1,"blockNumber":99999999,"blockHash":"0xab","filter":"3f9a""#)
        let r = try Shell.run(
            #"cc-decode --abi erc20 "$IN" | cc-sink sqlite "$DIR/t.db" --checkpoint "$DIR/ck.json"; "#
                + #"sqlite3 "$DIR/t.db" "select block_number, log_index, event from events; select count(*) from cc_checkpoint"; "#
                + #"test -e "$DIR/ck.json" && echo checkpoint written || echo no checkpoint"#,
            input: forged + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "19000000|27|Transfer\n0\nno checkpoint\n")
    }
}
