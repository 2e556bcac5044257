import CCKit
import CCTestSupport
import Foundation
import Testing

/// ABIs that would make `args` objects with duplicate keys are refused (78),
/// and loading many events costs time linear in their number.
@Suite struct HostileABITests {
    @Test(arguments: [
        (
            "event E(uint256 x, uint256 x)",
            #"parameters 0 and 1 would both be "x" in args"#
        ),
        (
            "event E(uint256, uint256 arg0)",
            #"parameters 0 and 1 would both be "arg0" in args"#
        ),
        (
            "event E(uint256 arg1, uint256)",
            #"parameters 0 and 1 would both be "arg1" in args"#
        ),
    ])
    func duplicateArgumentKeysAre78(declaration: String, problem: String) throws {
        let r = try Shell.run(#"cc-decode --abi '\#(declaration)' < /dev/null"#)
        #expect(r.status == 78)
        #expect(r.stdout == "")
        #expect(r.stderr.hasPrefix("cc-decode: --abi '\(declaration)': event E("), "\(r.stderr)")
        #expect(r.stderr.contains(problem), "\(r.stderr)")
    }

    @Test func duplicateTupleComponentsInAJSONABIAre78() throws {
        let abi =
            #"[{"type":"event","name":"T","anonymous":false,"inputs":[{"name":"p","type":"tuple","indexed":false,"#
            + #""components":[{"name":"a","type":"uint8"},{"name":"a","type":"uint16"}]}]}]"#
        let r = try Shell.run(#"printf '%s' '\#(abi)' > "$DIR/t.json"; cc-decode --abi "$DIR/t.json" < /dev/null"#)
        #expect(r.status == 78)
        #expect(r.stderr.contains(#"a tuple has two components named "a"; rename one"#), "\(r.stderr)")
        #expect(r.stderr.hasPrefix("cc-decode: ABI file "))
    }

    @Test func tenThousandAnonymousEventsBoundToOneAddressLoadQuickly() throws {
        let abi = (0..<10_000).map { "event E\($0)(uint256 a\($0), uint\(8 * (1 + $0 % 32)) b) anonymous" }
            .joined(separator: "\n")
        let start = Date()
        let r = try Shell.run(
            #"cat > "$DIR/anon.abi" < "$IN"; cc-decode --abi 0x00000000000000000000000000000000000000aa="$DIR/anon.abi" < /dev/null"#,
            input: abi)
        #expect(r.status == 0, "\(r.stderr)")
        // Quadratic loading took minutes here (debug build); linear takes well under a second.
        #expect(Date().timeIntervalSince(start) < 15)
    }
}
