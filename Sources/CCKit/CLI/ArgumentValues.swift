import ArgumentParser

/// A duration option (`500ms`, `2s`, `1.5s`, `10m`, `1h`, or plain seconds),
/// parsed once by argument-parser: a bad value is a usage error (64) naming the
/// option before anything runs, and the help shows the default as written.
package struct DurationArgument: ExpressibleByArgument, Sendable, Equatable {
    package var seconds: Double
    private var text: String

    package init?(argument: String) {
        guard let s = Self.seconds(argument) else { return nil }
        seconds = s
        text = argument
    }

    /// For defaults: `DurationArgument("10s")`.
    package init(_ literal: StaticString) {
        self.init(argument: literal.description)!
    }

    package var defaultValueDescription: String { text }

    package static var defaultCompletionKind: CompletionKind { .default }

    static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let v = Double(text.dropLast(suffix.count)), v >= 0, v.isFinite else { return nil }
            return v * scale
        }
        guard let v = Double(text), v >= 0, v.isFinite else { return nil }
        return v
    }
}

/// A size option: `1000000`, `64K`, `64M`, `1G` (suffixes are powers of 1024).
package struct ByteCountArgument: ExpressibleByArgument, Sendable, Equatable {
    package var bytes: Int
    private var text: String

    package init?(argument: String) {
        let scales: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        var t = argument.uppercased()
        if t.hasSuffix("B") { t.removeLast() }
        var scale = 1
        if let last = t.last, let s = scales[last] {
            scale = s
            t.removeLast()
        }
        guard let n = Int(t), n > 0 else { return nil }
        let (v, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        bytes = v
        text = argument
    }

    package var defaultValueDescription: String { text }
}
