/// What cc-decode does with a raw log no loaded event matches.
public enum UnknownLogPolicy: String, CaseIterable, Sendable {
    /// Write the raw line unchanged, so a later cc-decode with other ABIs can decode it.
    case pass
    case drop
    /// Stop with exit status 65.
    case fail
}

/// A line that is not a raw log, a marker or a decoded event (exit 65 unless --skip-invalid).
public struct InvalidRecord: Error, Sendable {
    public var message: String
}

/// A raw log no event matches, under `--unknown fail`.
public struct UnknownEvent: Error, Sendable {
    public var message: String
}

/// Turns one stream line into its decoded form: the record-level half of
/// cc-decode (fields, order, quantities, hashes), with `LogDecoder` doing the
/// ABI half. One instance per thread; it reuses its buffers for every line.
public final class LogRecordDecoder {
    public enum Outcome: Sendable { case decoded, unknown, passedThrough }

    public let registry: EventRegistry
    public let decoder: LogDecoder
    public var unknownPolicy: UnknownLogPolicy
    public var keepRaw: Bool
    /// Fills `chainId` when the log lacks it.
    public var defaultChainId: UInt64?

    private var writer = JSONWriter(capacity: 1 << 16)
    private var topics: [UInt8] = []
    private var data: [UInt8] = []
    private var address: [UInt8] = Array(repeating: 0, count: 20)

    public init(
        registry: EventRegistry, strict: Bool = false, unknownPolicy: UnknownLogPolicy = .pass, keepRaw: Bool = false,
        defaultChainId: UInt64? = nil
    ) {
        self.registry = registry
        decoder = LogDecoder(strict: strict)
        self.unknownPolicy = unknownPolicy
        self.keepRaw = keepRaw
        self.defaultChainId = defaultChainId
        topics.reserveCapacity(4 * 32)
        data.reserveCapacity(1 << 12)
    }

    /// Decodes `line` and hands what to write (without "\n") to `emit`, which is
    /// not called when the line is dropped.
    public func process(
        _ line: UnsafeBufferPointer<UInt8>, emit: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> Outcome {
        let json: JSONLine
        do {
            json = try JSONLine(line)
        } catch {
            throw InvalidRecord(message: "not JSON: \(error.message)")
        }
        let root = json.root
        guard root.kind == .object else { throw InvalidRecord(message: "expected a JSON object, got \(root.kind)") }
        let f = RawLogFields(root)
        if f.isControlRecord || f.isDecoded {
            try emit(line)
            return .passedThrough
        }
        try parseLogBody(f)
        let w = writeHeader(f)
        guard w else { throw InvalidRecord(message: f.firstInvalidQuantity ?? "bad field") }
        let matched = address.withUnsafeBufferPointer { a in
            topics.withUnsafeBufferPointer { t in
                data.withUnsafeBufferPointer { d in
                    registry.forEachCandidate(address: a, topics: t, topicCount: t.count / 32) { plan in
                        decoder.decode(plan, topics: t, topicCount: t.count / 32, data: d, into: &writer)
                    }
                }
            }
        }
        guard matched else {
            writer.reset()
            switch unknownPolicy {
            case .pass: try emit(line)
            case .drop: break
            case .fail: throw UnknownEvent(message: describeUnknown())
            }
            return .unknown
        }
        if keepRaw {
            writer.raw(#","topics":["#)
            for i in 0..<(topics.count / 32) {
                if i > 0 { writer.raw(",") }
                topics.withUnsafeBytes { writer.raw("\"0x"); WordFormatting.appendHex(UnsafeRawBufferPointer(rebasing: $0[(i * 32)..<(i * 32 + 32)]), to: &writer.bytes) }
                writer.raw("\"")
            }
            writer.raw(#"],"data":"0x"#)
            data.withUnsafeBytes { WordFormatting.appendHex($0, to: &writer.bytes) }
            writer.raw("\"")
        }
        writer.raw("}")
        try writer.bytes.withUnsafeBufferPointer { try emit($0) }
        writer.reset()
        return .decoded
    }

    private func describeUnknown() -> String {
        var s = "no loaded event matches this log (address "
        s += address.withUnsafeBufferPointer { decoder.checksums.string($0) }
        let n = topics.count / 32
        if n > 0 {
            var t0: [UInt8] = []
            topics.withUnsafeBytes { WordFormatting.appendHex(UnsafeRawBufferPointer(rebasing: $0[0..<32]), to: &t0) }
            s += ", topic0 0x" + String(decoding: t0, as: UTF8.self)
        }
        s += ", \(n) topic\(n == 1 ? "" : "s"), \(data.count) bytes of data)"
        return s
    }

    /// address, topics and data into the reused buffers.
    private func parseLogBody(_ f: RawLogFields) throws {
        guard let a = f.address else { throw InvalidRecord(message: "missing \"address\"") }
        guard a.kind == .string, a.stringContents.count == 42,
            address.withUnsafeMutableBufferPointer({ HexBytes.decode(a.stringContents, into: $0.baseAddress!, count: 20) })
        else { throw InvalidRecord(message: "\"address\" is not a 20-byte 0x hex string") }
        guard let t = f.topics else { throw InvalidRecord(message: "missing \"topics\"") }
        guard t.kind == .array else { throw InvalidRecord(message: "\"topics\" is not an array") }
        let n = t.count
        topics.removeAll(keepingCapacity: true)
        topics.append(contentsOf: repeatElement(0, count: n * 32))
        var i = 0
        var bad = -1
        topics.withUnsafeMutableBufferPointer { tb in
            t.forEachElement { v in
                if bad < 0,
                    !(v.kind == .string && v.stringContents.count == 66
                        && HexBytes.decode(v.stringContents, into: tb.baseAddress! + i * 32, count: 32))
                {
                    bad = i
                }
                i += 1
            }
        }
        if bad >= 0 { throw InvalidRecord(message: "\"topics\"[\(bad)] is not a 32-byte 0x hex string") }
        guard let d = f.data else { throw InvalidRecord(message: "missing \"data\"") }
        guard d.kind == .string, HexBytes.decodeVariable(d.stringContents, into: &data) else {
            throw InvalidRecord(message: "\"data\" is not a 0x hex string of whole bytes")
        }
    }

    /// `{"chainId":…,"removed":…,` — false when a quantity or hash is malformed.
    private func writeHeader(_ f: RawLogFields) -> Bool {
        writer.reset()
        writer.raw("{")
        if let c = f.chainId, !c.isNull {
            guard let q = c.quantity else { return false }
            writer.raw(#""chainId":"#)
            writer.uint(q)
            writer.raw(",")
        } else if let c = defaultChainId {
            writer.raw(#""chainId":"#)
            writer.uint(c)
            writer.raw(",")
        }
        writer.raw(#""blockNumber":"#)
        guard quantity(f.blockNumber) else { return false }
        writer.raw(#","blockHash":"#)
        guard hash(f.blockHash) else { return false }
        if let ts = f.blockTimestamp, !ts.isNull {
            guard let q = ts.quantity else { return false }
            writer.raw(#","blockTimestamp":"#)
            writer.uint(q)
        }
        writer.raw(#","transactionHash":"#)
        guard hash(f.transactionHash) else { return false }
        writer.raw(#","transactionIndex":"#)
        guard quantity(f.transactionIndex) else { return false }
        writer.raw(#","logIndex":"#)
        guard quantity(f.logIndex) else { return false }
        writer.raw(#","address":""#)
        address.withUnsafeBufferPointer { decoder.checksums.append($0, to: &writer.bytes) }
        writer.raw(#"","removed":"#)
        if let r = f.removed, !r.isNull {
            guard let b = r.bool else { return false }
            writer.raw(b ? "true" : "false")
        } else {
            writer.raw("false")
        }
        writer.raw(",")
        return true
    }

    /// A quantity as a JSON number; null when the node sent null or nothing (pending logs).
    private func quantity(_ v: JSONValue?) -> Bool {
        guard let v, !v.isNull else {
            writer.raw("null")
            return true
        }
        guard let q = v.quantity else { return false }
        writer.uint(q)
        return true
    }

    /// A 32-byte hash as lowercase hex.
    private func hash(_ v: JSONValue?) -> Bool {
        guard let v, !v.isNull else {
            writer.raw("null")
            return true
        }
        guard v.kind == .string else { return false }
        return HexBytes.appendLowercasedHash(v.stringContents, to: &writer.bytes)
    }
}
