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
import json
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # importing the siblings below must not litter the source tree

from fixture_cache import CachedResult, Parts, ResultCache  # noqa: E402
from fixture_chain import HOLDER_COUNT, TOKEN_COUNT, Chain, RPCError  # noqa: E402
from fixture_faults import ERROR_STYLES, STYLES, Faults, every  # noqa: E402
from fixture_parent import exit_with_parent  # noqa: E402


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
            if method in self.faults.failing_method:
                self.bump("faults", "failing_method")
                raise RPCError(-32603, "internal error")
            if every(self.faults.header_not_found_every, seq) and method in ("eth_getLogs", "eth_getBlockByNumber"):
                self.bump("faults", "header_not_found")
                raise RPCError(-32000, "header not found")
            result = self.dispatch(method, params)
            if every(self.faults.reverse_logs_every, seq) and method == "eth_getLogs" and result.count > 1:
                # A lying provider: the logs in reverse order (a client must refuse the answer).
                self.bump("faults", "reverse_logs")
                result = CachedResult(json.dumps(json.loads(result.raw)[::-1], separators=(",", ":")).encode(),
                                      result.count)
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
            found = self.block_by_hash(params[0])
            if found is None:
                return b"null"
            return self.encode_block(found[0], len(params) > 1 and params[1] is True, found[1])
        if method == "eth_getLogs":
            if not isinstance(params, list) or len(params) != 1 or not isinstance(params[0], dict):
                raise RPCError(-32602, "invalid argument 0: expected a filter object")
            return self.get_logs(params[0])
        if method == "eth_getBalance" and self.args.state_from is not None:
            # Every account is empty; a pruned node has no state below --state-from (geth's wording).
            head = c.head()
            n = c.tag_to_number(params[1], head) if isinstance(params, list) and len(params) > 1 else head
            if n < self.args.state_from:
                raise RPCError(-32000, "missing trie node %064x (path ) state %d is not available" % (n, n))
            return b'"0x0"'
        raise RPCError(-32601, "the method %s does not exist/is not available" % method)

    def block_by_hash(self, hsh):
        """(number, version) of a block the node knows by hash: canonical ones,
        and with --serve-orphans also reorged-out ones (as geth keeps side
        chains); None otherwise."""
        entry = self.chain.hash_index.get(hsh.lower())
        if entry is None:
            return None
        n, v = entry
        if n > self.chain.head():
            return None
        if self.chain.version(n) != v and not self.args.serve_orphans:
            return None
        return n, v

    def encode_block(self, n, full, v=None):
        blk = dict(self.chain.block(n, v))
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
            found = self.block_by_hash(str(flt["blockHash"]))
            if found is None:
                raise RPCError(-32000, "unknown block")
            frm = to = found[0]
            version = found[1]
        else:
            version = None
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
                   tuple(frozenset(t) if t is not None else None for t in topics), tuple(c.reorg_starts), version)
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
                j = c.joined(n, version)
                k = len(c.logs(n, version))
                if j:
                    pieces.append(j)
            else:
                k = 0
                for addr, tps, enc, _ in c.logs(n, version):
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
            if "serve_orphans" in cmd:
                # On and off at run time: a node that kept the side chain, then pruned it.
                node.args.serve_orphans = bool(cmd["serve_orphans"])
            if "advance_every" in cmd:
                # Seconds per new block from now on (0: the head stays where it is).
                with node.chain.lock:
                    node.chain.set_head(node.chain.head())
                    node.chain.advance_every = float(cmd["advance_every"])
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
    p.add_argument("--extra-log-members", default="",
                   help='raw JSON members added to every log after blockNumber, e.g. \'"blobGasUsed":"0x1"\'')
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
    p.add_argument("--failing-method", action="append", default=[],
                   help="every call of this method answers -32603 internal error (repeatable)")
    p.add_argument("--reverse-logs-every", type=int, default=0,
                   help="eth_getLogs answers with two or more logs come in reverse order")
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--reject-batches", action="store_true")
    p.add_argument("--max-batch", type=int, default=0)
    p.add_argument("--no-gzip", dest="gzip", action="store_false")
    p.add_argument("--head-start", type=int, default=None)
    p.add_argument("--head-advance-every", type=float, default=0, help="seconds per new block")
    p.add_argument("--reorg-at", type=int, default=None)
    p.add_argument("--reorg-depth", type=int, default=3)
    p.add_argument("--state-from", type=int, default=None,
                   help="serve eth_getBalance, with state from block N on (0: an archive node); without it "
                        "the method does not exist")
    p.add_argument("--api-key", default=None, help="require POST path /v2/KEY, else 401")
    p.add_argument("--serve-orphans", action="store_true",
                   help="serve reorged-out blocks and their logs by hash, as geth does for side chains")
    p.add_argument("--cache-mb", type=int, default=256, help="memory for repeated eth_getLogs answers (0: none)")
    p.add_argument("--pregenerate", action="store_true", help="build every block's logs before listening")
    args = p.parse_args(argv)
    if args.blocks < 1:
        p.error("--blocks must be at least 1")
    return args


def main(argv=None):
    exit_with_parent()
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
