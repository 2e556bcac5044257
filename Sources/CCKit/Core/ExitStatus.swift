/// Exit statuses shared by every command, named as in sysexits.h
/// (see `man 7 chaincast`, EXIT STATUS).
package enum ExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    case usage = 64
    case dataError = 65
    case noInput = 66
    case unavailable = 69
    case software = 70
    case ioError = 74
    case tempFail = 75
    case config = 78
    case interrupted = 130
    case terminated = 143
}
