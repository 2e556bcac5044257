#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Wall-clock time for the `-v` summaries (`… in 1.20 s, 833333 lines/s`).
package struct RateClock: Sendable {
    private let start: Double

    package init() { start = monotonicSeconds() }

    package var elapsed: Double { monotonicSeconds() - start }

    /// `1.20 s, 833333 lines/s`
    package func summary(count: Int, unit: String) -> String {
        let s = max(elapsed, 1e-9)
        let rate = Int((Double(count) / s).rounded())
        let secs = (s * 100).rounded() / 100
        return "\(secs) s, \(rate) \(unit)/s"
    }
}
