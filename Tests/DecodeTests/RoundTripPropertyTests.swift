import CCKit
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Seed for the randomized tests: CC_TEST_SEED when set (to reproduce a failure), else a fixed one.
let testSeed: UInt64 = {
    if let s = getenv("CC_TEST_SEED"), let v = UInt64(String(cString: s)) { return v }
    return 0xC0FF_EE00_2026
}()

struct RandomEventCase {
    var event: ABIEvent
    var topics: [[UInt8]]  // after topic0
    var data: [UInt8]
    var expectedArgs: String
}

extension RandomABI {
    /// A random event over random types (nested up to 3 deep), random values, their
    /// encoding by the test encoder and the args JSON the stream contract asks for.
    mutating func eventCase() -> RandomEventCase {
        var params: [ABIEventParam] = []
        var indexedCount = 0
        for i in 0..<int(0...5) {
            let t = type(depth: 0)
            let indexed = indexedCount < 3 && int(0...3) == 0
            if indexed { indexedCount += 1 }
            params.append(ABIEventParam(name: int(0...4) == 0 ? "" : "p\(i)" + name(), type: t, indexed: indexed))
        }
        let event = ABIEvent(name: "E\(int(0...999))", inputs: params)
        var topics: [[UInt8]] = []
        var dataTypes: [ABIType] = []
        var dataValues: [TestValue] = []
        var args: [String] = []
        for (i, p) in params.enumerated() {
            let key = ABITestEncoder.jsonString(p.name.isEmpty ? "arg\(i)" : p.name) + ":"
            let v = value(p.type)
            if p.indexed {
                if p.type.isValueType {
                    topics.append(ABITestEncoder.encodeSingle(p.type, v))
                    args.append(key + ABITestEncoder.expectedJSON(p.type, v))
                } else {
                    let h = Keccak256.hash(ABITestEncoder.encodeSingle(p.type, v))
                    topics.append(h)
                    args.append(key + "\"" + ABITestEncoder.hex(h) + "\"")
                }
            } else {
                dataTypes.append(p.type)
                dataValues.append(v)
                args.append(key + ABITestEncoder.expectedJSON(p.type, v))
            }
        }
        return RandomEventCase(
            event: event, topics: topics, data: ABITestEncoder.encode(dataTypes, dataValues),
            expectedArgs: "{" + args.joined(separator: ",") + "}")
    }
}

// One of each for the whole run: a ChecksumCache is a 4 MB table, too big to build per call.
// A cache is not thread-safe and Swift Testing runs suites in parallel, so every use
// holds `decoderLock` (a race here once returned another address's checksum).
nonisolated(unsafe) let lenientDecoder = LogDecoder(strict: false, checksums: ChecksumCache(capacity: 1024))
nonisolated(unsafe) let strictDecoder = LogDecoder(strict: true, checksums: ChecksumCache(capacity: 1024))
let decoderLock = NSLock()

func decode(
    _ c: RandomEventCase, plan: EventPlan? = nil, data: [UInt8]? = nil, topics: [[UInt8]]? = nil, strict: Bool = false
) -> String? {
    let plan = plan ?? EventPlan(c.event, topic0: Keccak256.hash(c.event.signature))
    let t = plan.topic0 + (topics ?? c.topics).flatMap { $0 }
    var w = JSONWriter()
    decoderLock.lock()
    defer { decoderLock.unlock() }
    let ok = t.withUnsafeBufferPointer { tb in
        (data ?? c.data).withUnsafeBufferPointer { d in
            (strict ? strictDecoder : lenientDecoder).decode(
                plan, topics: tb, topicCount: tb.count / 32, data: d, into: &w)
        }
    }
    return ok ? String(decoding: w.bytes, as: UTF8.self) : nil
}

@Suite struct RoundTripPropertyTests {
    @Test func randomTypesAndValuesDecodeBackEqual() {
        var r = RandomABI(rng: SeededRandom(seed: testSeed))
        let cases = 3000
        var failures = 0
        for n in 0..<cases {
            let c = r.eventCase()
            let expected = #""event":"\#(c.event.name)","signature":"\#(c.event.signature)","args":"# + c.expectedArgs
            for strict in [false, true] {
                let got = decode(c, strict: strict)
                if got != expected {
                    failures += 1
                    if failures <= 3 {
                        Issue.record(
                            """
                            case \(n) (CC_TEST_SEED=\(testSeed), strict \(strict)): \(c.event.humanReadable)
                            data \(ABITestEncoder.hex(c.data))
                            expected \(expected)
                            got      \(got ?? "no match")
                            """)
                    }
                }
            }
        }
        #expect(failures == 0)
    }
}

@Suite struct GarbageTests {
    /// Valid logs: random events plus the common Transfer shape.
    static func corpus() -> [RandomEventCase] {
        var r = RandomABI(rng: SeededRandom(seed: testSeed ^ 0x5EED))
        var cs: [RandomEventCase] = []
        while cs.count < 40 {
            let c = r.eventCase()
            if c.data.count <= 600 { cs.append(c) }
        }
        return cs
    }

    @Test func everyTruncationAndSingleByteCorruptionIsSafe() {
        var decodedSomehow = 0
        var attempts = 0
        for c in Self.corpus() {
            let plan = EventPlan(c.event, topic0: Keccak256.hash(c.event.signature))
            // Every truncation of data and of the topic list.
            for len in 0..<c.data.count {
                attempts += 1
                if decode(c, plan: plan, data: Array(c.data[0..<len])) != nil { decodedSomehow += 1 }
            }
            for k in 0..<c.topics.count { _ = decode(c, plan: plan, topics: Array(c.topics[0..<k])) }
            // Every single-byte corruption: every position, a spread of replacement values
            // (all 256 for small logs).
            let values: [UInt8] =
                c.data.count <= 128 ? Array(0...255) : [0x00, 0x01, 0x1F, 0x20, 0x7F, 0x80, 0xFE, 0xFF]
            var d = c.data
            for i in 0..<d.count {
                let orig = d[i]
                for v in values where v != orig {
                    d[i] = v
                    attempts += 1
                    for strict in [false, true] where decode(c, plan: plan, data: d, strict: strict) != nil {
                        decodedSomehow += 1
                    }
                }
                d[i] = orig
            }
        }
        // Reaching here without a crash or a hang is the test; some corruptions still decode (e.g. in a value).
        #expect(attempts > 10_000)
        #expect(decodedSomehow > 0)
    }
}
