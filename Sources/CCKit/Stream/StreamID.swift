import CCCore
import Crypto

/// The stream's identities (a marker's `filter` and `pipeline`, a shard's
/// filter): the first 8 bytes of SHA-256 of a canonical text, as 16
/// lowercase hex digits. One function, so the three cannot drift apart.
package enum StreamID {
    package static func of(_ text: String) -> String {
        let digest = SHA256.hash(data: Array(text.utf8))
        return Hex.encode(Array(digest.prefix(8)), prefix: false)
    }
}
