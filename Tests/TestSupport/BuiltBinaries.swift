import Foundation

/// Where the end-to-end tests find the built commands: `CC_BIN_DIR` (set by
/// `make test`, and by `make bench` for release builds), else `.build/debug`.
public enum BuiltBinaries {
    public static var directory: String {
        if let d = ProcessInfo.processInfo.environment["CC_BIN_DIR"], !d.isEmpty { return d }
        return FixtureNode.repositoryRoot() + "/.build/debug"
    }

    public static func path(_ command: String) -> String { directory + "/" + command }
}
