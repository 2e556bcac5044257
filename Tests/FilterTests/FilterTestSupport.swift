@testable import CCFilter
@testable import CCJSON

/// A decoded Transfer as cc-decode writes it.
let transferLine = """
    {"chainId":1,"blockNumber":19000000,"blockHash":"0x\(String(repeating: "ab", count: 32))","blockTimestamp":1705000000,\
    "transactionHash":"0x\(String(repeating: "cd", count: 32))","transactionIndex":5,"logIndex":27,\
    "address":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48","removed":false,"event":"Transfer",\
    "signature":"Transfer(address,address,uint256)",\
    "args":{"from":"0x28C6c06298d514Db089934071355E5743bf21d60","to":"0x21a31Ee1afC51d94C2eFcCAa2092aD1028285549",\
    "value":"1000000000000000000000","odd name":"x\\"y","ids":["1","2","0x03"],"order":{"maker":"0xAbC"},"flag":true,\
    "nothing":null}}
    """

/// Evaluates `source` (against `event` when given) and renders the result
/// as JSON, or `error: …` for a runtime error.
func eval(_ source: String, event: String? = nil) throws -> String {
    let e: CompiledExpression
    do {
        e = try FilterCompiler.compile(source)
    } catch {
        // Constant subexpressions fail at compile time with the same message.
        return "error: \(error.message)"
    }
    var vm = FilterVM()
    func run(_ root: JSONValue?) -> String {
        do {
            let v = try vm.evaluate(e, root: root)
            var w = JSONWriter(capacity: 128)
            v.writeJSON(to: &w)
            return String(decoding: w.bytes, as: UTF8.self)
        } catch {
            return "error: \(error.message)"
        }
    }
    guard let event else { return run(nil) }
    var bytes = Array(event.utf8)
    return try bytes.withUnsafeMutableBufferPointer { mb in
        let line = try JSONLine(UnsafeBufferPointer(mb))
        return run(line.root)
    }
}

func evalTransfer(_ source: String) throws -> String { try eval(source, event: transferLine) }

/// The compile error for `source`, rendered with its caret.
func compileError(_ source: String) -> String? {
    do {
        _ = try FilterCompiler.compile(source)
        return nil
    } catch {
        return error.rendered
    }
}
