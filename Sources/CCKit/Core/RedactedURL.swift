/// RPC and webhook URLs often carry API keys in their path, query or userinfo.
/// Everything a person can see (errors, logs, metrics) uses this form:
/// `https://eth-mainnet.example.com/…`.
package func redactURL(_ url: String) -> String {
    let chars = Array(url.utf8)
    var start = 0
    var scheme = ""
    if let i = findSubsequence(chars, Array("://".utf8)) {
        scheme = String(decoding: chars[..<(i + 3)], as: UTF8.self)
        start = i + 3
    }
    var end = chars.count
    for j in start..<chars.count
    where chars[j] == UInt8(ascii: "/") || chars[j] == UInt8(ascii: "?") || chars[j] == UInt8(ascii: "#") {
        end = j
        break
    }
    var hadMore = end < chars.count && !(end == chars.count - 1 && chars[end] == UInt8(ascii: "/"))
    var hostStart = start
    if let at = chars[start..<end].lastIndex(of: UInt8(ascii: "@")) {
        hostStart = at + 1
        hadMore = true
    }
    return scheme + String(decoding: chars[hostStart..<end], as: UTF8.self) + (hadMore ? "/…" : "")
}

private func findSubsequence(_ hay: [UInt8], _ needle: [UInt8]) -> Int? {
    guard hay.count >= needle.count else { return nil }
    for i in 0...(hay.count - needle.count) where hay[i..<(i + needle.count)].elementsEqual(needle) {
        return i
    }
    return nil
}
