/// An ABI type compiled for decoding: sizes, offsets and output keys are
/// worked out once at start-up so the per-log path only follows pointers.
package final class TypePlan: Sendable {
    enum Kind: UInt8, Sendable { case uint, int, address, bool, fixedBytes, bytes, string, array, fixedArray, tuple }

    let kind: Kind
    /// Bits for uint/int, byte count for bytesN, length for T[k].
    let size: Int
    let isDynamic: Bool
    let headSize: Int
    /// At least one word: an array's length is checked against the bytes left
    /// with this, so a zero-size element type (`()`) cannot make a loop of 2^64.
    let minElementBytes: Int
    let element: TypePlan?
    let components: [TypePlan]
    let componentOffsets: [Int]
    /// `"name":` per component when all are named (object output); nil means array output.
    let componentKeys: [[UInt8]]?

    init(_ type: ABIType) {
        isDynamic = type.isDynamic
        headSize = type.headSize
        var element: TypePlan? = nil
        var components: [TypePlan] = []
        var offsets: [Int] = []
        var keys: [[UInt8]]? = nil
        switch type {
        case .uint(let b): (kind, size) = (.uint, b)
        case .int(let b): (kind, size) = (.int, b)
        case .address: (kind, size) = (.address, 20)
        case .bool: (kind, size) = (.bool, 1)
        case .fixedBytes(let n): (kind, size) = (.fixedBytes, n)
        case .bytes: (kind, size) = (.bytes, 0)
        case .string: (kind, size) = (.string, 0)
        case .array(let t):
            (kind, size) = (.array, 0)
            element = TypePlan(t)
        case .fixedArray(let t, let k):
            (kind, size) = (.fixedArray, k)
            element = TypePlan(t)
        case .tuple(let cs):
            (kind, size) = (.tuple, cs.count)
            var off = 0
            for c in cs {
                let p = TypePlan(c.type)
                components.append(p)
                offsets.append(off)
                off += p.headSize
            }
            if cs.allSatisfy({ !$0.name.isEmpty }) { keys = cs.map { jsonKey($0.name) } }
        }
        self.element = element
        self.components = components
        self.componentOffsets = offsets
        self.componentKeys = keys
        minElementBytes = max(32, element?.headSize ?? 32)
    }
}

/// One event compiled for decoding, with its output prefix pre-rendered.
package final class EventPlan: Sendable {
    /// Trivial (no reference-counted member), so the per-log loop reads
    /// parameters without a retain and release of a key array or a type each.
    struct Param: Sendable {
        /// `"from":`, as `text[keyStart..<keyEnd]`.
        let keyStart: Int
        let keyEnd: Int
        /// Kept alive by `types`.
        unowned(unsafe) let type: TypePlan
        let indexed: Bool
        /// Index into the log's topics (indexed) or head offset in data (not indexed).
        let position: Int
        /// Value types come back from their topic; other indexed types only as the topic hash.
        let fromTopic: Bool
    }

    package let event: ABIEvent
    package let topic0: [UInt8]
    package let topicCount: Int
    /// `"event":"Transfer","signature":"Transfer(address,address,uint256)","args":{`
    /// (the first `headerCount` bytes), then every parameter's key.
    let text: [UInt8]
    let headerCount: Int
    let params: [Param]
    /// Owns the parameters' types.
    private let types: [TypePlan]
    /// Bytes the non-indexed parameters take in the head of data.
    let dataHeadSize: Int
    let hasDynamicData: Bool

    package init(_ event: ABIEvent, topic0: [UInt8]) {
        self.event = event
        self.topic0 = topic0
        topicCount = event.topicCount
        var text: [UInt8] = []
        text += Array(#""event":"#.utf8)
        text += jsonString(event.name)
        text += Array(#","signature":"#.utf8)
        text += jsonString(event.signature)
        text += Array(#","args":{"#.utf8)
        headerCount = text.count
        var params: [Param] = []
        var types: [TypePlan] = []
        var topic = event.anonymous ? 0 : 1
        var head = 0
        for (i, p) in event.inputs.enumerated() {
            let plan = TypePlan(p.type)
            types.append(plan)
            let keyStart = text.count
            text += jsonKey(p.name.isEmpty ? "arg\(i)" : p.name)
            if p.indexed {
                params.append(
                    Param(
                        keyStart: keyStart, keyEnd: text.count, type: plan, indexed: true, position: topic,
                        fromTopic: p.type.isValueType))
                topic += 1
            } else {
                params.append(
                    Param(
                        keyStart: keyStart, keyEnd: text.count, type: plan, indexed: false, position: head,
                        fromTopic: false))
                head += plan.headSize
            }
        }
        self.text = text
        self.params = params
        self.types = types
        dataHeadSize = head
        hasDynamicData = params.contains { !$0.indexed && $0.type.isDynamic }
    }
}

/// `"name":` with JSON escaping (names come from ABI files, which may hold anything).
func jsonKey(_ name: String) -> [UInt8] {
    jsonString(name) + [UInt8(ascii: ":")]
}

func jsonString(_ s: String) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    for c in s.utf8 {
        switch c {
        case UInt8(ascii: "\""): out += [0x5C, 0x22]
        case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out += Array("\\u00".utf8) + [hex[Int(c >> 4)], hex[Int(c & 15)]]
        default: out.append(c)
        }
    }
    out.append(UInt8(ascii: "\""))
    return out
}
