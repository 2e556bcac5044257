import CCKit
import Testing

/// Control records as stages read them: the exact refusal for each malformed
/// field (bad input, 65), and nil for records of another kind.
@Suite struct ControlRecordParsingTests {
    func parse<T>(_ text: String, _ make: (JSONValue) throws(ChainCastError) -> T?) -> Result<T?, ChainCastError> {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { b in
            let line = try! JSONLine(UnsafeBufferPointer(b))
            do throws(ChainCastError) { return .success(try make(line.root)) } catch { return .failure(error) }
        }
    }

    static let h = "0x" + String(repeating: "ab", count: 32)

    @Test(arguments: [
        (#"{"$cc":"checkpoint"}"#, #"rewind? no"#),
        (#"{"$cc":"rewind","blockNumber":1,"blockHash":"\#(h)"}"#, #"rewind record without a numeric "chainId""#),
        (#"{"$cc":"rewind","chainId":1,"blockHash":"\#(h)"}"#, #"rewind record without a numeric "blockNumber""#),
        (
            #"{"$cc":"rewind","chainId":1,"blockNumber":2,"blockHash":"0xzz"}"#,
            #"rewind record without a hex "blockHash""#
        ),
        (#"{"$cc":"rewind","chainId":1,"blockNumber":2,"blockHash":7}"#, #"rewind record without a hex "blockHash""#),
        (#"{"$cc":"rewind","chainId":"0x1","blockNumber":2,"blockHash":"\#(h)"}"#, "rewind 1 2"),
    ])
    func rewinds(_ text: String, _ expected: String) {
        switch parse(text, { v throws(ChainCastError) in try RewindRecord(record: v) }) {
        case .success(let r): #expect((r.map { "rewind \($0.chainId) \($0.blockNumber)" } ?? "rewind? no") == expected)
        case .failure(let e):
            #expect(e.message == expected)
            #expect(e.status == .dataError)
        }
    }

    @Test(arguments: [
        (#"{"$cc":"rewind"}"#, "marker? no"),
        (#"{"$cc":"checkpoint","blockNumber":1}"#, #"checkpoint marker without a numeric "chainId""#),
        (#"{"$cc":"checkpoint","chainId":1}"#, #"checkpoint marker without a numeric "blockNumber""#),
        (
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":2,"blockHash":""}"#,
            #"checkpoint marker without a hex "blockHash""#
        ),
        (
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":2,"blockHash":"0x\#(String(repeating: "a", count: 65))"}"#,
            #"checkpoint marker without a hex "blockHash""#
        ),
        (
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":2,"blockHash":"\#(h)","filter":"0x"}"#,
            #"checkpoint marker without a hex "filter""#
        ),
        (
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":2,"blockHash":"\#(h)","filter":"0a","pipeline":5}"#,
            #"checkpoint marker with a "pipeline" that is not hex"#
        ),
        (
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":2,"blockHash":"\#(h.uppercased().replacingOccurrences(of: "0X", with: "0x"))","filter":"0A","pipeline":"BEEF"}"#,
            #"{"$cc":"checkpoint","chainId":1,"blockNumber":2,"blockHash":"\#(h)","filter":"0a","pipeline":"beef"}"#
        ),
    ])
    func markers(_ text: String, _ expected: String) {
        switch parse(text, { v throws(ChainCastError) in try CheckpointMarker(record: v) }) {
        case .success(let m): #expect((m?.jsonLine ?? "marker? no") == expected)
        case .failure(let e):
            #expect(e.message == expected)
            #expect(e.status == .dataError)
        }
    }
}
