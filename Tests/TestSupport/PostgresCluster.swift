import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests: `initdb` in a temporary
/// directory, the server on a random loopback port, stopped and removed when
/// the test process exits. One per test process; each test takes a database
/// of its own (`createDatabase`). PostgreSQL refuses to run as root, so as
/// root the server runs as Debian's `postgres` account through `runuser`.
///
/// TCP connections need the password (`password`, given through
/// PGPASSWORD as a user would), so the tests go through libpq's real
/// authentication; the Unix socket is trusted for the test's own setup.
public final class PostgresCluster: @unchecked Sendable {
    public let port: Int
    public let directory: String
    public let binDirectory: String
    public static let user = "postgres"
    public static let password = "cc-test-pw-7311"

    /// The cluster, or why there is none (the tests then report it as a
    /// failed `#require`, never as a silent pass).
    public static let shared: Result<PostgresCluster, PostgresClusterError> = {
        do { return .success(try PostgresCluster()) } catch let e as PostgresClusterError {
            return .failure(e)
        } catch { return .failure(PostgresClusterError("\(error)")) }
    }()

    public static func require() throws -> PostgresCluster {
        switch shared {
        case .success(let c): return c
        case .failure(let e): throw e
        }
    }

    /// Whether the server programs are here at all: suites are `.enabled(if:)` on it,
    /// so a machine without PostgreSQL reports them skipped, with the reason.
    public static var isInstalled: Bool { findBinDirectory() != nil }

    static func findBinDirectory() -> String? {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted {
            (Int($0) ?? 0) > (Int($1) ?? 0)
        }
        for v in versions where FileManager.default.isExecutableFile(atPath: "\(base)/\(v)/bin/initdb") {
            return "\(base)/\(v)/bin"
        }
        for d in ["/usr/local/bin", "/usr/bin"] where FileManager.default.isExecutableFile(atPath: d + "/initdb") {
            if FileManager.default.isExecutableFile(atPath: d + "/pg_ctl") { return d }
        }
        return nil
    }

    private static var asRoot: Bool { getuid() == 0 }

    /// Runs a server program, as `postgres` when we are root. Spawned and
    /// reaped here rather than through Foundation's `Process`, whose child
    /// monitoring never saw `runuser` exit once `pg_ctl` had left a daemon behind.
    private static func runServerTool(_ path: String, _ args: [String]) throws -> BinaryRun {
        let argv = asRoot ? ["/usr/sbin/runuser", "-u", user, "--", path] + args : [path] + args
        let out = NSTemporaryDirectory() + "cc-pg-out-" + UUID().uuidString
        defer { unlink(out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, &cargs, environ)
        guard rc == 0 else { throw PostgresClusterError("cannot run \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return BinaryRun(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: text, stderr: text)
    }

    private init() throws {
        guard let bin = Self.findBinDirectory() else {
            throw PostgresClusterError(
                "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin): run `make deps`")
        }
        binDirectory = bin
        directory = "/tmp/cc-pg-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let pwfile = directory + "/pw"
        try Data(Self.password.utf8).write(to: URL(fileURLWithPath: pwfile))
        if Self.asRoot {
            let r = try BuiltBinaries.run("/bin/chown", ["-R", Self.user, directory])
            guard r.status == 0 else { throw PostgresClusterError("chown \(directory): \(r.stderr)") }
        }
        let data = directory + "/data"
        let initdb = try Self.runServerTool(
            bin + "/initdb",
            [
                "-D", data, "-U", Self.user, "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + pwfile,
                "--no-sync", "-E", "UTF8", "--locale=C",
            ])
        guard initdb.status == 0 else { throw PostgresClusterError("initdb failed: \(initdb.stderr)") }
        var lastError = ""
        for _ in 0..<5 {
            let p = Int.random(in: 20_000..<60_000)
            let start = try Self.runServerTool(bin + "/pg_ctl", Self.startArguments(directory: directory, port: p))
            if start.status == 0 {
                port = p
                let dir = directory
                let stopTool = bin + "/pg_ctl"
                Self.atExitLock.lock()
                Self.atExit.append {
                    _ = try? PostgresCluster.runServerTool(
                        stopTool, ["-D", dir + "/data", "-m", "immediate", "-w", "stop"])
                    try? FileManager.default.removeItem(atPath: dir)
                }
                if Self.atExit.count == 1 { atexit { for f in PostgresCluster.atExit { f() } } }
                Self.atExitLock.unlock()
                return
            }
            lastError = start.stderr + ((try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? "")
        }
        throw PostgresClusterError("pg_ctl start failed: \(lastError)")
    }

    private static func startArguments(directory: String, port: Int) -> [String] {
        [
            "-D", directory + "/data", "-l", directory + "/log", "-w", "-t", "30", "-o",
            "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                + "-c full_page_writes=off -c max_connections=60",
            "start",
        ]
    }

    /// A cluster of its own, for a test that stops and starts its server
    /// (the shared one serves every other test at the same time).
    public static func makePrivate() throws -> PostgresCluster { try PostgresCluster() }

    /// A shell command that stops the server at once (as a crash or a failover would).
    public var stopCommand: String {
        let argv = ["\(binDirectory)/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"]
        return (getuid() == 0 ? "runuser -u \(Self.user) -- " : "") + argv.joined(separator: " ") + " >/dev/null"
    }

    /// Starts the server again on the same port.
    public func start() throws {
        let r = try Self.runServerTool(binDirectory + "/pg_ctl", Self.startArguments(directory: directory, port: port))
        guard r.status == 0 else { throw PostgresClusterError("pg_ctl start failed: \(r.stderr)") }
    }

    nonisolated(unsafe) private static var atExit: [() -> Void] = []
    private static let atExitLock = NSLock()

    /// A libpq connection string (TCP, so the password from PGPASSWORD is needed).
    public func conninfo(database: String) -> String {
        "host=127.0.0.1 port=\(port) dbname=\(database) user=\(Self.user)"
    }

    /// What a client needs in its environment: the password, as a user gives it.
    public var environment: [String: String] { ["PGPASSWORD": Self.password, "PGCONNECT_TIMEOUT": "5"] }

    /// A new, empty database for one test.
    public func createDatabase(_ label: String = "t") throws -> String {
        let name = "\(label)_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try psql("postgres", "CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL through `psql` (unaligned, tuples only, fields split by `|`),
    /// failing on the first error. Returns the output lines.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> [String] {
        let r = try BuiltBinaries.run(
            "/usr/bin/psql",
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U",
                Self.user, "-d", database, "-c", sql,
            ], environment: environment)
        guard r.status == 0 else { throw PostgresClusterError("psql: \(sql): \(r.stderr)") }
        return r.lines
    }
}

public struct PostgresClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}
