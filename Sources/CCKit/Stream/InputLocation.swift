/// Where an input line came from, as messages name it: `line 12`, or `logs.ndjson line 12` with files.
package struct InputLocation: CustomStringConvertible, Sendable {
    package var file: String?
    package var line: Int

    package init(file: String?, line: Int) {
        self.file = file
        self.line = line
    }

    package var description: String { file.map { "\($0) line \(line)" } ?? "line \(line)" }
}
