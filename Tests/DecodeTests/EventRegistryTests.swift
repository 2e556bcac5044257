import CCKit
import Testing

/// Which event (by human-readable form) the registry picks for a log, or nil.
func match(
    _ registry: EventRegistry, address: [UInt8] = [UInt8](repeating: 0x11, count: 20), topics: [[UInt8]],
    data: [UInt8] = []
) -> String? {
    var picked: String?
    var w = JSONWriter()
    let t = topics.flatMap { $0 }
    _ = address.withUnsafeBufferPointer { a in
        t.withUnsafeBufferPointer { tb in
            data.withUnsafeBufferPointer { d in
                registry.forEachCandidate(address: a, topics: tb, topicCount: topics.count) { plan in
                    guard lenientDecoder.decode(plan, topics: tb, topicCount: topics.count, data: d, into: &w) else {
                        return false
                    }
                    picked = plan.event.humanReadable
                    return true
                }
            }
        }
    }
    return picked
}

func topic0(_ signature: String) -> [UInt8] { Keccak256.hash(signature) }
let someWord = ABITestEncoder.word(5)

@Suite struct EventRegistryTests {
    @Test func erc20AndErc721TransferBothDecode() throws {
        let r = EventRegistry(sources: [try ABISource.load("erc20"), try ABISource.load("erc721")])
        let t0 = topic0("Transfer(address,address,uint256)")
        #expect(
            match(r, topics: [t0, someWord, someWord], data: someWord)
                == "event Transfer(address indexed from, address indexed to, uint256 value)")
        #expect(
            match(r, topics: [t0, someWord, someWord, someWord])
                == "event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)")
        #expect(match(r, topics: [t0, someWord], data: someWord) == nil)  // too few topics
    }

    @Test func overloadsZeroParameterEventsAndDuplicates() throws {
        let a = try ABISource.load("event Log(uint256 a); event Log(string s); event Ping()")
        let b = try ABISource.load("event Log(uint256 a)")
        let r = EventRegistry(sources: [a, b])
        #expect(r.events.count == 3)
        #expect(match(r, topics: [topic0("Log(uint256)")], data: someWord) == "event Log(uint256 a)")
        let str = ABITestEncoder.word(32) + ABITestEncoder.word(1) + [0x41] + [UInt8](repeating: 0, count: 31)
        #expect(match(r, topics: [topic0("Log(string)")], data: str) == "event Log(string s)")
        #expect(match(r, topics: [topic0("Ping()")]) == "event Ping()")
    }

    @Test func bareSignaturesGuessIndexingFromTheTopicCount() throws {
        let r = EventRegistry(sources: [try ABISource.load("Transfer(address,address,uint256)")])
        let t0 = topic0("Transfer(address,address,uint256)")
        #expect(
            match(r, topics: [t0, someWord, someWord], data: someWord)
                == "event Transfer(address indexed, address indexed, uint256)")
        #expect(
            match(r, topics: [t0, someWord, someWord, someWord])
                == "event Transfer(address indexed, address indexed, uint256 indexed)")
        // A full declaration loaded later still outranks the guess.
        let r2 = EventRegistry(sources: [
            try ABISource.load("Transfer(address,address,uint256)"), try ABISource.load("erc20"),
        ])
        #expect(
            match(r2, topics: [t0, someWord, someWord], data: someWord)
                == "event Transfer(address indexed from, address indexed to, uint256 value)")
    }

    @Test func addressBindingsComeFirstAndAloneMatchAnonymousEvents() throws {
        let pool = [UInt8](repeating: 0xAA, count: 20)
        let spec = "0x" + String(repeating: "aa", count: 20) + "="
        let r = EventRegistry(sources: [
            try ABISource.load("erc20"),
            try ABISource.load(spec + "event Transfer(address indexed src, address indexed dst, uint256 wad)"),
            try ABISource.load(spec + "event Tick(uint256 indexed id, uint8 level) anonymous"),
        ])
        let t0 = topic0("Transfer(address,address,uint256)")
        #expect(
            match(r, address: pool, topics: [t0, someWord, someWord], data: someWord)
                == "event Transfer(address indexed src, address indexed dst, uint256 wad)")
        #expect(
            match(r, topics: [t0, someWord, someWord], data: someWord)
                == "event Transfer(address indexed from, address indexed to, uint256 value)")
        // Anonymous: matched by address and topic count, with a strict decode of exactly the head.
        #expect(
            match(r, address: pool, topics: [someWord], data: ABITestEncoder.word(3))
                == "event Tick(uint256 indexed id, uint8 level) anonymous")
        #expect(match(r, topics: [someWord], data: ABITestEncoder.word(3)) == nil)
        #expect(match(r, address: pool, topics: [someWord], data: ABITestEncoder.word(300)) == nil)
        #expect(match(r, address: pool, topics: [someWord], data: ABITestEncoder.word(3) + someWord) == nil)
    }
}
