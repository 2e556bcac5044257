#!/usr/bin/env python3
"""A deterministic Ethereum JSON-RPC node for Chain Cast's tests, benchmarks and demo.

It serves a synthetic chain (ERC-20 and ERC-721 Transfer and Approval logs from
20 token contracts) over HTTP/1.1 on loopback, and can misbehave on purpose the
way real providers do: range and result limits phrased like geth, erigon, reth,
Alchemy, Infura, QuickNode, Ankr and others, HTTP 429 with Retry-After, 503,
dropped and reset connections, truncated and non-JSON bodies, latency, rejected
batches, an advancing head and reorgs. Python 3 standard library only.

See Tests/Fixtures/README.md for the switches and the control endpoint.
"""

import argparse
import gzip
import hashlib
import json
import random
import socket
import struct
import sys
import threading
import time
import zlib
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
APPROVAL = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
ZERO_WORD = "0x" + "00" * 32
GENESIS_TIME = 1_700_000_000
BLOCK_TIME = 12
TOKEN_COUNT = 20
NFT_COUNT = 3          # the last NFT_COUNT tokens are ERC-721
HOLDER_COUNT = 256


def h256(text):
    return "0x" + hashlib.sha3_256(text.encode()).hexdigest()


def word_of_address(addr):
    return "0x" + "00" * 12 + addr[2:]


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
        "truncate_every": int, "garbage_every": int, "header_not_found_every": int, "latency_ms": float,
        "reject_batches": bool, "max_batch": int, "gzip": bool,
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


class Chain:
    """The synthetic chain. Block n's contents depend only on (seed, n, version(n));
    a reorg starting at block s bumps the version of every block >= s, so the
    reorged blocks and all their descendants get new hashes and new logs."""

    def __init__(self, args):
        self.chain_id = args.chain_id
        self.max_block = args.blocks - 1
        self.seed = args.seed
        self.logs_per_block = args.logs_per_block
        self.with_ts = args.with_block_timestamp
        self.safe_depth = args.safe_depth
        self.finalized_depth = args.finalized_depth
        self.lock = threading.RLock()
        self.reorg_starts = []           # sorted block numbers
        self.hash_index = {}             # block hash -> (number, version)
        self.block_cache = {}            # (n, v) -> dict
        self.log_cache = {}              # (n, v) -> list of (address, topics, bytes)
        self.joined_cache = {}           # (n, v) -> bytes of all logs joined by ","
        self.head_base = args.head_start if args.head_start is not None else self.max_block
        self.head_t0 = time.monotonic()
        self.advance_every = args.head_advance_every
        self.reorg_at = args.reorg_at
        self.reorg_depth = args.reorg_depth
        self.reorg_fired = False
        self.tokens = [("0x" + hashlib.sha3_256(("cc-fixture:token:%d:%d" % (self.seed, i)).encode()).hexdigest()[:40])
                       for i in range(TOKEN_COUNT)]
        self.holders = [("0x" + hashlib.sha3_256(("cc-fixture:holder:%d:%d" % (self.seed, i)).encode()).hexdigest()[:40])
                        for i in range(HOLDER_COUNT)]
        self.holder_words = [word_of_address(a) for a in self.holders]

    # -- head and reorgs ---------------------------------------------------
    def head(self):
        with self.lock:
            h = self.head_base
            if self.advance_every and self.advance_every > 0:
                h += int((time.monotonic() - self.head_t0) / self.advance_every)
            h = max(0, min(h, self.max_block))
            if self.reorg_at is not None and not self.reorg_fired and h > self.reorg_at:
                self.reorg_fired = True
                self._reorg_from(self.reorg_at - self.reorg_depth + 1)
            return h

    def set_head(self, n):
        with self.lock:
            self.head_base = max(0, min(int(n), self.max_block))
            self.head_t0 = time.monotonic()

    def advance(self, k):
        with self.lock:
            self.set_head(self.head() + int(k))

    def reorg(self, depth):
        """Replaces the last `depth` blocks below and at the head; returns the first replaced block."""
        with self.lock:
            start = self.head() - int(depth) + 1
            return self._reorg_from(start)

    def _reorg_from(self, start):
        start = max(1, int(start))
        self.reorg_starts.append(start)
        self.reorg_starts.sort()
        return start

    def version(self, n):
        v = 0
        for s in self.reorg_starts:
            if s <= n:
                v += 1
        return v

    # -- blocks ------------------------------------------------------------
    def block_hash(self, n, v=None):
        if v is None:
            v = self.version(n)
        text = "cc-fixture:%d:%d:block:%d:%d" % (self.chain_id, self.seed, n, v)
        hsh = "0x" + hashlib.sha3_256(text.encode()).hexdigest()
        self.hash_index[hsh] = (n, v)
        return hsh

    def tag_to_number(self, tag, head):
        if tag is None or tag == "latest" or tag == "pending":
            return head
        if tag == "earliest":
            return 0
        if tag == "safe":
            return max(0, head - self.safe_depth)
        if tag == "finalized":
            return max(0, head - self.finalized_depth)
        if isinstance(tag, str) and tag.startswith("0x") and len(tag) > 2:
            try:
                return int(tag, 16)
            except ValueError:
                pass
        raise RPCError(-32602, "invalid argument 0: hex string without 0x prefix" if isinstance(tag, str) and
                       not tag.startswith("0x") else "invalid argument 0: invalid block number %r" % (tag,))

    def block(self, n):
        v = self.version(n)
        key = (n, v)
        blk = self.block_cache.get(key)
        if blk is not None:
            return blk
        logs = self.logs(n, v)
        txs = []
        for _, _, _, tx in logs:
            if not txs or txs[-1] != tx:
                txs.append(tx)
        blk = {
            "number": hex(n),
            "hash": self.block_hash(n, v),
            "parentHash": self.block_hash(n - 1) if n > 0 else ZERO_WORD,
            "timestamp": hex(GENESIS_TIME + BLOCK_TIME * n),
            "miner": self.holders[n % HOLDER_COUNT],
            "gasLimit": hex(30_000_000),
            "gasUsed": hex(min(30_000_000, 21_000 + 52_000 * len(logs))),
            "baseFeePerGas": hex(7 + n % 13),
            "extraData": "0x",
            "nonce": "0x0000000000000000",
            "difficulty": "0x0",
            "size": hex(600 + 120 * len(txs)),
            "stateRoot": h256("state:%d:%d" % (n, v)),
            "receiptsRoot": h256("receipts:%d:%d" % (n, v)),
            "transactionsRoot": h256("txroot:%d:%d" % (n, v)),
            "transactions": txs,
            "uncles": [],
        }
        with self.lock:
            self.block_cache[key] = blk
        return blk

    # -- logs --------------------------------------------------------------
    def logs(self, n, v=None):
        """[(address, topics, encoded bytes, txHash)] for block n, built once per (n, version)."""
        if v is None:
            v = self.version(n)
        key = (n, v)
        cached = self.log_cache.get(key)
        if cached is not None:
            return cached
        out = []
        if n > 0 and self.logs_per_block > 0:
            rng = random.Random("cc-fixture:%d:%d:logs:%d:%d" % (self.chain_id, self.seed, n, v))
            count = rng.randint(0, 2 * self.logs_per_block)
            bhash = self.block_hash(n, v)
            number = hex(n)
            ts = hex(GENESIS_TIME + BLOCK_TIME * n)
            tx_index = -1
            tx_hash = None
            left_in_tx = 0
            for log_index in range(count):
                if left_in_tx == 0:
                    tx_index += 1
                    tx_hash = h256("cc-fixture:%d:%d:tx:%d:%d:%d" % (self.chain_id, self.seed, n, v, tx_index))
                    left_in_tx = rng.choice((1, 1, 1, 2, 2, 3))
                left_in_tx -= 1
                c = rng.randrange(TOKEN_COUNT)
                address = self.tokens[c]
                a = self.holder_words[rng.randrange(HOLDER_COUNT)]
                b = self.holder_words[rng.randrange(HOLDER_COUNT)]
                if c >= TOKEN_COUNT - NFT_COUNT:
                    token_id = "0x%064x" % rng.randrange(1, 10_000)
                    if rng.random() < 0.9:
                        topics = [TRANSFER, ZERO_WORD if rng.random() < 0.1 else a, b, token_id]
                    else:
                        topics = [APPROVAL, a, b, token_id]
                    data = "0x"
                else:
                    r = rng.random()
                    if r < 0.01:
                        value = (1 << 256) - 1
                    elif r < 0.05:
                        value = 0
                    else:
                        value = rng.randrange(1, 10 ** rng.randint(3, 27))
                    data = "0x%064x" % value
                    if rng.random() < 0.85:
                        topics = [TRANSFER, ZERO_WORD if rng.random() < 0.05 else a, b]
                    else:
                        topics = [APPROVAL, a, b]
                parts = ['{"address":"', address, '","topics":["', '","'.join(topics), '"],"data":"', data,
                         '","blockNumber":"', number, '","transactionHash":"', tx_hash,
                         '","transactionIndex":"', hex(tx_index), '","blockHash":"', bhash]
                if self.with_ts:
                    parts += ['","blockTimestamp":"', ts]
                parts += ['","logIndex":"', hex(log_index), '","removed":false}']
                out.append((address, tuple(topics), "".join(parts).encode(), tx_hash))
        with self.lock:
            self.log_cache[key] = out
            self.joined_cache[key] = b",".join(item[2] for item in out)
        return out

    def joined(self, n):
        v = self.version(n)
        self.logs(n, v)
        return self.joined_cache[(n, v)]


class CachedResult:
    """An eth_getLogs result array, kept for repeated queries (benchmarks run
    the same ranges again), with its gzip-ready deflate segment made once."""

    __slots__ = ("raw", "count", "segment")

    def __init__(self, raw, count):
        self.raw = raw
        self.count = count
        self.segment = None

    def deflated(self):
        # A raw deflate stream ended by a full flush: byte-aligned and without
        # back-references, so it can sit between other such segments.
        if self.segment is None:
            c = zlib.compressobj(1, zlib.DEFLATED, -15)
            self.segment = c.compress(self.raw) + c.flush(zlib.Z_FULL_FLUSH)
        return self.segment


class Parts:
    """A JSON-RPC response as prefix + cached result + suffix."""

    __slots__ = ("prefix", "result", "suffix")

    def __init__(self, prefix, result, suffix):
        self.prefix = prefix
        self.result = result
        self.suffix = suffix

    def joined(self):
        return self.prefix + self.result.raw + self.suffix

    def gzipped(self):
        c = zlib.compressobj(1, zlib.DEFLATED, -15)
        head = c.compress(self.prefix) + c.flush(zlib.Z_FULL_FLUSH)
        c = zlib.compressobj(1, zlib.DEFLATED, -15)
        tail = c.compress(self.suffix) + c.flush(zlib.Z_FINISH)
        crc = zlib.crc32(self.suffix, zlib.crc32(self.result.raw, zlib.crc32(self.prefix)))
        size = len(self.prefix) + len(self.result.raw) + len(self.suffix)
        return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + head + self.result.deflated() + tail +
                struct.pack("<II", crc, size & 0xFFFFFFFF))


class ResultCache:
    """Least-recently-used eth_getLogs results, bounded by bytes."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self.lock = threading.Lock()
        self.entries = OrderedDict()
        self.size = 0

    def get(self, key):
        with self.lock:
            hit = self.entries.get(key)
            if hit is not None:
                self.entries.move_to_end(key)
            return hit

    def put(self, key, value):
        if self.max_bytes <= 0 or len(value.raw) > self.max_bytes // 4:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = value
            self.size += len(value.raw)
            while self.size > self.max_bytes and self.entries:
                _, old = self.entries.popitem(last=False)
                self.size -= len(old.raw)


class RPCError(Exception):
    def __init__(self, code, message, data=None, http_status=200):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.http_status = http_status


def parse_filter_list(value, what):
    """None -> wildcard; string -> {string}; list -> set (a null member makes it a wildcard)."""
    if value is None:
        return None
    if isinstance(value, str):
        return {value.lower()}
    if isinstance(value, list):
        if not value:
            return None           # geth: an empty alternative list matches anything
        out = set()
        for item in value:
            if item is None:
                return None
            if not isinstance(item, str):
                raise RPCError(-32602, "invalid argument 0: invalid %s %r" % (what, item))
            out.add(item.lower())
        return out
    raise RPCError(-32602, "invalid argument 0: invalid %s %r" % (what, value))


class Node:
    def __init__(self, args):
        self.args = args
        self.chain = Chain(args)
        self.faults = Faults(args)
        self.cache = ResultCache(args.cache_mb << 20)
        self.stats_lock = threading.Lock()
        self.counter = 0
        self.stats = {"http_requests": 0, "rpc_calls": 0, "batches": 0, "connections": 0, "methods": {},
                      "faults": {}, "get_logs": {"ok": 0, "range_errors": 0, "result_errors": 0, "logs_returned": 0}}

    def bump(self, path, key, k=1):
        with self.stats_lock:
            d = self.stats[path] if path else self.stats
            d[key] = d.get(key, 0) + k

    def next_request(self):
        with self.stats_lock:
            self.counter += 1
            self.stats["http_requests"] += 1
            return self.counter

    # -- JSON-RPC dispatch -------------------------------------------------
    def call(self, req, seq):
        """One JSON-RPC request object -> response bytes. Raises _HTTPFailure for HTTP-level errors."""
        if not isinstance(req, dict):
            return error_bytes(None, -32600, "invalid request")
        rid = req.get("id")
        method = req.get("method")
        params = req.get("params", [])
        self.bump("", "rpc_calls")
        if not isinstance(method, str):
            return error_bytes(rid, -32600, "invalid request")
        self.bump("methods", method)
        if params is None:
            params = []
        try:
            if every(self.faults.header_not_found_every, seq) and method in ("eth_getLogs", "eth_getBlockByNumber"):
                self.bump("faults", "header_not_found")
                raise RPCError(-32000, "header not found")
            result = self.dispatch(method, params)
        except RPCError as e:
            if e.http_status != 200:
                raise _HTTPFailure(e.http_status, error_bytes(rid, e.code, e.message, e.data))
            return error_bytes(rid, e.code, e.message, e.data)
        prefix = b'{"jsonrpc":"2.0","id":' + json.dumps(rid).encode() + b',"result":'
        if isinstance(result, CachedResult):
            return Parts(prefix, result, b"}")
        return prefix + result + b"}"

    def dispatch(self, method, params):
        c = self.chain
        if method == "eth_chainId":
            return json.dumps(hex(c.chain_id)).encode()
        if method == "net_version":
            return json.dumps(str(c.chain_id)).encode()
        if method == "web3_clientVersion":
            return b'"ChainCastFixture/v1.0.0/python"'
        if method == "eth_blockNumber":
            return json.dumps(hex(c.head())).encode()
        if method == "eth_getBlockByNumber":
            if not isinstance(params, list) or len(params) < 1:
                raise RPCError(-32602, "missing value for required argument 0")
            head = c.head()
            n = c.tag_to_number(params[0], head)
            if n > head:
                return b"null"
            return self.encode_block(n, len(params) > 1 and params[1] is True)
        if method == "eth_getBlockByHash":
            if not isinstance(params, list) or len(params) < 1 or not isinstance(params[0], str):
                raise RPCError(-32602, "missing value for required argument 0")
            found = self.canonical_by_hash(params[0])
            if found is None:
                return b"null"
            return self.encode_block(found, len(params) > 1 and params[1] is True)
        if method == "eth_getLogs":
            if not isinstance(params, list) or len(params) != 1 or not isinstance(params[0], dict):
                raise RPCError(-32602, "invalid argument 0: expected a filter object")
            return self.get_logs(params[0])
        raise RPCError(-32601, "the method %s does not exist/is not available" % method)

    def canonical_by_hash(self, hsh):
        entry = self.chain.hash_index.get(hsh.lower())
        if entry is None:
            return None
        n, v = entry
        if n > self.chain.head() or self.chain.version(n) != v:
            return None       # only canonical blocks are served by hash
        return n

    def encode_block(self, n, full):
        blk = dict(self.chain.block(n))
        if full:
            blk["transactions"] = [{"hash": t, "blockHash": blk["hash"], "blockNumber": blk["number"],
                                    "transactionIndex": hex(i), "from": self.chain.holders[i % HOLDER_COUNT],
                                    "to": self.chain.tokens[i % TOKEN_COUNT], "value": "0x0", "input": "0x"}
                                   for i, t in enumerate(blk["transactions"])]
        return json.dumps(blk, separators=(",", ":")).encode()

    def get_logs(self, flt):
        c = self.chain
        head = c.head()
        addresses = parse_filter_list(flt.get("address"), "address")
        topics_raw = flt.get("topics") or []
        if not isinstance(topics_raw, list):
            raise RPCError(-32602, "invalid argument 0: topics must be an array")
        if len(topics_raw) > 4:
            raise RPCError(-32602, "exceed max topics")
        # Positions stay even when they are wildcards: like geth, a filter with
        # N positions only matches logs with at least N topics.
        topics = [parse_filter_list(t, "topic") for t in topics_raw]
        if flt.get("blockHash") is not None:
            if flt.get("fromBlock") is not None or flt.get("toBlock") is not None:
                raise RPCError(-32602, "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
            n = self.canonical_by_hash(str(flt["blockHash"]))
            if n is None:
                raise RPCError(-32000, "unknown block")
            frm = to = n
        else:
            frm = c.tag_to_number(flt.get("fromBlock"), head)
            to = c.tag_to_number(flt.get("toBlock"), head)
            if frm > to:
                raise RPCError(-32602, "invalid block range params")
            if to > head:
                raise RPCError(-32602, "block range extends beyond current head block")
            f = self.faults
            if f.range_limit and to - frm + 1 > f.range_limit:
                self.bump("get_logs", "range_errors")
                raise self.limit_error("range", frm, to, frm, frm + f.range_limit - 1, f.range_limit, None)
        limit = self.faults.result_limit
        key = None
        if not limit:
            key = (frm, to, frozenset(addresses) if addresses is not None else None,
                   tuple(frozenset(t) if t is not None else None for t in topics), tuple(c.reorg_starts))
            hit = self.cache.get(key)
            if hit is not None:
                self.bump("get_logs", "ok")
                self.bump("get_logs", "logs_returned", hit.count)
                return hit
        pieces = []
        count = 0
        unfiltered = addresses is None and not topics
        per_block = [] if limit else None
        for n in range(frm, to + 1):
            if unfiltered:
                j = c.joined(n)
                k = len(c.logs(n))
                if j:
                    pieces.append(j)
            else:
                k = 0
                for addr, tps, enc, _ in c.logs(n):
                    if addresses is not None and addr not in addresses:
                        continue
                    if topics and not topics_match(topics, tps):
                        continue
                    pieces.append(enc)
                    k += 1
            count += k
            if per_block is not None:
                per_block.append(k)
        if limit and count > limit and flt.get("blockHash") is None:
            self.bump("get_logs", "result_errors")
            acc = 0
            sto = frm
            for i, k in enumerate(per_block):
                if acc + k > limit:
                    break
                acc += k
                sto = frm + i
            raise self.limit_error("results", frm, to, frm, sto, limit, count)
        self.bump("get_logs", "ok")
        self.bump("get_logs", "logs_returned", count)
        result = CachedResult(b"[" + b",".join(pieces) + b"]", count)
        if key is not None:
            self.cache.put(key, result)
        return result

    def limit_error(self, kind, frm, to, sfrm, sto, limit, count):
        style = STYLES.get(self.faults.error_style, STYLES["geth"])
        shape = style.get(kind) or STYLES["geth"][kind]
        status, code, template, data = shape
        values = {"limit": limit, "limit_commas": "{:,}".format(limit), "n": to - frm + 1, "frm": frm, "to": to,
                  "sfrm": sfrm, "sto": sto, "sfrm_hex": hex(sfrm), "sto_hex": hex(sto), "count": count}
        message = template.format(**values)
        if data is not None:
            data = {k: (v.format(**values) if isinstance(v, str) else v) for k, v in data.items()}
            if "limit" in data:
                data["limit"] = limit
        return RPCError(code, message, data, http_status=status)


def topics_match(want, have):
    if len(have) < len(want):
        return False  # geth: more positions than topics never matches
    for i, w in enumerate(want):
        if w is not None and have[i] not in w:
            return False
    return True


def error_bytes(rid, code, message, data=None):
    err = {"code": code, "message": message}
    if data is not None:
        err["data"] = data
    return json.dumps({"jsonrpc": "2.0", "id": rid, "error": err}, separators=(",", ":")).encode()


class _HTTPFailure(Exception):
    def __init__(self, status, body):
        super().__init__(status)
        self.status = status
        self.body = body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ChainCastFixture/1.0"
    sys_version = ""
    node = None  # set by main()

    def log_message(self, fmt, *args):  # quiet: tests read stdout/stderr
        pass

    def setup(self):
        super().setup()
        self.node.bump("", "connections")
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send(self, status, body, content_type="application/json", extra=None, allow_gzip=True):
        encoded = body
        use_gzip = (allow_gzip and self.node.faults.gzip and len(body) > 512 and
                    "gzip" in (self.headers.get("Accept-Encoding") or ""))
        if use_gzip:
            encoded = gzip.compress(body, compresslevel=1)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(encoded)))
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(encoded)

    def send_parts(self, parts):
        if (self.node.faults.gzip and len(parts.result.raw) > 512 and
                "gzip" in (self.headers.get("Accept-Encoding") or "")):
            encoded = parts.gzipped()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(encoded)))
            self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(encoded)
        else:
            self.send(200, parts.joined(), allow_gzip=False)

    def send_stats(self):
        with self.node.stats_lock:
            snap = json.loads(json.dumps(self.node.stats))
        snap["head"] = self.node.chain.head()
        snap["reorg_starts"] = list(self.node.chain.reorg_starts)
        snap["faults_config"] = self.node.faults.snapshot()
        self.send(200, json.dumps(snap, sort_keys=True).encode(), allow_gzip=False)

    def do_GET(self):
        if self.path.startswith("/__stats"):
            self.send_stats()
            return
        if self.path.startswith("/__health"):
            self.send(200, b'{"ok":true}', allow_gzip=False)
            return
        self.send(405, b'{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"use POST"}}')

    def do_POST(self):
        body = self.read_body()
        if self.path.startswith("/__control"):
            self.control(body)
            return
        if self.path.startswith("/__stats"):
            self.send_stats()
            return
        if self.path.startswith("/__redirect"):
            # "/__redirect/v2/KEY" answers 308 pointing at "/v2/KEY": an endpoint that moved.
            self.send(308, b"", extra={"Location": self.path[len("/__redirect"):] or "/"}, allow_gzip=False)
            return
        node = self.node
        key = node.args.api_key
        if key is not None and self.path.split("?")[0] != "/v2/" + key:
            node.bump("faults", "401")
            self.send(401, b'{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Must be authenticated!"}}')
            return
        seq = node.next_request()
        f = node.faults
        if f.latency_ms:
            time.sleep(f.latency_ms / 1000.0)
        if every(f.drop_every, seq):
            node.bump("faults", "drop")
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if every(f.reset_every, seq):
            node.bump("faults", "reset")
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if every(f.rate_limit_every, seq):
            node.bump("faults", "429")
            extra = {"Retry-After": f.retry_after} if f.retry_after not in (None, "") else {}
            self.send(429, b'{"jsonrpc":"2.0","id":null,"error":{"code":429,"message":"Too Many Requests: '
                           b'your app has exceeded its compute units per second capacity"}}', extra=extra)
            return
        if every(f.fail_503_every, seq):
            node.bump("faults", "503")
            self.send(503, b"<html><body><h1>503 Service Unavailable</h1>No server is available.</body></html>",
                      content_type="text/html")
            return
        if every(f.fail_500_every, seq):
            node.bump("faults", "500")
            self.send(500, b'{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"internal error"}}')
            return
        if every(f.garbage_every, seq):
            node.bump("faults", "garbage")
            self.send(200, b"<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
                      content_type="text/html")
            return
        try:
            req = json.loads(body)
        except ValueError:
            self.send(200, error_bytes(None, -32700, "parse error"))
            return
        try:
            if isinstance(req, list):
                node.bump("", "batches")
                if f.reject_batches:
                    node.bump("faults", "batch_rejected")
                    self.send(200, error_bytes(None, -32600, "batch requests are not supported"))
                    return
                if not req:
                    self.send(200, error_bytes(None, -32600, "empty batch"))
                    return
                if f.max_batch and len(req) > f.max_batch:
                    node.bump("faults", "batch_too_large")
                    self.send(200, error_bytes(None, -32600, "batch limit %d exceeded (got %d)" %
                                               (f.max_batch, len(req))))
                    return
                items = (node.call(r, seq) for r in req)
                out = b"[" + b",".join(i.joined() if isinstance(i, Parts) else i for i in items) + b"]"
            else:
                out = node.call(req, seq)
        except _HTTPFailure as failure:
            self.send(failure.status, failure.body)
            return
        if isinstance(out, Parts):
            if not every(f.truncate_every, seq):
                self.send_parts(out)
                return
            out = out.joined()
        if every(f.truncate_every, seq) and len(out) > 1:
            node.bump("faults", "truncate")
            cut = out[: max(1, len(out) // 2)]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(cut)
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self.send(200, out)

    def control(self, body):
        node = self.node
        try:
            cmd = json.loads(body or b"{}")
            if not isinstance(cmd, dict):
                raise ValueError("control body must be a JSON object")
            result = {"ok": True}
            if "faults" in cmd:
                node.faults.update(cmd["faults"])
            if "head" in cmd:
                node.chain.set_head(cmd["head"])
            if "advance" in cmd:
                node.chain.advance(cmd["advance"])
            if "reorg" in cmd:
                spec = cmd["reorg"]
                if isinstance(spec, dict) and "from" in spec:
                    with node.chain.lock:
                        result["reorg_from"] = node.chain._reorg_from(spec["from"])
                else:
                    depth = spec.get("depth", 1) if isinstance(spec, dict) else int(spec)
                    result["reorg_from"] = node.chain.reorg(depth)
            if cmd.get("reset_stats"):
                with node.stats_lock:
                    node.counter = 0
                    node.stats = {"http_requests": 0, "rpc_calls": 0, "batches": 0, "connections": 0,
                                  "methods": {}, "faults": {},
                                  "get_logs": {"ok": 0, "range_errors": 0, "result_errors": 0, "logs_returned": 0}}
            result["head"] = node.chain.head()
            self.send(200, json.dumps(result).encode(), allow_gzip=False)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            self.send(400, json.dumps({"ok": False, "error": str(e)}).encode(), allow_gzip=False)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that time out or hang up mid-response are part of the tests.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Deterministic JSON-RPC fixture node for Chain Cast.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8545, help="0 picks a free port")
    p.add_argument("--chain-id", type=int, default=1337)
    p.add_argument("--blocks", type=int, default=20_000, help="blocks 0..N-1 exist (the head never passes N-1)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--logs-per-block", type=int, default=5, help="average; each block has 0..2N logs")
    p.add_argument("--with-block-timestamp", action="store_true", help="logs carry blockTimestamp")
    p.add_argument("--safe-depth", type=int, default=32)
    p.add_argument("--finalized-depth", type=int, default=64)
    p.add_argument("--range-limit", type=int, default=0, help="max blocks per eth_getLogs (0: none)")
    p.add_argument("--result-limit", type=int, default=0, help="max logs per eth_getLogs (0: none)")
    p.add_argument("--error-style", default="geth", choices=ERROR_STYLES)
    p.add_argument("--rate-limit-every", type=int, default=0, help="every Kth request gets HTTP 429")
    p.add_argument("--retry-after", default="1", help="Retry-After value sent with 429 ('' for none)")
    p.add_argument("--fail-503-every", type=int, default=0)
    p.add_argument("--fail-500-every", type=int, default=0)
    p.add_argument("--drop-every", type=int, default=0, help="close the connection without a response")
    p.add_argument("--reset-every", type=int, default=0, help="reset the connection (TCP RST)")
    p.add_argument("--truncate-every", type=int, default=0, help="send half the body, then close")
    p.add_argument("--garbage-every", type=int, default=0, help="HTTP 200 with an HTML body")
    p.add_argument("--header-not-found-every", type=int, default=0)
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--reject-batches", action="store_true")
    p.add_argument("--max-batch", type=int, default=0)
    p.add_argument("--no-gzip", dest="gzip", action="store_false")
    p.add_argument("--head-start", type=int, default=None)
    p.add_argument("--head-advance-every", type=float, default=0, help="seconds per new block")
    p.add_argument("--reorg-at", type=int, default=None)
    p.add_argument("--reorg-depth", type=int, default=3)
    p.add_argument("--api-key", default=None, help="require POST path /v2/KEY, else 401")
    p.add_argument("--cache-mb", type=int, default=256, help="memory for repeated eth_getLogs answers (0: none)")
    p.add_argument("--pregenerate", action="store_true", help="build every block's logs before listening")
    args = p.parse_args(argv)
    if args.blocks < 1:
        p.error("--blocks must be at least 1")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    node = Node(args)
    if args.pregenerate:
        for n in range(args.blocks):
            node.chain.joined(n)
    Handler.node = node
    server = Server((args.host, args.port), Handler)
    port = server.server_address[1]
    sys.stdout.write("listening http://%s:%d\n" % (args.host, port))
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
