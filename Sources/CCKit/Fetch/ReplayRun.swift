import CCCore
import CCJSON

/// Development and benchmark mode (`cc-fetch --replay FILE`, hidden): feeds
/// saved `eth_getLogs` answers — one per line, either a JSON-RPC response
/// object with `result` or the bare array — through the same parse, check
/// and write path as a live fetch, without a node. Each answer is checked as
/// the answer for the blocks from its first to its last log.
package struct ReplayRun {
    package let path: String
    package let filter: LogFilter
    package let chainId: UInt64
    package let output: OutputWriter

    package init(path: String, filter: LogFilter, chainId: UInt64, output: OutputWriter) {
        self.path = path
        self.filter = filter
        self.chainId = chainId
        self.output = output
    }

    package func run() throws {
        var reader = try LineReader(path: path, bufferSize: 1 << 24)
        let processor = LogBatchProcessor(filter: filter, chainId: chainId)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 24)
        var lastBlock: UInt64 = 0
        var lastIndex: UInt64 = 0
        var any = false
        try reader.forEachLine { bytes, lineNumber in
            let line: JSONLine
            do throws(JSONSyntaxError) {
                line = try JSONLine(bytes)
            } catch {
                throw ChainCastError.data("\(path): line \(lineNumber): \(error.message)")
            }
            var result = line.root
            if result.kind == .object {
                guard let r = result["result"] else {
                    throw ChainCastError.data("\(path): line \(lineNumber): a JSON-RPC response without a result")
                }
                result = r
            }
            guard result.count > 0 else { return }
            guard let first = result[0]?["blockNumber"]?.quantity,
                let last = result[result.count - 1]?["blockNumber"]?.quantity, first <= last
            else {
                throw ChainCastError.data("\(path): line \(lineNumber): logs without ascending blockNumber")
            }
            // Across answers, order and uniqueness must hold too.
            if any, let idx = result[0]?["logIndex"]?.quantity, (first, idx) <= (lastBlock, lastIndex) {
                throw ChainCastError.data("\(path): line \(lineNumber): answer overlaps or precedes the previous one")
            }
            out.removeAll(keepingCapacity: true)
            let summary: LogBatchSummary
            do throws(LogValidationError) {
                summary = try processor.process(result, range: BlockRange(first, last), into: &out)
            } catch {
                throw ChainCastError.data("\(path): line \(lineNumber): \(error.message)")
            }
            if let b = summary.lastBlock, let idx = result[result.count - 1]?["logIndex"]?.quantity {
                lastBlock = b
                lastIndex = idx
                any = true
            }
            try output.write(out)
        }
        try output.flush()
    }
}
