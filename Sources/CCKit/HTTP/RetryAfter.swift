import CCCore

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT` → seconds
/// to wait from `now`. Nil for anything else: a garbled header must not stall
/// the fetch, the regular backoff applies instead.
package func parseRetryAfter(_ raw: String, now: Double) -> Double? {
    let value = raw.trimmingSpaces()
    if value.isEmpty { return nil }
    if value.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) {
        guard let seconds = Double(value), seconds.isFinite, seconds >= 0 else { return nil }
        return seconds
    }
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    let parts = value.split(separator: " ")
    guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let year = Int(parts[3]) else { return nil }
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    guard let month = months.firstIndex(of: String(parts[2])) else { return nil }
    let hms = parts[4].split(separator: ":")
    guard hms.count == 3, let h = Int(hms[0]), let m = Int(hms[1]), let s = Int(hms[2]),
        (1...31).contains(day), (1970...9999).contains(year), h < 24, m < 60, s < 61
    else { return nil }
    let epoch = Double(daysFromCivil(year: year, month: month + 1, day: day)) * 86400 + Double(h * 3600 + m * 60 + s)
    return max(0, epoch - now)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
private func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146097 + doe - 719468
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
