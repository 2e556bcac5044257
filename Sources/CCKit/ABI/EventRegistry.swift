import CCEthereum

/// All events cc-decode knows, keyed the way a log identifies its event:
/// topic0 **and** topic count. ERC-20 and ERC-721 `Transfer` share topic0
/// (`Transfer(address,address,uint256)`) but not the number of indexed
/// parameters, so with both ABIs loaded each log still finds the right one.
///
/// Lookup order for a log from address A: events bound to A (`--abi A=…`) by
/// topic0, then A's anonymous events by topic count, then every global event
/// by topic0. Within one key, earlier `--abi` sources win, and a bare
/// signature (`Transfer(address,address,uint256)`) comes after full declarations.
package struct EventRegistry: Sendable {
    struct Key: Hashable, Sendable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64
        var topics: Int
    }

    struct AddressKey: Hashable, Sendable {
        var a: UInt64, b: UInt64, c: UInt32
    }

    struct Table: Sendable {
        var byTopic0: [Key: [EventPlan]] = [:]
        var anonymous: [Int: [EventPlan]] = [:]
        var count = 0
        /// Every shape added: a set, so loading n events is not n² comparisons.
        private var shapes: Set<EventShape> = []
        /// `byTopic0` as two parallel arrays while it is small (most runs
        /// load a handful of events): a linear scan of a few keys costs less
        /// than hashing one key per log.
        private var smallKeys: [Key] = []
        private var smallLists: [[EventPlan]] = []
        private static let smallLimit = 8

        @inline(__always)
        func candidates(_ key: Key) -> [EventPlan]? {
            if byTopic0.count <= Self.smallLimit {
                for i in 0..<smallKeys.count where smallKeys[i] == key { return smallLists[i] }
                return nil
            }
            return byTopic0[key]
        }

        mutating func add(_ plan: EventPlan, keepAnonymous: Bool) {
            if plan.event.anonymous && !keepAnonymous { return }
            // Duplicate definitions (the same event in two ABI files) decode identically; keep the first.
            guard shapes.insert(EventShape(plan.event)).inserted else { return }
            if plan.event.anonymous {
                anonymous[plan.topicCount, default: []].append(plan)
            } else {
                let key = plan.topic0.withUnsafeBufferPointer { EventRegistry.key($0, topics: plan.topicCount) }
                byTopic0[key, default: []].append(plan)
                let list = byTopic0[key]!
                if let i = smallKeys.firstIndex(of: key) {
                    smallLists[i] = list
                } else if byTopic0.count <= Self.smallLimit {
                    smallKeys.append(key)
                    smallLists.append(list)
                }
            }
            count += 1
        }
    }

    var global = Table()
    var bound: [AddressKey: Table] = [:]
    /// Every distinct event loaded, for --list and messages.
    package private(set) var events: [ABIEvent] = []

    package init(sources: [ABISource]) {
        var seenEvents = Set<ABIEvent>()
        // Full declarations from every source first, then the guesses from bare signatures,
        // so a declaration outranks a guess whatever the order of the --abi options.
        for source in sources {
            add(source.events.filter(\.indexingKnown).map(Self.plan), boundTo: source.address)
        }
        for source in sources {
            var plans: [EventPlan] = []
            for e in source.events where !e.indexingKnown {
                for k in 0...e.inputs.count {
                    var v = e
                    for i in v.inputs.indices { v.inputs[i].indexed = i < k }
                    v.indexingKnown = true
                    plans.append(Self.plan(v))
                }
            }
            add(plans, boundTo: source.address)
            for e in source.events where seenEvents.insert(e).inserted { events.append(e) }
        }
    }

    private mutating func add(_ plans: [EventPlan], boundTo address: [UInt8]?) {
        if let a = address {
            let key = a.withUnsafeBufferPointer { Self.addressKey($0) }
            var t = bound[key, default: Table()]
            for p in plans { t.add(p, keepAnonymous: true) }
            bound[key] = t
        } else {
            // An anonymous event has no topic0: without an address binding nothing identifies it.
            for p in plans { global.add(p, keepAnonymous: false) }
        }
    }

    static func plan(_ e: ABIEvent) -> EventPlan {
        EventPlan(e, topic0: e.anonymous ? [] : Keccak256.hash(e.signature))
    }

    /// Calls `attempt` with each candidate event, best first, until it returns true.
    /// `topics` holds `topicCount` 32-byte words; `address` 20 bytes.
    package func forEachCandidate(
        address: UnsafeBufferPointer<UInt8>, topics: UnsafeBufferPointer<UInt8>, topicCount: Int,
        _ attempt: (EventPlan) -> Bool
    ) -> Bool {
        let key: Key? = topicCount > 0 ? Self.key(topics, topics: topicCount) : nil
        if !bound.isEmpty, let t = bound[Self.addressKey(address)] {
            if let key, let list = t.candidates(key) {
                if Self.first(in: list, attempt) { return true }
            }
            if let list = t.anonymous[topicCount] {
                if Self.first(in: list, attempt) { return true }
            }
        }
        if let key, let list = global.candidates(key) {
            if Self.first(in: list, attempt) { return true }
        }
        return false
    }

    /// Tries the plans in order, read in place: no retain per plan and log.
    @inline(__always)
    private static func first(in list: [EventPlan], _ attempt: (EventPlan) -> Bool) -> Bool {
        list.withUnsafeBufferPointer { plans in
            for i in 0..<plans.count where attempt(plans[i]) { return true }
            return false
        }
    }

    static func key(_ topic0: UnsafeBufferPointer<UInt8>, topics: Int) -> Key {
        let r = UnsafeRawBufferPointer(topic0)
        return Key(
            a: r.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            b: r.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            c: r.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            d: r.loadUnaligned(fromByteOffset: 24, as: UInt64.self),
            topics: topics)
    }

    static func addressKey(_ a: UnsafeBufferPointer<UInt8>) -> AddressKey {
        let r = UnsafeRawBufferPointer(a)
        return AddressKey(
            a: r.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            b: r.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            c: r.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
    }
}

/// Same signature and same indexed parameters: two such events decode a log identically.
private struct EventShape: Hashable, Sendable {
    let signature: String
    let anonymous: Bool
    let indexed: [Bool]

    init(_ e: ABIEvent) {
        signature = e.signature
        anonymous = e.anonymous
        indexed = e.inputs.map(\.indexed)
    }
}
