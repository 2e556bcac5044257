import CCCore
import CPostgres

#if canImport(Glibc)
    import Glibc
#endif

/// One libpq connection. The connection string is libpq's own (a
/// `postgresql://` URI or `key=value` pairs; what it leaves out comes from
/// the `PG*` environment variables, `~/.pgpass` and service files), so
/// passwords stay where libpq already knows to look for them.
///
/// Errors map to exit statuses by SQLSTATE class: a server that is gone or
/// shutting down, a deadlock or a serialization failure is 75 (rerun), bad
/// credentials are 78, a value the server refuses is 65.
final class PostgresConnection {
    private let conn: OpaquePointer
    /// The SQLSTATE of the last failed statement (`23505`: a unique key taken).
    private(set) var lastErrorState = ""
    /// What names the server in messages: host, port and database, never a password.
    let label: String

    init(conninfo: String) throws(ChainCastError) {
        try Self.refusePasswordInArguments(conninfo)
        guard let c = PQconnectdb(conninfo) else { throw .internalError("libpq could not allocate a connection") }
        conn = c
        label = Self.describe(c)
        if PQstatus(c) != CONNECTION_OK {
            let message = Self.errorText(c)
            // (deinit closes the connection: every property is set by now)
            let lower = message.lowercased()
            if lower.contains("password") || lower.contains("authentication") || lower.contains("role")
                || lower.contains("does not exist") || lower.contains("invalid") || lower.contains("service")
            {
                throw .config("PostgreSQL \(label): \(message)")
            }
            throw .unavailable("PostgreSQL \(label): cannot connect: \(message)")
        }
        // libpq prints server notices to stderr itself ("WARNING: terminating connection ..."):
        // the error that follows says it in one line of ours.
        PQsetNoticeProcessor(c, { _, _ in }, nil)
        // Messages in a fixed form whatever the server's locale, and no NOTICE chatter on stderr.
        try exec("SET client_min_messages = warning")
    }

    deinit { PQfinish(conn) }

    /// A password must come from PGPASSWORD, `~/.pgpass` or a service file:
    /// a command line is visible to every user of the machine (`ps`) and
    /// ends up in shell histories and job logs.
    static func refusePasswordInArguments(_ conninfo: String) throws(ChainCastError) {
        var err: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(conninfo, &err) else {
            let message = err.map { String(cString: $0) } ?? "unparsable"
            if let err { PQfreemem(err) }
            throw .usage("CONNINFO: \(Redactor.process.scrub(message).trimmingSpacesAndNewlines)")
        }
        defer { PQconninfoFree(options) }
        var p = options
        while let keyword = p.pointee.keyword {
            let key = String(cString: keyword)
            if key == "password", let v = p.pointee.val, v.pointee != 0 {
                throw .usage(
                    "CONNINFO contains a password: a command line is visible to every user of the machine; "
                        + "put it in PGPASSWORD, ~/.pgpass (PGPASSFILE) or a service file (PGSERVICE) instead")
            }
            // libpq expands a dbname that is itself a connection string (it holds
            // "=" or is a URI), and so would take a password from inside it.
            if key == "dbname", let v = p.pointee.val {
                let db = String(cString: v)
                if db.contains("=") || db.hasPrefix("postgres://") || db.hasPrefix("postgresql://") {
                    try refusePasswordInArguments(db)
                }
            }
            p += 1
        }
    }

    private static func describe(_ c: OpaquePointer) -> String {
        func s(_ p: UnsafeMutablePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        let host = s(PQhost(c))
        let port = s(PQport(c))
        let db = s(PQdb(c))
        return "\(host.isEmpty ? "localhost" : host)\(port.isEmpty ? "" : ":" + port)/\(db)"
    }

    private static func errorText(_ c: OpaquePointer) -> String {
        let raw = PQerrorMessage(c).map { String(cString: $0) } ?? "unknown error"
        return Redactor.process.scrub(raw).trimmingSpacesAndNewlines
    }

    var isBroken: Bool { PQstatus(conn) != CONNECTION_OK }

    /// Runs one or more statements without parameters.
    func exec(_ sql: String) throws(ChainCastError) {
        let r = PQexec(conn, sql)
        defer { PQclear(r) }
        try check(r, sql)
    }

    /// Runs one statement with text parameters; returns the rows as text (nil: NULL).
    @discardableResult
    func query(_ sql: String, _ params: [String?] = []) throws(ChainCastError) -> [[String?]] {
        var cStrings: [UnsafeMutablePointer<CChar>?] = params.map { $0.flatMap { strdup($0) } }
        defer { for p in cStrings { free(p) } }
        let r = cStrings.withUnsafeMutableBufferPointer { buf -> OpaquePointer? in
            buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: max(buf.count, 1)) { values in
                PQexecParams(conn, sql, Int32(params.count), nil, params.isEmpty ? nil : values, nil, nil, 0)
            }
        }
        defer { PQclear(r) }
        try check(r, sql)
        var rows: [[String?]] = []
        let n = PQntuples(r)
        let m = PQnfields(r)
        for i in 0..<n {
            var row: [String?] = []
            for j in 0..<m {
                row.append(PQgetisnull(r, i, j) == 1 ? nil : String(cString: PQgetvalue(r, i, j)))
            }
            rows.append(row)
        }
        return rows
    }

    /// `COPY … FROM STDIN` of `data`, already in the statement's format.
    func copyIn(_ sql: String, _ data: [UInt8]) throws(ChainCastError) {
        let start = PQexec(conn, sql)
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            try check(start, sql)
            throw .internalError("COPY did not start")
        }
        PQclear(start)
        var offset = 0
        let chunk = 1 << 20
        while offset < data.count {
            let n = min(chunk, data.count - offset)
            let ok = data.withUnsafeBufferPointer { b in
                (b.baseAddress! + offset).withMemoryRebound(to: CChar.self, capacity: n) {
                    PQputCopyData(conn, $0, Int32(n))
                }
            }
            if ok != 1 { break }
            offset += n
        }
        _ = PQputCopyEnd(conn, nil)
        while let r = PQgetResult(conn) {
            defer { PQclear(r) }
            try check(r, "COPY")
        }
    }

    private func check(_ r: OpaquePointer?, _ sql: String) throws(ChainCastError) {
        let status = r.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_IN { return }
        let state = r.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? ""
        lastErrorState = state
        var message = r.flatMap { PQresultErrorMessage($0) }.map { String(cString: $0) } ?? ""
        if message.isEmpty { message = PQerrorMessage(conn).map { String(cString: $0) } ?? "unknown error" }
        message = Redactor.process.scrub(message).trimmingSpacesAndNewlines
        let text = "PostgreSQL \(label): \(message)\(state.isEmpty ? "" : " (SQLSTATE \(state))")"
        if isBroken || state.hasPrefix("08") || state.hasPrefix("57") || state.hasPrefix("53") || state == "40001"
            || state == "40P01" || state == "55P03"
        {
            throw .tempFail(text)
        }
        if state.hasPrefix("22") || state.hasPrefix("23") { throw .data(text) }
        if state.hasPrefix("28") || state.hasPrefix("42") || state.hasPrefix("3F") { throw .config(text) }
        throw .internalError(text)
    }
}

extension String {
    var trimmingSpacesAndNewlines: String {
        var s = Substring(self)
        while let c = s.last, c == " " || c == "\n" || c == "\r" || c == "\t" { s.removeLast() }
        while let c = s.first, c == " " || c == "\n" { s.removeFirst() }
        return String(s)
    }
}
