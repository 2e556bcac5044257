import Testing
@testable import CCFilter

struct ZZProbe {
    @Test func probe() throws {
        let srcs = (try? String(contentsOfFile: "/tmp/probe/eval.txt", encoding: .utf8)) ?? ""
        var out = ""
        for line in srcs.split(separator: "\n", omittingEmptySubsequences: true) {
            let parts = line.components(separatedBy: " ||| ")
            let src = parts[0]
            let ev = parts.count > 1 ? parts[1] : transferLine
            let r: String
            if let ce = compileError(src) { r = "COMPILE " + ce.replacingOccurrences(of: "\n", with: "⏎") } else { r = try eval(src, event: ev) }
            out += src + "  ==>  " + r + "\n"
        }
        try out.write(toFile: "/tmp/probe/eval.out", atomically: true, encoding: .utf8)
    }
}
import Foundation
