import Foundation

/// Parses JSON ABIs in the three shapes people have at hand: a plain array
/// (solc, `cast interface --json`), a Hardhat/Foundry/Truffle artifact (an
/// object with an `abi` key) and an Etherscan `getabi` response (the ABI as a
/// JSON string in `result`).
///
/// ABI files are read once at start-up, so Foundation's JSON parser is fine here.
package enum JSONABI {
    package static func parseEvents(_ data: [UInt8]) throws(ABIParseError) -> [ABIEvent] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(data), options: [.fragmentsAllowed])
        } catch {
            throw ABIParseError("not valid JSON (\(Self.describe(error)))")
        }
        return try events(fromRoot: root)
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let d = ns.userInfo[NSDebugDescriptionErrorKey] as? String { return d }
        return "\(error)"
    }

    private static func events(fromRoot root: Any) throws(ABIParseError) -> [ABIEvent] {
        if let array = root as? [Any] { return try events(fromArray: array) }
        guard let object = root as? [String: Any] else {
            throw ABIParseError(
                "expected a JSON array of ABI entries, an artifact with an \"abi\" key, "
                    + "or an Etherscan getabi response")
        }
        if let abi = object["abi"] {
            if let array = abi as? [Any] { return try events(fromArray: array) }
            // Some tools store the ABI as a JSON string, like Etherscan does.
            if let s = abi as? String { return try parseEvents(Array(s.utf8)) }
            throw ABIParseError("\"abi\" is not an array")
        }
        if let result = object["result"] {
            guard let s = result as? String else { throw ABIParseError("\"result\" is not a string") }
            if let status = object["status"] as? String, status != "1" {
                let message = object["message"] as? String ?? "error"
                throw ABIParseError("Etherscan response is an error: \(message): \(s)")
            }
            let inner: Any
            do {
                inner = try JSONSerialization.jsonObject(with: Data(s.utf8), options: [])
            } catch {
                throw ABIParseError("Etherscan \"result\" is not a JSON ABI: \(s.prefix(80))")
            }
            guard let array = inner as? [Any] else { throw ABIParseError("Etherscan \"result\" is not a JSON array") }
            return try events(fromArray: array)
        }
        throw ABIParseError("JSON object has neither \"abi\" (artifact) nor \"result\" (Etherscan getabi)")
    }

    private static func events(fromArray array: [Any]) throws(ABIParseError) -> [ABIEvent] {
        var out: [ABIEvent] = []
        for (i, entry) in array.enumerated() {
            guard let item = entry as? [String: Any] else { throw ABIParseError("entry \(i) is not an object") }
            guard (item["type"] as? String) == "event" else { continue }
            do throws(ABIParseError) {
                out.append(try event(item))
            } catch {
                let name = item["name"] as? String ?? ""
                throw ABIParseError("entry \(i) (event \(name.isEmpty ? "?" : name)): \(error.message)")
            }
        }
        return out
    }

    private static func event(_ item: [String: Any]) throws(ABIParseError) -> ABIEvent {
        guard let name = item["name"] as? String, !name.isEmpty else { throw ABIParseError("missing \"name\"") }
        let inputs = item["inputs"] as? [Any] ?? []
        var params: [ABIEventParam] = []
        for (j, p) in inputs.enumerated() {
            guard let input = p as? [String: Any] else { throw ABIParseError("input \(j) is not an object") }
            let type = try parameterType(input, depth: 0)
            params.append(
                ABIEventParam(
                    name: input["name"] as? String ?? "", type: type, indexed: (input["indexed"] as? Bool) ?? false))
        }
        return ABIEvent(name: name, inputs: params, anonymous: (item["anonymous"] as? Bool) ?? false)
    }

    private static func parameterType(_ input: [String: Any], depth: Int) throws(ABIParseError) -> ABIType {
        guard depth <= ABILimits.maxDepth else { throw ABIParseError("type nested deeper than \(ABILimits.maxDepth)") }
        guard let typeString = input["type"] as? String else { throw ABIParseError("parameter without \"type\"") }
        if typeString.hasPrefix("tuple") {
            guard let comps = input["components"] as? [Any] else {
                throw ABIParseError("'\(typeString)' without \"components\"")
            }
            var cs: [ABIComponent] = []
            for c in comps {
                guard let co = c as? [String: Any] else { throw ABIParseError("component is not an object") }
                cs.append(
                    ABIComponent(name: co["name"] as? String ?? "", type: try parameterType(co, depth: depth + 1)))
            }
            return try HumanReadableABI.applyArraySuffixes(.tuple(cs), typeString.dropFirst(5))
        }
        let base = typeString.prefix { $0 != "[" }
        guard let t = HumanReadableABI.elementary(String(base)) else {
            throw ABIParseError("unknown type '\(typeString)'")
        }
        return try HumanReadableABI.applyArraySuffixes(t, typeString[base.endIndex...])
    }
}
