import CCKit
import Foundation
import Testing

/// The overlong-line message names the limit in the largest unit that
/// divides it exactly. (The limit is checked as the buffer doubles, so it
/// is exact for powers of two, the only limits the commands use.)
struct LineLimitMessageTests {
    @Test(arguments: [
        (512, "512 bytes"), (2048, "2 KiB"), (1 << 20, "1 MiB"), (4 << 20, "4 MiB"),
    ])
    func namesTheLimit(limit: Int, shown: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ll-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("ok\n".utf8 + [UInt8](repeating: 0x61, count: limit + 1)).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fd: fd, bufferSize: 16, name: "big.ndjson")
        #expect(reader.maxLineLength == LineReader.maxLineLengthDefault)
        reader.maxLineLength = limit
        #expect(reader.maxLineLength == limit)
        var seen: [String] = []
        #expect {
            try reader.forEachLine { line, _ in seen.append(String(decoding: line, as: UTF8.self)) }
        } throws: { error in
            (error as? ChainCastError)?.message == "big.ndjson: line 2 is longer than \(shown) (no newline found)"
        }
        #expect(seen == ["ok"])
        #expect(LineReader.maxLineLengthDefault == 256 << 20)
    }

    /// A line of exactly the limit, with its newline, is within it: the
    /// buffer stopped growing one byte short of the "\n" and called it
    /// "longer than 256 MiB (no newline found)".
    @Test(arguments: [512, 4096, 1 << 20])
    func aLineOfExactlyTheLimitIsRead(limit: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ll-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let long = [UInt8](repeating: 0x61, count: limit)
        try Data(long + [0x0A] + Array("ok\n".utf8)).write(to: URL(fileURLWithPath: path))
        let fd = open(path, O_RDONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fd: fd, bufferSize: 16, name: "big.ndjson")
        reader.maxLineLength = limit
        var lengths: [Int] = []
        try reader.forEachLine { line, _ in lengths.append(line.count) }
        #expect(lengths == [limit, 2])
    }
}
