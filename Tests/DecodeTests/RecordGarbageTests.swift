import CCKit
import Testing

@Suite struct RecordGarbageTests {
    /// Every truncation and every single-byte corruption of whole raw-log lines goes
    /// through the record decoder without a crash: each ends decoded, unknown, passed
    /// through, or as an InvalidRecord error.
    @Test func everyTruncationAndCorruptionOfRawLines() throws {
        let registry = EventRegistry(sources: [
            try ABISource.load("erc20"), try ABISource.load("erc721"),
            try ABISource.load(
                "0x00000000000000000000000000000000000000aa=event Ping(uint256 indexed id, string note) anonymous"),
        ])
        let decoder = LogRecordDecoder(registry: registry, keepRaw: true, defaultChainId: 1)
        let lines = [Fixture.usdcTransfer, Fixture.baycTransfer, Fixture.marker, Fixture.unknown, Fixture.wethDeposit]
        var outcomes = [0, 0, 0, 0]
        func feed(_ bytes: [UInt8]) {
            do {
                let o = try bytes.withUnsafeBufferPointer { try decoder.process($0, emit: { _ in }) }
                switch o {
                case .decoded: outcomes[0] += 1
                case .unknown: outcomes[1] += 1
                case .passedThrough, .control: outcomes[2] += 1
                }
            } catch is InvalidRecord {
                outcomes[3] += 1
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
        for line in lines {
            let b = Array(line.utf8)
            for n in 0...b.count { feed(Array(b[0..<n])) }
            var c = b
            for i in 0..<c.count {
                let orig = c[i]
                for v: UInt8 in [0x00, 0x22, 0x2C, 0x30, 0x41, 0x5C, 0x66, 0x7B, 0x7D, 0xFF] where v != orig {
                    c[i] = v
                    feed(c)
                }
                c[i] = orig
            }
        }
        #expect(outcomes[0] > 0 && outcomes[1] > 0 && outcomes[2] > 0 && outcomes[3] > 0)
    }
}
