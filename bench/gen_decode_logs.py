#!/usr/bin/env python3
"""Deterministic raw-log generator for bench/decode.bench.sh.

  gen_decode_logs.py erc20 N OUT    N mainnet-like ERC-20 Transfer logs
  gen_decode_logs.py nested N OUT   N logs of an event with nested dynamic tuples and arrays

Mainnet-like: 20 tokens, 3,000 holders (a few hot ones), ~150 logs per block,
values spread from 0 to 2**256-1 with most in the 10**6..10**24 range.
"""
import random
import sys

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
# keccak256("Batch(address,(uint256,string,bytes32[])[],uint256[][])")
BATCH = None


def hexword(v):
    return "%064x" % v


def value(rng):
    r = rng.random()
    if r < 0.05:
        return 0
    if r < 0.45:
        return rng.randrange(10**6, 10**12)
    if r < 0.90:
        return rng.randrange(10**15, 10**24)
    if r < 0.97:
        return rng.randrange(2**64, 2**128)
    if r < 0.99:
        return rng.randrange(2**128, 2**256)
    return 2**256 - 1


def blocks(rng):
    block = 19_000_000
    while True:
        block += 1
        bhash = "0x%064x" % rng.getrandbits(256)
        per_block = rng.randrange(50, 250)
        for log_index in range(per_block):
            yield block, bhash, log_index


def erc20(n, out):
    rng = random.Random(20261128)
    tokens = ["0x%040x" % rng.getrandbits(160) for _ in range(20)]
    holders = ["%064x" % rng.getrandbits(160) for _ in range(3000)]
    hot = holders[:30]
    lines = []
    tx = None
    for i, (block, bhash, log_index) in zip(range(n), blocks(rng)):
        if log_index == 0 or rng.random() < 0.6:
            tx = "0x%064x" % rng.getrandbits(256)
            tx_index = log_index
        frm = rng.choice(hot) if rng.random() < 0.3 else rng.choice(holders)
        to = rng.choice(hot) if rng.random() < 0.3 else rng.choice(holders)
        lines.append(
            '{"address":"%s","topics":["%s","0x%s","0x%s"],"data":"0x%s","blockNumber":"0x%x",'
            '"transactionHash":"%s","transactionIndex":"0x%x","blockHash":"%s","logIndex":"0x%x","removed":false}\n'
            % (rng.choice(tokens), TRANSFER, frm, to, hexword(value(rng)), block, tx, tx_index, bhash, log_index))
        if len(lines) >= 10000:
            out.writelines(lines)
            lines = []
    out.writelines(lines)


def enc_bytes(b):
    pad = (32 - len(b) % 32) % 32
    return hexword(len(b)) + (b + b"\0" * pad).hex()


def enc_tuple(parts):
    """parts: list of (is_dynamic, hex) -> ABI tuple encoding as hex."""
    head_size = 32 * len(parts)
    head, tail = "", ""
    for dyn, h in parts:
        if dyn:
            head += hexword(head_size + len(tail) // 2)
            tail += h
        else:
            head += h
    return head + tail


def nested(n, out):
    rng = random.Random(424242)
    contracts = ["0x%040x" % rng.getrandbits(160) for _ in range(5)]
    senders = ["%064x" % rng.getrandbits(160) for _ in range(500)]
    words = [b"swap", b"mint", b"route via pool", b"fee tier 0.05%", b"\xe2\x82\xac rebate", b"ok"]
    lines = []
    for i, (block, bhash, log_index) in zip(range(n), blocks(rng)):
        items = []
        for _ in range(rng.randrange(1, 4)):
            tags = [rng.getrandbits(256) for _ in range(rng.randrange(0, 3))]
            tags_enc = hexword(len(tags)) + "".join(hexword(t) for t in tags)
            memo = b" ".join(rng.choice(words) for _ in range(rng.randrange(1, 4)))
            items.append((True, enc_tuple([(False, hexword(value(rng))), (True, enc_bytes(memo)), (True, tags_enc)])))
        items_enc = hexword(len(items)) + enc_tuple(items)
        rows = []
        for _ in range(rng.randrange(1, 3)):
            row = [value(rng) for _ in range(rng.randrange(1, 4))]
            rows.append((True, hexword(len(row)) + "".join(hexword(v) for v in row)))
        matrix_enc = hexword(len(rows)) + enc_tuple(rows)
        data = enc_tuple([(True, items_enc), (True, matrix_enc)])
        lines.append(
            '{"address":"%s","topics":["%s","0x%s"],"data":"0x%s","blockNumber":"0x%x",'
            '"transactionHash":"0x%064x","transactionIndex":"0x%x","blockHash":"%s","logIndex":"0x%x","removed":false}\n'
            % (rng.choice(contracts), BATCH, rng.choice(senders), data, block, rng.getrandbits(256), log_index, bhash,
               log_index))
        if len(lines) >= 10000:
            out.writelines(lines)
            lines = []
    out.writelines(lines)


if __name__ == "__main__":
    kind, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if kind == "nested":
        BATCH = sys.argv[4]
    with open(path, "w") as f:
        (erc20 if kind == "erc20" else nested)(n, f)
