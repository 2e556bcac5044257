import CCCore
import CSecp256k1

/// ECDSA over secp256k1 the way Ethereum uses it: 65-byte r||s||v
/// signatures, addresses as the last 20 bytes of keccak256(public key).
/// Backed by libsecp256k1 (signatures are RFC 6979 deterministic and low-s).
package enum Secp256k1 {
    /// The signer address of a 32-byte `hash` signed as r||s||v, with v
    /// 0/1 or 27/28. Nil for any malformed input or unrecoverable signature.
    package static func recoverAddress(hash: [UInt8], signature65: [UInt8]) -> [UInt8]? {
        guard hash.count == 32, signature65.count == 65 else { return nil }
        let v = signature65[64]
        let recid: Int32
        switch v {
        case 0, 1: recid = Int32(v)
        case 27, 28: recid = Int32(v) - 27
        default: return nil
        }
        let ctx = Secp256k1Context.shared.ctx
        var sig = secp256k1_ecdsa_recoverable_signature()
        let parsed = signature65.withUnsafeBufferPointer {
            secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, $0.baseAddress!, recid)
        }
        guard parsed == 1 else { return nil }
        var pubkey = secp256k1_pubkey()
        let recovered = hash.withUnsafeBufferPointer { secp256k1_ecdsa_recover(ctx, &pubkey, &sig, $0.baseAddress!) }
        guard recovered == 1 else { return nil }
        return address(of: &pubkey, ctx)
    }

    /// Signs a 32-byte hash: 65 bytes r||s||v with v = 27/28 and low s.
    package static func sign(hash: [UInt8], privateKey: [UInt8]) throws -> [UInt8] {
        guard hash.count == 32 else {
            throw ChainCastError.internalError("secp256k1: hash to sign must be 32 bytes, got \(hash.count)")
        }
        let ctx = Secp256k1Context.shared.ctx
        try validate(privateKey, ctx)
        var sig = secp256k1_ecdsa_recoverable_signature()
        let ok = hash.withUnsafeBufferPointer { h in
            privateKey.withUnsafeBufferPointer { k in
                // nil nonce function = RFC 6979, so equal inputs give equal signatures.
                secp256k1_ecdsa_sign_recoverable(ctx, &sig, h.baseAddress!, k.baseAddress!, nil, nil)
            }
        }
        guard ok == 1 else { throw ChainCastError.config("secp256k1: signing failed (invalid private key)") }
        var out = [UInt8](repeating: 0, count: 65)
        var recid: Int32 = 0
        out.withUnsafeMutableBufferPointer { o in
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, o.baseAddress!, &recid, &sig)
        }
        out[64] = UInt8(truncatingIfNeeded: recid) &+ 27
        return out
    }

    /// The 20-byte address of a 32-byte private key.
    package static func address(privateKey: [UInt8]) throws -> [UInt8] {
        let ctx = Secp256k1Context.shared.ctx
        try validate(privateKey, ctx)
        var pubkey = secp256k1_pubkey()
        let ok = privateKey.withUnsafeBufferPointer { secp256k1_ec_pubkey_create(ctx, &pubkey, $0.baseAddress!) }
        guard ok == 1 else { throw ChainCastError.config("secp256k1: invalid private key") }
        return address(of: &pubkey, ctx)
    }

    private static func validate(_ key: [UInt8], _ ctx: OpaquePointer) throws {
        guard key.count == 32 else {
            throw ChainCastError.config("secp256k1: private key must be 32 bytes, got \(key.count)")
        }
        let ok = key.withUnsafeBufferPointer { secp256k1_ec_seckey_verify(ctx, $0.baseAddress!) }
        guard ok == 1 else {
            throw ChainCastError.config("secp256k1: private key is zero or not below the curve order")
        }
    }

    private static func address(of pubkey: inout secp256k1_pubkey, _ ctx: OpaquePointer) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: 65)
        var len = 65
        raw.withUnsafeMutableBufferPointer { o in
            // 2 = SECP256K1_EC_UNCOMPRESSED: 0x04 || X || Y.
            _ = secp256k1_ec_pubkey_serialize(ctx, o.baseAddress!, &len, &pubkey, UInt32(2))
        }
        let hash = raw.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[1..<65])) }
        return Array(hash[12..<32])
    }
}

/// Owns the one libsecp256k1 context the process uses.
///
/// @unchecked Sendable is safe because the context is only written while it
/// is created and randomized in `init` (before it is published through
/// `shared`); afterwards every call takes it as `const secp256k1_context *`,
/// which libsecp256k1 documents as safe to share across threads. The shared
/// instance lives for the whole process, so `deinit` never races a user.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let ctx: OpaquePointer

    private init() {
        // 1 = SECP256K1_CONTEXT_NONE: since 0.2 one context serves signing and verifying.
        guard let c = secp256k1_context_create(UInt32(1)) else {
            // Only fails on out-of-memory or a broken library build.
            fatalError("secp256k1_context_create failed")
        }
        // Blinding against timing and power side channels of signing.
        var rng = SystemRandomNumberGenerator()
        var seed = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 { seed[i] = UInt8.random(in: 0...255, using: &rng) }
        _ = seed.withUnsafeBufferPointer { secp256k1_context_randomize(c, $0.baseAddress!) }
        ctx = c
    }

    deinit { secp256k1_context_destroy(ctx) }
}
