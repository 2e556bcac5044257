import Testing

@testable import CCCore
@testable import CCEthereum

@Suite struct KeccakTests {
    private func keccak(_ s: String) -> String { Hex.encode(Keccak256.hash(s), prefix: false) }

    private func sha3(_ data: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { d in
            out.withUnsafeMutableBytes { Keccak256.sponge(d, into: $0.baseAddress!, delimiter: 0x06) }
        }
        return Hex.encode(out, prefix: false)
    }

    // Published Keccak-256 (Ethereum) vectors.
    @Test func knownKeccakVectors() {
        #expect(keccak("") == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(keccak("abc") == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        #expect(
            keccak("The quick brown fox jumps over the lazy dog")
                == "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")
        #expect(keccak("hello world") == "47173285a8d7341e5e972fc677286384f802f8ef42a5ec5f03bbfa254cb01fad")
        #expect(
            keccak("Transfer(address,address,uint256)")
                == "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
        #expect(
            keccak("Approval(address,address,uint256)")
                == "8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925")
        #expect(
            keccak("There once was a man from nantucket")
                == "97d16385165d64fe024ea3e453192bcbdd655fa667e2f2d8a3f27dbcc57daa72")
    }

    @Test func allEntryPointsAgree() {
        let data = Array("Transfer(address,address,uint256)".utf8)
        let a = Keccak256.hash(data)
        let b = Keccak256.hash("Transfer(address,address,uint256)")
        var c = [UInt8](repeating: 0, count: 32)
        data.withUnsafeBytes { d in c.withUnsafeMutableBytes { Keccak256.hash(d, into: $0.baseAddress!) } }
        #expect(a == b)
        #expect(a == c)
    }

    // The same sponge with FIPS 202 padding must reproduce SHA3-256 (NIST
    // vectors and Python's hashlib.sha3_256), which checks the permutation and
    // multi-block absorption at every rate boundary.
    @Test func permutationMatchesSHA3Vectors() {
        #expect(sha3([]) == "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a")
        #expect(sha3(Array("abc".utf8)) == "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532")
        #expect(
            sha3([UInt8](repeating: 0xA3, count: 200))
                == "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787")
        #expect(sha3((0..<135).map { UInt8($0) }) == "fded8fd9d6551c601eeb3b7c6bc5e5cfd8aad1d015b7e9aaa9c9b9475231d5e2")
        #expect(sha3((0..<136).map { UInt8($0) }) == "cf3ccff92480a29160c2d38317c430e14749bfee1788106957dfe73f8c4930e5")
        #expect(sha3((0..<137).map { UInt8($0) }) == "ce9d7dc90913ee5d92745019479a5352c6d6279bef18ed07dc0a83ee8084daca")
        #expect(
            sha3((0..<272).map { UInt8(truncatingIfNeeded: $0) })
                == "0b21ec4a8eff6d179e09ba9fe0ab08515b24e0923fbf419f5c30a38e64577db5")
        #expect(
            sha3([UInt8](repeating: 0x61, count: 1_000_000))
                == "5c8875ae474a3634ba4fd55ec85bffd661f32aca75c6d699d0cdcb6c115891c1")
    }

    @Test func unalignedInputGivesSameDigest() {
        let data = (0..<400).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let expected = Keccak256.hash(Array(data[1...]))
        let got = data.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[1...])) }
        #expect(got == expected)
    }
}
