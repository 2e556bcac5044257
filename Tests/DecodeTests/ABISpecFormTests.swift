import CCABI
import CCCore
import Foundation
import Testing

@testable import CCABI

/// `--abi SPEC` forms: address bindings, inline declarations (which names
/// count as one), and files that declare nothing or are not text.
struct ABISpecFormTests {
    static func load(_ spec: String) -> String {
        do throws(ChainCastError) {
            let s = try ABISource.load(spec)
            return (s.address.map { "@" + Hex.encode($0) + " " } ?? "")
                + s.events.map(\.signature).joined(separator: ";")
        } catch {
            return "\(error.status.rawValue): \(error.message)"
        }
    }

    @Test(arguments: [
        (
            "0XA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48=event A(uint8 a)",
            "@0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48 A(uint8)"
        ),
        ("0xA0b8=event A(uint8 a)", "78: --abi 0xA0b8=event A(uint8 a): '0xA0b8' is not a 20-byte hex address"),
        ("constructor();", "78: --abi 'constructor();': declares no event"),
        ("_f(uint8)", "_f(uint8)"), ("$f(uint8)", "$f(uint8)"), ("f1(uint8);", "f1(uint8)"),
        (
            "event A(uint8 a, uint8 a)",
            "78: --abi 'event A(uint8 a, uint8 a)': event A(uint8 a, uint8 a): parameters 0 and 1 would both be \"a\" in args (an unnamed parameter is argN, N its position); rename one"
        ),
    ])
    func inlineSpecs(spec: String, expected: String) {
        #expect(Self.load(spec) == expected)
    }

    /// Names that cannot be an event's are read as file names.
    @Test(arguments: ["1f(uint8)", "f-g(uint8)", "é(uint8)", "f(uint8"])
    func otherNamesAreFiles(spec: String) {
        #expect(Self.load(spec).hasPrefix("66: --abi \(spec): no such file, and not a built-in ABI name"))
    }

    @Test(arguments: [
        (
            [UInt8]("function f()\nerror E()\n".utf8),
            "78: ABI file %: declares no event (only functions, errors or nothing)"
        ),
        ([0x65, 0xFF], "78: ABI file %: not UTF-8 text"),
        ([0xEF, 0xBB, 0xBF] + [UInt8]("  event A(uint8 a)\n".utf8), "A(uint8)"),
        ([0xEF, 0xBB, 0xBF] + [UInt8]("[{\"type\":\"event\",\"name\":\"B\",\"inputs\":[]}]".utf8), "B()"),
    ])
    func files(bytes: [UInt8], expected: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("abi-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(Self.load(path) == expected.replacingOccurrences(of: "%", with: path))
    }
}
