import Testing

@testable import CCCore
@testable import CCEthereum

@Suite struct Secp256k1Tests {
    static let key = Hex.decode("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")!
    static let address = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"

    @Test func addressOfPrivateKey() throws {
        #expect(ChecksumAddress.string(try Secp256k1.address(privateKey: Self.key)) == Self.address)
    }

    @Test func signRecoverRoundTrip() throws {
        for i in 0..<20 {
            let hash = Keccak256.hash("message \(i)")
            let sig = try Secp256k1.sign(hash: hash, privateKey: Self.key)
            #expect(sig.count == 65)
            #expect(sig[64] == 27 || sig[64] == 28)
            // low s: s <= n/2
            let s = UInt256(bigEndian: Array(sig[32..<64]))
            let halfN = UInt256(hex: "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")!
            #expect(s <= halfN)
            let recovered = Secp256k1.recoverAddress(hash: hash, signature65: sig)
            #expect(recovered.map { ChecksumAddress.string($0) } == Self.address)
            // v as 0/1 works too
            var sig01 = sig
            sig01[64] -= 27
            #expect(Secp256k1.recoverAddress(hash: hash, signature65: sig01) == recovered)
            // deterministic (RFC 6979)
            #expect(try Secp256k1.sign(hash: hash, privateKey: Self.key) == sig)
        }
    }

    @Test func eip191PersonalSign() throws {
        let hash = EIP191.personalMessageHash(Array("hello".utf8))
        let sig = try Secp256k1.sign(hash: hash, privateKey: Self.key)
        let recovered = try #require(Secp256k1.recoverAddress(hash: hash, signature65: sig))
        #expect(ChecksumAddress.string(recovered) == Self.address)
    }

    // web3.js documentation example: web3.eth.accounts.sign('Some data', key).
    @Test func web3jsSignVector() throws {
        let hash = EIP191.personalMessageHash(Array("Some data".utf8))
        #expect(Hex.encode(hash) == "0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655")
        let sig = try Secp256k1.sign(hash: hash, privateKey: Self.key)
        #expect(
            Hex.encode(sig)
                == "0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"
        )
    }

    @Test func malformedInputsGiveNilOrErrors() throws {
        let hash = Keccak256.hash("x")
        var sig = try Secp256k1.sign(hash: hash, privateKey: Self.key)
        #expect(Secp256k1.recoverAddress(hash: Array(hash[0..<31]), signature65: sig) == nil)
        #expect(Secp256k1.recoverAddress(hash: hash, signature65: Array(sig[0..<64])) == nil)
        sig[64] = 29
        #expect(Secp256k1.recoverAddress(hash: hash, signature65: sig) == nil)
        sig[64] = 4
        #expect(Secp256k1.recoverAddress(hash: hash, signature65: sig) == nil)
        // r = s = 0 is not a valid signature
        var zero = [UInt8](repeating: 0, count: 65)
        zero[64] = 27
        #expect(Secp256k1.recoverAddress(hash: hash, signature65: zero) == nil)
        // r, s >= n
        let ff = [UInt8](repeating: 0xFF, count: 64) + [27]
        #expect(Secp256k1.recoverAddress(hash: hash, signature65: ff) == nil)
        #expect(throws: ChainCastError.self) { try Secp256k1.address(privateKey: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: ChainCastError.self) { try Secp256k1.address(privateKey: [1, 2, 3]) }
        #expect(throws: ChainCastError.self) {
            try Secp256k1.sign(hash: hash, privateKey: [UInt8](repeating: 0xFF, count: 32))
        }
        #expect(throws: ChainCastError.self) { try Secp256k1.sign(hash: [1], privateKey: Self.key) }
    }

    @Test func randomSignaturesNeverCrash() {
        var rng = SeededRandom(seed: 0x5EC)
        for _ in 0..<300 {
            let hash = (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            var sig = (0..<65).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            sig[64] = UInt8(rng.below(30))
            if let a = Secp256k1.recoverAddress(hash: hash, signature65: sig) { #expect(a.count == 20) }
        }
    }
}
