import Testing

@testable import CCCore
@testable import CCEthereum

/// Every function, on constants (folded at compile time) and on event fields
/// (evaluated per event): both paths must agree.
@Suite struct FunctionTests {
    @Test(arguments: [
        ("lower(\"AbC-É\")", "\"abc-é\""),
        ("upper(\"abc\")", "\"ABC\""),
        ("lower(args.from)", "\"0x28c6c06298d514db089934071355e5743bf21d60\""),
        ("len(\"héllo\")", "5"),
        ("len(args.ids)", "3"),
        ("len(args.order)", "1"),
        ("len(event)", "8"),
        ("contains(\"Transfer\", \"ans\")", "true"),
        ("contains(event, \"x\")", "false"),
        ("contains(args.ids, 2)", "true"),
        ("contains([1, 2], 3)", "false"),
        ("startsWith(signature, \"Transfer(\")", "true"),
        ("startsWith(\"ab\", \"abc\")", "false"),
        ("endsWith(signature, \"uint256)\")", "true"),
        ("endsWith(\"ab\", \"\")", "true"),
        ("replace(\"a-b-c\", \"-\", \"+\")", "\"a+b+c\""),
        ("replace(\"aaa\", \"aa\", \"b\")", "\"ba\""),
        ("replace(\"abc\", \"\", \"x\")", "\"abc\""),
        ("substr(\"hello\", 1, 3)", "\"ell\""),
        ("substr(\"hello\", -3)", "\"llo\""),
        ("substr(\"hello\", 10)", "\"\""),
        ("substr(\"héllo\", 1, 1)", "\"é\""),
        ("concat(event, \"@\", blockNumber)", "\"Transfer@19000000\""),
        ("int(\"0x10\")", "16"),
        ("int(args.value) / 10**18", "1000"),
        ("int(true)", "1"),
        ("int(\"-42\")", "-42"),
        ("int(\"abc\")", "error: 'int()' needs a number, got string \"abc\""),
        ("str(42)", "\"42\""),
        ("str(args.value * 2)", "\"2000000000000000000000\""),
        ("str(true)", "\"true\""),
        ("str([1, \"a\"])", "\"[1,\\\"a\\\"]\""),
        ("hex(255)", "\"0xff\""),
        ("hex(args.value)", "\"0x3635c9adc5dea00000\""),
        ("hex(\"hi\")", "\"0x6869\""),
        ("abs(-5)", "5"),
        ("abs(\"-7\")", "7"),
        ("min(3, 1, 2)", "1"),
        ("max(3, \"10\", 2)", "10"),
        ("max(args.ids)", "3"),
        ("min(null, 4)", "4"),
        ("coalesce(args.missing, args.value)", "\"1000000000000000000000\""),
        ("keccak256(\"hello\")", "\"0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8\""),
        ("keccak256(signature)", "\"0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef\""),
        ("keccak256(1)", "\"0xb10e2d527612073b26eecdfd717e6a320cf44b4afac2b0732d9fcbe2b7fa0cf6\""),
        ("keccak256(\"0xABCD\")", "\"0xdbe576b4818846aa77e82f4ed5fa78f92766b141f282d36703886d196df39322\""),
        ("checksum(\"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed\")", "\"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\""),
        ("checksum(lower(address)) == address", "true"),
        ("checksum(\"0x1234\")", "error: checksum() needs a 20-byte 0x address, got \"0x1234\""),
        ("formatUnits(1500000, 6)", "\"1.5\""),
        ("formatUnits(args.value, 18)", "\"1000.0\""),
        ("formatUnits(1, 18)", "\"0.000000000000000001\""),
        ("formatUnits(-1234, 2)", "\"-12.34\""),
        ("formatUnits(0, 0)", "\"0.0\""),
        (
            "formatUnits(2**256 - 1, 18)",
            "\"115792089237316195423570985008687907853269984665640564039457.584007913129639935\""
        ),
        ("parseUnits(\"1.5\", 6)", "1500000"),
        ("parseUnits(\"1000\", 18) == args.value", "true"),
        ("parseUnits(\"-0.01\", 2)", "-1"),
        ("parseUnits(\".5\", 1)", "5"),
        ("parseUnits(\"1.50\", 1)", "15"),
        ("parseUnits(\"1.25\", 1)", "error: parseUnits(): \"1.25\" has more than 1 fractional digits"),
        ("parseUnits(\"1e5\", 1)", "error: parseUnits(): \"1e5\" is not a decimal number"),
        ("matches(event, \"^Trans\")", "true"),
        ("matches(args.from, \"(?i)^0x28c6\")", "true"),
        ("matches(\"abc\", \"\\\\d\")", "false"),
        ("matches(args[\"odd name\"], \"\\\"\")", "true"),
    ])
    func function(_ source: String, _ expected: String) throws {
        #expect(try evalTransfer(source) == expected)
    }

    @Test func ecrecoverRecoversTheSigner() throws {
        let key = [UInt8](repeating: 0, count: 31) + [7]
        let hash = Keccak256.hash(Array("chain cast".utf8))
        let sig = try Secp256k1.sign(hash: hash, privateKey: key)
        let signer = ChecksumAddress.string(try Secp256k1.address(privateKey: key))
        let r = Hex.encode(Array(sig[0..<32])), s = Hex.encode(Array(sig[32..<64]))
        let expr = "ecrecover(\"\(Hex.encode(hash))\", \(sig[64]), \"\(r)\", \"\(s)\")"
        #expect(try eval(expr) == "\"\(signer)\"")
        // v as 0/1 works too; a wrong hash recovers someone else.
        #expect(try eval("ecrecover(\"\(Hex.encode(hash))\", \(sig[64] - 27), \"\(r)\", \"\(s)\")") == "\"\(signer)\"")
        #expect(try eval("ecrecover(keccak256(\"other\"), \(sig[64]), \"\(r)\", \"\(s)\")") != "\"\(signer)\"")
        #expect(try eval("ecrecover(\"0x00\", 27, 1, 1)") == "error: ecrecover() hash must be 32 bytes, got \"0x00\"")
        #expect(
            try eval("ecrecover(keccak256(\"x\"), 29, 1, 1)") == "error: ecrecover() v must be 0, 1, 27 or 28, got 29")
        #expect(try eval("ecrecover(keccak256(\"x\"), 27, 0, 0)") == "null")
    }

    @Test func functionsPropagateNull() throws {
        for f in [
            "lower(x)", "upper(x)", "len(x)", "contains(x, 1)", "startsWith(x, \"a\")", "endsWith(x, \"a\")",
            "replace(x, \"a\", \"b\")", "substr(x, 1)", "int(x)", "str(x)", "hex(x)", "abs(x)", "keccak256(x)",
            "checksum(x)", "formatUnits(x, 18)", "parseUnits(x, 18)", "ecrecover(x, 27, 1, 1)", "matches(x, \"a\")",
            "concat(x, \"a\")",
        ] {
            #expect(try eval(f, event: "{}") == "null", "\(f)")
        }
        #expect(try eval("min(x)", event: "{}") == "null")
        #expect(try eval("coalesce(x, y)", event: "{}") == "null")
    }
}
