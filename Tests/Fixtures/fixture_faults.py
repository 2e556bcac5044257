"""How the fixture node misbehaves: provider error wordings and fault switches."""

# ---------------------------------------------------------------------------
# Provider error shapes. Each style says how a range limit and a result limit
# are reported: (HTTP status, JSON-RPC code, message template, data or None).
# Templates see: limit, n (blocks asked), frm/to (asked), sfrm/sto (a range
# that would work), count (logs matched).
# ---------------------------------------------------------------------------
STYLES = {
    "geth": {
        "range": (200, -32000, "exceed maximum block range: {limit}", None),
        "results": (200, -32000, "query returned more than {limit} results", None),
    },
    "erigon": {
        "range": (200, -32000, "block range too large, max range: {limit}", None),
        "results": (200, -32000, "query returns too many logs, narrow your filter: {limit}", None),
    },
    "reth": {
        "range": (200, -32602, "query exceeds max block range {limit}", None),
        "results": (200, -32602, "query exceeds max results {limit}, retry with the range {sfrm}-{sto}", None),
    },
    "alchemy": {
        "range": (200, -32602, "Under the Free tier plan, you can make eth_getLogs requests with up to a {limit} block "
                  "range. Based on your parameters, this block range should work: [{sfrm_hex}, {sto_hex}]", None),
        "results": (200, -32602, "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block "
                    "range and no limit on the response size, or you can request any block range with a cap of "
                    "{limit} logs in the response. Based on your parameters and the response size limit, this block "
                    "range should work: [{sfrm_hex}, {sto_hex}]", None),
    },
    "infura": {
        "range": (200, -32602, "range {n} exceeds limit of {limit}", None),
        "results": (200, -32005, "query returned more than {limit} results. Try with this block range "
                    "[{sfrm_hex}, {sto_hex}].", {"from": "{sfrm_hex}", "to": "{sto_hex}", "limit": "{limit}"}),
    },
    "quicknode": {
        "range": (413, -32614, "eth_getLogs is limited to a {limit_commas} range", None),
        "results": (200, -32614, "eth_getLogs is limited to a {limit_commas} range", None),
    },
    "ankr": {
        "range": (200, -32600, "block range is too wide", None),
        "results": (200, -32062, "query exceeds max results {limit}", None),
    },
    "ankr-tac": {"range": (200, -32000, "maximum [from, to] blocks distance: {limit}", None)},
    "cloudflare": {"range": (200, -32047, "Max range: {limit}", None)},
    "thirdweb": {"range": (200, -32602, "Maximum allowed number of requested blocks is {limit}", None)},
    "avalanche": {"range": (200, -32000, "requested too many blocks from {frm} to {to}, maximum is set to {limit}",
                            None)},
    "zksync": {"results": (200, -32602, "Query returned more than {limit} results. Try with this block range "
                           "[{sfrm_hex}, {sto_hex}].", None)},
    "blockpi": {"range": (200, -32000, "eth_getLogs is limited to {limit} block range", None)},
    "1rpc": {"results": (200, -32000, "response size should not greater than 10000000 bytes", None)},
    "llamarpc": {"results": (200, -32000, "query exceeds max results {limit}", None)},
    "optimism": {"range": (200, -32600, "Block range is too large", None),
                 "results": (200, -32000, "backend response too large", None)},
    "base": {"range": (200, -32000, "block range too large", None)},
    "arbitrum": {"results": (200, -32000, "logs matched by query exceeds limit of {limit}", None)},
    "blast": {"range": (200, -32000, "eth_getLogs block range exceeds the range allowed for your plan "
                        "({n} > {limit})", None)},
    "chainstack": {"range": (200, -32000, "Block range limit exceeded. Upgrade your plan.", None)},
    "coinbase": {"range": (200, -32000, "please limit the query to at most {limit} blocks", None)},
    "publicnode": {"range": (200, -32000, "maximum block range: {limit}", None)},
    "swell": {"range": (200, -32000, "block range greater than {limit} max", None)},
    "somnia": {"range": (200, -32000, "block range exceeds {limit}", None)},
    "harmony": {"range": (200, -32000, "GetLogs query must be smaller than size {limit}", None)},
    "moonriver": {"range": (200, -32603, "block range is too wide (maximum {limit})", None)},
    "aurora": {"range": (200, -32000, "You can make eth_getLogs requests with up to a {limit} block range", None)},
    "merkle": {"range": (200, -32000, "eth_getLogs range is too large, max is 10k blocks", None)},
    "drpc": {"range": (200, 35, "ranges over {limit} blocks are not supported on freetier", None)},
    "besu": {"range": (200, -32005, "Requested range exceeds maximum range limit", None)},
    "nethermind": {"range": (200, -32602, "'eth_getLogs' exceeded the maximum block range of {limit}", None)},
}
ERROR_STYLES = sorted(STYLES)


class Faults:
    """Runtime-changeable misbehaviour. Counters are per RPC HTTP request (1-based)."""

    FIELDS = {
        "range_limit": int, "result_limit": int, "error_style": str, "rate_limit_every": int,
        "retry_after": str, "fail_503_every": int, "fail_500_every": int, "drop_every": int, "reset_every": int,
        "truncate_every": int, "garbage_every": int, "header_not_found_every": int, "reverse_logs_every": int, "latency_ms": float,
        "reject_batches": bool, "max_batch": int, "gzip": bool, "failing_method": list,
    }

    def __init__(self, args):
        for name in self.FIELDS:
            setattr(self, name, getattr(args, name))

    def update(self, changes):
        for key, value in changes.items():
            key = key.replace("-", "_")
            if key not in self.FIELDS:
                raise ValueError("unknown fault %r (known: %s)" % (key, ", ".join(sorted(self.FIELDS))))
            if key == "error_style" and value not in STYLES:
                raise ValueError("unknown error style %r" % value)
            setattr(self, key, None if value is None else self.FIELDS[key](value))

    def snapshot(self):
        return {name: getattr(self, name) for name in self.FIELDS}


def every(k, n):
    return bool(k) and k > 0 and n % k == 0
