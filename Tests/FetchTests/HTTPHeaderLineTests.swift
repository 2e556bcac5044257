import Testing

@testable import CCHTTP

@Suite struct HTTPHeaderLineTests {
    func line(_ s: String) -> HTTPHeaderLine {
        Array(s.utf8).withUnsafeBufferPointer { HTTPHeaderLine($0) }
    }

    @Test func parsesFieldsStatusLinesAndTheEnd() {
        #expect(line("Retry-After:  7 \r\n") == .field(name: "retry-after", value: "7"))
        #expect(line("X-Empty:\r\n") == .field(name: "x-empty", value: ""))
        #expect(line("Location: http://a:1/x\r\n") == .field(name: "location", value: "http://a:1/x"))
        #expect(line("HTTP/1.1 100 Continue\r\n") == .statusLine)
        #expect(line("\r\n") == .other)
        #expect(line("garbage") == .other)
    }

    @Test func aNewStatusLineStartsANewHeaderTable() {
        var headers: [String: String] = [:]
        for l in ["HTTP/1.1 302 Found\r\n", "Retry-After: 1\r\n", "HTTP/2 429\r\n", "Content-Type: text/plain\r\n"] {
            line(l).apply(to: &headers)
        }
        #expect(headers == ["content-type": "text/plain"])
    }
}
