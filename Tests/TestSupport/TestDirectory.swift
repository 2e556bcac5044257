import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Scratch directories for tests, all inside one directory per test process
/// that is removed when the process exits, so runs do not pile up files in
/// the system's temporary directory. Set `CC_KEEP_TEST_FILES=1` to keep
/// them for looking at a failure.
public enum TestDirectory {
    public static let root: String = {
        let path = NSTemporaryDirectory() + "chaincast-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if ProcessInfo.processInfo.environment["CC_KEEP_TEST_FILES"] == nil {
            atexit { try? FileManager.default.removeItem(atPath: TestDirectory.root) }
        }
        return path
    }()

    /// A new, empty directory whose name starts with `label`.
    public static func make(_ label: String) throws -> String {
        let path = root + "/\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A path in `root` that does not exist yet, for a file a test creates.
    public static func path(_ name: String) -> String { root + "/\(name)-\(UUID().uuidString.prefix(8))" }
}
