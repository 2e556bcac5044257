/// Where an input line came from, as messages name it: `line 12`, or `logs.ndjson line 12` with files.
public struct InputLocation: CustomStringConvertible, Sendable {
    public var file: String?
    public var line: Int

    public init(file: String?, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { file.map { "\($0) line \(line)" } ?? "line \(line)" }
}
