/// What is wrong with an ABI source, in words a person can act on.
/// `ABISource` adds the file name and turns it into exit status 78.
package struct ABIParseError: Error, Equatable, CustomStringConvertible, Sendable {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// Limits that keep a hostile ABI file from making type handling recurse without bound.
enum ABILimits {
    static let maxDepth = 32
    static let maxFixedArrayLength = 1 << 16
}
