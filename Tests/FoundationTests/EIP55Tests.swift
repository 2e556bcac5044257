import Testing

@testable import CCCore
@testable import CCEthereum

@Suite struct EIP55Tests {
    // The test vectors listed in EIP-55 itself.
    static let vectors = [
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
        "0xde709f2102306220921060314715629080e2fb77",
        "0x27b1fdb04752bbc536007a920d24acb045561c26",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]

    @Test(arguments: vectors) func checksumsEIPVectors(_ expected: String) throws {
        let bytes = try #require(Hex.decode(expected))
        #expect(ChecksumAddress.string(bytes) == expected)
        #expect(bytes.withUnsafeBufferPointer { ChecksumAddress.string($0) } == expected)
        #expect(ChecksumAddress.isValid(expected))
        #expect(ChecksumAddress.isChecksummed(expected))
        let cache = ChecksumCache(capacity: 16)
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { cache.append($0, to: &out) }
        bytes.withUnsafeBufferPointer { cache.append($0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == expected + expected)
        #expect(cache.hits == 1 && cache.misses == 1)
    }

    @Test func usdcAddress() {
        let bytes = Hex.decode("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")!
        #expect(ChecksumAddress.string(bytes) == "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48")
    }

    @Test func validation() {
        #expect(ChecksumAddress.isValid("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"))  // no checksum: accepted
        #expect(ChecksumAddress.isValid("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED"))
        #expect(!ChecksumAddress.isChecksummed("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"))
        #expect(!ChecksumAddress.isValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"))  // one case flipped
        #expect(!ChecksumAddress.isValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"))
        #expect(!ChecksumAddress.isValid("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00"))
        #expect(!ChecksumAddress.isValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"))
        #expect(!ChecksumAddress.isValid(""))
    }

    @Test func otherLengthsGivePlainHex() {
        #expect(ChecksumAddress.string([0xAB, 0xCD]) == "0xabcd")
        let cache = ChecksumCache()
        var out: [UInt8] = []
        [UInt8]().withUnsafeBufferPointer { cache.append($0, to: &out) }
        #expect(out == Array("0x".utf8))
    }

    /// A tiny cache under heavy churn must keep returning correct text.
    @Test func cacheEvictsCorrectly() {
        let cache = ChecksumCache(capacity: 16)
        var state: UInt64 = 42
        var addresses: [[UInt8]] = []
        for _ in 0..<200 {
            var a = [UInt8](repeating: 0, count: 20)
            for i in 0..<20 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                a[i] = UInt8(truncatingIfNeeded: state >> 56)
            }
            addresses.append(a)
        }
        for round in 0..<3 {
            for a in addresses {
                var out: [UInt8] = []
                a.withUnsafeBufferPointer { cache.append($0, to: &out) }
                #expect(String(decoding: out, as: UTF8.self) == ChecksumAddress.string(a), "round \(round)")
            }
        }
    }
}
