"""The fixture node's synthetic chain: blocks, hashes and ERC-20/721 logs,
deterministic in (chain id, seed, block number, fork version)."""

import hashlib
import random
import threading
import time

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


class RPCError(Exception):
    def __init__(self, code, message, data=None, http_status=200):
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.http_status = http_status


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
        # Members a newer (or hostile) node adds after blockNumber, as raw JSON text.
        extra = getattr(args, "extra_log_members", "") or ""
        self.extra = "," + extra if extra else ""
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

    def block(self, n, v=None):
        if v is None:
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
            # An orphaned block's parent is the block of the same fork below it
            # (for canonical blocks this is simply the canonical parent).
            "parentHash": self.block_hash(n - 1, min(v, self.version(n - 1))) if n > 0 else ZERO_WORD,
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
                         '","blockNumber":"', number, '"', self.extra, ',"transactionHash":"', tx_hash,
                         '","transactionIndex":"', hex(tx_index), '","blockHash":"', bhash]
                if self.with_ts:
                    parts += ['","blockTimestamp":"', ts]
                parts += ['","logIndex":"', hex(log_index), '","removed":false}']
                out.append((address, tuple(topics), "".join(parts).encode(), tx_hash))
        with self.lock:
            self.log_cache[key] = out
            self.joined_cache[key] = b",".join(item[2] for item in out)
        return out

    def joined(self, n, v=None):
        if v is None:
            v = self.version(n)
        self.logs(n, v)
        return self.joined_cache[(n, v)]
