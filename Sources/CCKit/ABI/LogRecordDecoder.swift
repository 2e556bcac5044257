import CCCore
import CCJSON
import CCStream

/// What cc-decode does with a raw log no loaded event matches.
package enum UnknownLogPolicy: String, CaseIterable, Sendable {
    /// Write the raw line unchanged, so a later cc-decode with other ABIs can decode it.
    case pass
    case drop
    /// Stop with exit status 65.
    case fail
}

/// A line that is not a raw log, a marker or a decoded event (exit 65 unless --skip-invalid).
package struct InvalidRecord: Error, Sendable {
    package var message: String
}

/// A raw log no event matches, under `--unknown fail`.
package struct UnknownEvent: Error, Sendable {
    package var message: String
}

/// Turns one stream line into its decoded form: the record-level half of
/// cc-decode (fields, order, quantities, hashes), with `LogDecoder` doing the
/// ABI half. One instance per thread; it reuses its buffers for every line.
package final class LogRecordDecoder {
    /// `control`: a `$cc` record, passed through (the caller flushes there).
    package enum Outcome: Sendable { case decoded, unknown, passedThrough, control }

    package let registry: EventRegistry
    package let decoder: LogDecoder
    package let unknownPolicy: UnknownLogPolicy
    package let keepRaw: Bool
    /// Fills `chainId` when the log lacks it.
    package let defaultChainId: UInt64?

    /// This stage's configuration, folded into each checkpoint marker's
    /// `pipeline` as it passes (`PipelineHash`); nil forwards markers as they are.
    package var pipelineConfig: String?

    private var writer = JSONWriter(capacity: 1 << 16)
    private let scratch = RecordScratch()

    package init(
        registry: EventRegistry, strict: Bool = false, unknownPolicy: UnknownLogPolicy = .pass, keepRaw: Bool = false,
        defaultChainId: UInt64? = nil
    ) {
        self.registry = registry
        decoder = LogDecoder(strict: strict)
        self.unknownPolicy = unknownPolicy
        self.keepRaw = keepRaw
        self.defaultChainId = defaultChainId
    }

    /// Decodes `line` and hands what to write to `emit`: the record and its "\n" in
    /// one buffer. `emit` is not called when the line is dropped.
    package func process(
        _ line: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> Outcome {
        // Work on a local writer: a stored property of a class would pay a dynamic
        // exclusivity check on every append.
        var w = JSONWriter(capacity: 0)
        swap(&w, &writer)
        defer { swap(&w, &writer) }
        w.reset()
        let json: JSONLine
        do {
            json = try JSONLine(line)
        } catch {
            throw InvalidRecord(message: "not JSON: \(error.message)")
        }
        let root = json.root
        guard root.kind == .object else { throw InvalidRecord(message: "expected a JSON object, got \(root.kind)") }
        let f = RawLogFields(root, scratch: scratch)
        if f.kind == .control, let config = pipelineConfig,
            let folded = PipelineHash.foldMarker(root, stage: "cc-decode", config: config)
        {
            try folded.withUnsafeBufferPointer { try passThrough($0, &w, emit) }
            return .control
        }
        if f.kind != .log {
            try passThrough(line, &w, emit)
            return f.kind == .control ? .control : .passedThrough
        }
        if let p = f.problem { throw InvalidRecord(message: p) }
        writeHeader(f, &w)
        let address = UnsafeBufferPointer(start: scratch.address, count: 20)
        let topics = UnsafeBufferPointer(start: scratch.topics, count: f.topicCount * 32)
        let data = UnsafeBufferPointer(start: scratch.data, count: f.dataCount)
        // The closure captures the count alone, not a copy of all the fields.
        let topicCount = f.topicCount
        let matched = registry.forEachCandidate(address: address, topics: topics, topicCount: topicCount) { plan in
            decoder.decode(plan, topics: topics, topicCount: topicCount, data: data, into: &w)
        }
        guard matched else {
            switch unknownPolicy {
            case .pass:
                w.reset()
                if f.hasForgingKey {
                    try passStripped(root, &w, emit)
                } else {
                    try passThrough(line, &w, emit)
                }
            case .drop: break
            case .fail: throw UnknownEvent(message: describeUnknown(f))
            }
            return .unknown
        }
        if keepRaw {
            w.raw(#","topics":["#)
            for i in 0..<f.topicCount {
                if i > 0 { w.raw(",") }
                w.raw("\"0x")
                WordFormatting.appendHex(
                    UnsafeRawBufferPointer(start: scratch.topics + i * 32, count: 32), to: &w.bytes)
                w.raw("\"")
            }
            w.raw(#"],"data":"0x"#)
            WordFormatting.appendHex(UnsafeRawBufferPointer(data), to: &w.bytes)
            w.raw("\"")
        }
        w.raw("}\n")
        try w.bytes.withUnsafeBufferPointer { try emit($0) }
        return .decoded
    }

    private func passThrough(
        _ line: UnsafeBufferPointer<UInt8>, _ w: inout JSONWriter, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        w.raw(line)
        w.raw("\n")
        try w.bytes.withUnsafeBufferPointer { try emit($0) }
    }

    /// An unknown raw log that carries `$` keys, `event`, `args` or `signature`:
    /// passed on without them, so no later stage takes it for a marker or an
    /// event that nobody decoded.
    private func passStripped(
        _ root: JSONValue, _ w: inout JSONWriter, _ emit: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws {
        w.raw("{")
        var first = true
        var u: [UInt8] = []
        root.forEachMember { k, v in
            let key: [UInt8]
            if k.hasEscapes {
                u.removeAll(keepingCapacity: true)
                k.unescapedBytes(into: &u)
                key = u
            } else {
                key = Array(k.stringContents)
            }
            if key.first == 36 || key.elementsEqual("event".utf8) || key.elementsEqual("args".utf8)
                || key.elementsEqual("signature".utf8)
            {
                return
            }
            if !first { w.raw(",") }
            first = false
            w.raw(k.raw)
            w.raw(":")
            w.raw(v.raw)
        }
        w.raw("}\n")
        try w.bytes.withUnsafeBufferPointer { try emit($0) }
    }

    private func describeUnknown(_ f: RawLogFields) -> String {
        var s = "no loaded event matches this log (address "
        s += decoder.checksums.string(UnsafeBufferPointer(start: scratch.address, count: 20))
        if f.topicCount > 0 {
            var t0: [UInt8] = []
            WordFormatting.appendHex(UnsafeRawBufferPointer(start: scratch.topics, count: 32), to: &t0)
            s += ", topic0 0x" + String(decoding: t0, as: UTF8.self)
        }
        s += ", \(f.topicCount) topic\(f.topicCount == 1 ? "" : "s"), \(f.dataCount) bytes of data)"
        return s
    }

    /// `{"chainId":…,"removed":…,` in the order of the stream contract.
    private func writeHeader(_ f: borrowing RawLogFields, _ w: inout JSONWriter) {
        w.raw("{")
        if case .value(let c) = f.chainId {
            w.raw(#""chainId":"#)
            w.uint(c)
            w.raw(",")
        } else if let c = defaultChainId {
            w.raw(#""chainId":"#)
            w.uint(c)
            w.raw(",")
        }
        w.raw(#""blockNumber":"#)
        Self.quantity(f.blockNumber, &w)
        w.raw(#","blockHash":"#)
        Self.hash(f.blockHash, &w)
        if case .value(let ts) = f.blockTimestamp {
            w.raw(#","blockTimestamp":"#)
            w.uint(ts)
        }
        w.raw(#","transactionHash":"#)
        Self.hash(f.transactionHash, &w)
        w.raw(#","transactionIndex":"#)
        Self.quantity(f.transactionIndex, &w)
        w.raw(#","logIndex":"#)
        Self.quantity(f.logIndex, &w)
        w.raw(#","address":""#)
        decoder.checksums.append(UnsafeBufferPointer(start: scratch.address, count: 20), to: &w.bytes)
        w.raw(f.removed ? #"","removed":true,"# : #"","removed":false,"#)
    }

    /// A quantity as a JSON number; null when the node sent null or nothing (pending logs).
    @inline(__always)
    private static func quantity(_ q: RawLogFields.Quantity, _ w: inout JSONWriter) {
        if case .value(let v) = q { w.uint(v) } else { w.raw("null") }
    }

    @inline(__always)
    private static func hash(_ h: UnsafeBufferPointer<UInt8>?, _ w: inout JSONWriter) {
        if let h { HexBytes.appendLowercasedHash(h, to: &w.bytes) } else { w.raw("null") }
    }
}
