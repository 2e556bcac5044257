/// An event parameter as the ABI declares it.
package struct ABIEventParam: Hashable, Sendable {
    package var name: String
    package var type: ABIType
    package var indexed: Bool

    package init(name: String, type: ABIType, indexed: Bool) {
        self.name = name
        self.type = type
        self.indexed = indexed
    }
}

/// An event declaration from an ABI source.
package struct ABIEvent: Hashable, Sendable {
    package var name: String
    package var inputs: [ABIEventParam]
    package var anonymous: Bool
    /// False for a bare signature (`Transfer(address,address,uint256)`), which does not say
    /// which parameters are indexed: the registry then assumes the leading ones are, as many
    /// as the log has topics after topic0.
    package var indexingKnown: Bool

    package init(name: String, inputs: [ABIEventParam], anonymous: Bool = false, indexingKnown: Bool = true) {
        self.name = name
        self.inputs = inputs
        self.anonymous = anonymous
        self.indexingKnown = indexingKnown
    }

    /// `Transfer(address,address,uint256)`: what topic0 is the Keccak-256 of.
    package var signature: String {
        name + "(" + inputs.map(\.type.canonical).joined(separator: ",") + ")"
    }

    /// Topics a log of this event carries: topic0 (unless anonymous) and one per indexed parameter.
    package var topicCount: Int {
        inputs.reduce(anonymous ? 0 : 1) { $0 + ($1.indexed ? 1 : 0) }
    }

    /// The human-readable form, `event Transfer(address indexed from, …)`, for messages and --list-abis.
    package var humanReadable: String {
        let ps = inputs.map { p -> String in
            var s = Self.describe(p.type)
            if p.indexed { s += " indexed" }
            if !p.name.isEmpty { s += " " + p.name }
            return s
        }
        return "event \(name)(" + ps.joined(separator: ", ") + ")" + (anonymous ? " anonymous" : "")
    }

    private static func describe(_ t: ABIType) -> String {
        switch t {
        case .tuple(let cs):
            return "("
                + cs.map { c in c.name.isEmpty ? describe(c.type) : describe(c.type) + " " + c.name }
                .joined(separator: ", ") + ")"
        case .array(let e): return describe(e) + "[]"
        case .fixedArray(let e, let k): return describe(e) + "[\(k)]"
        default: return t.canonical
        }
    }
}
