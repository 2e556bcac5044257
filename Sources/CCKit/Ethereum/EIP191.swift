/// EIP-191 version 0x45 ("personal_sign") message hashing.
package enum EIP191 {
    /// keccak256("\u{19}Ethereum Signed Message:\n" + decimal byte length + message).
    package static func personalMessageHash(_ message: [UInt8]) -> [UInt8] {
        var data = Array("\u{19}Ethereum Signed Message:\n".utf8)
        UInt256.appendDecimal(UInt64(message.count), to: &data)
        data.append(contentsOf: message)
        return Keccak256.hash(data)
    }
}
