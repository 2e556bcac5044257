/// The JSON types a scanned value can have.
package enum JSONKind: UInt8, Sendable {
    case object, array, string, number, bool, null
}

/// Why a line is not valid JSON, and where: `offset` is the 0-based byte
/// offset into the line, and `message` already names the 1-based column
/// ("expected ',' or '}' after object member at column 57"), so a command can
/// print `line 12: <message>` as is.
package struct JSONSyntaxError: Error, CustomStringConvertible, Sendable {
    package var offset: Int
    package var message: String

    package init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    /// Builds "<what> at column <offset + 1>".
    init(_ what: String, at offset: Int) {
        self.offset = offset
        self.message = "\(what) at column \(offset + 1)"
    }

    package var description: String { message }
}

/// How an unexpected byte is shown in an error: printable ASCII as 'x', the rest as 0xNN.
func describeByte(_ b: UInt8) -> String {
    if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
    let digits: [Character] = Array("0123456789ABCDEF")
    return "byte 0x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
}
