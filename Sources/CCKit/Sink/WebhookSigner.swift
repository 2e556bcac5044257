import CCCore
import CCEthereum
import Crypto

/// The signature headers of a webhook batch. HMAC-SHA256 and SHA-256 come
/// from swift-crypto and secp256k1 from libsecp256k1: cryptographic
/// primitives are not something to write ourselves.
package struct WebhookSigner: Sendable {
    let secret: [UInt8]?
    let privateKey: [UInt8]?
    /// EIP-55 address of the signing key, sent as X-Chaincast-Signer.
    package let signer: String?

    package init(secret: [UInt8]?, privateKey: [UInt8]?) throws(ChainCastError) {
        self.secret = secret
        self.privateKey = privateKey
        if let privateKey {
            do {
                signer = ChecksumAddress.string(try Secp256k1.address(privateKey: privateKey))
            } catch {
                throw .config("signing key: \(error)")
            }
        } else {
            signer = nil
        }
    }

    /// Reads the secret and key from the environment or files (never from a
    /// command-line value, which `ps` would show). Files win over variables.
    package static func load(
        secretFile: String?, signingKeyFile: String?, environment: [String: String]
    ) throws(ChainCastError) -> WebhookSigner {
        var secret: [UInt8]?
        if let path = secretFile {
            secret = Array(try readSecretFile(path, what: "--secret-file").utf8)
        } else if let s = environment["CC_WEBHOOK_SECRET"], !s.isEmpty {
            secret = Array(s.utf8)
        }
        if let s = secret, s.isEmpty { throw .config("webhook secret is empty") }
        var keyText: String?
        if let path = signingKeyFile {
            keyText = try readSecretFile(path, what: "--signing-key-file")
        } else if let k = environment["CC_SIGNING_KEY"], !k.isEmpty {
            keyText = k
        }
        var key: [UInt8]?
        if let keyText {
            guard let k = Hex.decode(keyText), k.count == 32 else {
                throw .config("signing key must be 32 bytes of hex (64 hex digits, optional 0x)")
            }
            key = k
        }
        return try WebhookSigner(secret: secret, privateKey: key)
    }

    static func readSecretFile(_ path: String, what: String) throws(ChainCastError) -> String {
        guard let bytes = SmallFile.read(path) else { throw .config("\(what) \(path): cannot read the file") }
        var s = String(decoding: bytes, as: UTF8.self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s.removeLast() }
        return s
    }

    /// `sha256=<hex>` of the raw body, keyed with the secret.
    package func hmacHeader(_ body: [UInt8]) -> String? {
        guard let secret else { return nil }
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: secret))
        return "sha256=" + Hex.encode(Array(mac), prefix: false)
    }

    /// 65-byte r||s||v over the EIP-191 personal message of the body, so
    /// `ethers.verifyMessage(body, sig)` returns the signer.
    package func ethSignature(_ body: [UInt8]) throws(ChainCastError) -> String? {
        guard let privateKey else { return nil }
        do {
            return Hex.encode(try Secp256k1.sign(hash: EIP191.personalMessageHash(body), privateKey: privateKey))
        } catch {
            throw .internalError("signing the webhook body failed: \(error)")
        }
    }

    /// Stable for a batch's content: retries and reruns of the same batch
    /// carry the same key, so receivers can drop duplicates.
    package static func idempotencyKey(_ body: [UInt8]) -> String {
        Hex.encode(Array(SHA256.hash(data: body)), prefix: false)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum SmallFile {
    /// Whole file, up to 1 MiB; nil when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65_536)
        while out.count < 1 << 20 {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return out
    }
}
