/// The keys an event's `args` object gets: the parameter's name, or `argN`
/// for an unnamed one (N its position), and a tuple's component names.
/// Two parameters with one key would give an object with a duplicate key,
/// which jq, Python and SQLite's JSON functions each collapse their own way,
/// so such an ABI is refused (78) instead of decoded. Solidity and Vyper
/// never emit one; only a hand-written or hostile ABI does
/// (`event E(uint256 arg1, uint256)`, or two parameters called `x`).
enum ArgumentKeys {
    static func check(_ events: [ABIEvent]) throws(ABIParseError) {
        for e in events {
            var seen: [String: Int] = [:]
            for (i, p) in e.inputs.enumerated() {
                let key = p.name.isEmpty ? "arg\(i)" : p.name
                if let first = seen[key] {
                    throw ABIParseError(
                        "\(e.humanReadable): parameters \(first) and \(i) would both be \"\(key)\" in args "
                            + "(an unnamed parameter is argN, N its position); rename one")
                }
                seen[key] = i
                try checkComponents(p.type, e)
            }
        }
    }

    private static func checkComponents(_ t: ABIType, _ e: ABIEvent) throws(ABIParseError) {
        switch t {
        case .tuple(let cs):
            // A tuple with an unnamed component is an array: no keys to collide.
            if !cs.contains(where: { $0.name.isEmpty }) {
                var seen = Set<String>()
                for c in cs where !seen.insert(c.name).inserted {
                    throw ABIParseError(
                        "\(e.humanReadable): a tuple has two components named \"\(c.name)\"; rename one")
                }
            }
            for c in cs { try checkComponents(c.type, e) }
        case .array(let el), .fixedArray(let el, _): try checkComponents(el, e)
        default: break
        }
    }
}
