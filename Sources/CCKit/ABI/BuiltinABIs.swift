/// ABIs bundled with cc-decode, by the names `--abi` accepts.
package enum BuiltinABIs {
    package struct Entry: Sendable {
        package var name: String
        package var summary: String
        package var declarations: String
    }

    package static let all: [Entry] = [
        Entry(name: "erc20", summary: "ERC-20 token: Transfer, Approval", declarations: erc20),
        Entry(
            name: "erc721", summary: "ERC-721 NFT: Transfer, Approval, ApprovalForAll (token id indexed)",
            declarations: """
                event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)
                event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId)
                event ApprovalForAll(address indexed owner, address indexed operator, bool approved)
                """),
        Entry(
            name: "erc1155", summary: "ERC-1155 multi-token: TransferSingle, TransferBatch, ApprovalForAll, URI",
            declarations: """
                event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)
                event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)
                event ApprovalForAll(address indexed account, address indexed operator, bool approved)
                event URI(string value, uint256 indexed id)
                """),
        Entry(
            name: "erc4626", summary: "ERC-4626 vault: Deposit, Withdraw and the ERC-20 events",
            declarations: erc20 + """

                event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares)
                event Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)
                """),
        Entry(
            name: "weth", summary: "Wrapped Ether (WETH9): Deposit, Withdrawal, Transfer, Approval (src/dst/wad names)",
            declarations: """
                event Approval(address indexed src, address indexed guy, uint256 wad)
                event Transfer(address indexed src, address indexed dst, uint256 wad)
                event Deposit(address indexed dst, uint256 wad)
                event Withdrawal(address indexed src, uint256 wad)
                """),
        Entry(
            name: "uniswap-v2-pair",
            summary: "Uniswap V2 pair: Swap, Mint, Burn, Sync and the LP token's ERC-20 events",
            declarations: erc20 + """

                event Mint(address indexed sender, uint256 amount0, uint256 amount1)
                event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to)
                event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out, address indexed to)
                event Sync(uint112 reserve0, uint112 reserve1)
                """),
        Entry(
            name: "uniswap-v3-pool", summary: "Uniswap V3 pool: Swap, Mint, Burn, Collect, Flash, Initialize, …",
            declarations: """
                event Initialize(uint160 sqrtPriceX96, int24 tick)
                event Mint(address sender, address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1)
                event Collect(address indexed owner, address recipient, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount0, uint128 amount1)
                event Burn(address indexed owner, int24 indexed tickLower, int24 indexed tickUpper, uint128 amount, uint256 amount0, uint256 amount1)
                event Swap(address indexed sender, address indexed recipient, int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)
                event Flash(address indexed sender, address indexed recipient, uint256 amount0, uint256 amount1, uint256 paid0, uint256 paid1)
                event IncreaseObservationCardinalityNext(uint16 observationCardinalityNextOld, uint16 observationCardinalityNextNew)
                event SetFeeProtocol(uint8 feeProtocol0Old, uint8 feeProtocol1Old, uint8 feeProtocol0New, uint8 feeProtocol1New)
                event CollectProtocol(address indexed sender, address indexed recipient, uint128 amount0, uint128 amount1)
                """),
    ]

    private static let erc20 = """
        event Transfer(address indexed from, address indexed to, uint256 value)
        event Approval(address indexed owner, address indexed spender, uint256 value)
        """

    package static func named(_ name: String) -> Entry? {
        all.first { $0.name == name.lowercased() }
    }
}
