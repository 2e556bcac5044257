#!/usr/bin/env python3
"""Deterministic decoded ERC-20 Transfer events, exactly as cc-decode writes them
(stream contract, record 2), for benchmarks and tests.

    bench/gen_decoded.py --count 1000000 --seed 1 > bench/out/transfers-decoded-1m.ndjson

Same arguments, same bytes: a stdlib-only generator (Keccak-256 for EIP-55
included) so any machine with python3 produces the identical file.
Options:
    --count N            events (default 1000000)
    --seed S             random seed (default 1)
    --per-block K        events per block (default 4)
    --marker-every B     also write a checkpoint marker after every B blocks (default 0: none)
"""
import argparse
import random
import sys

# --- Keccak-256 (the pre-NIST padding Ethereum uses), only for EIP-55 of a few thousand addresses.
_RC = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M = (1 << 64) - 1


def _rol(x, n):
    return ((x << n) | (x >> (64 - n))) & _M if n else x


def _keccak_f(a):
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rol(a[x][y], _ROT[x][y])
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        a[0][0] ^= rc
    return a


def keccak256(data: bytes) -> bytes:
    rate = 136
    msg = bytearray(data) + b"\x01"
    while len(msg) % rate:
        msg.append(0)
    msg[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            a[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        a = _keccak_f(a)
    out = b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def checksum(addr20: bytes) -> str:
    h = addr20.hex()
    digest = keccak256(h.encode()).hex()
    return "0x" + "".join(c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(h))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--count", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-block", type=int, default=4)
    ap.add_argument("--marker-every", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    tokens = [checksum(rng.getrandbits(160).to_bytes(20, "big")) for _ in range(8)]
    tokens[0] = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"  # USDC, the common case
    holders = [checksum(rng.getrandbits(160).to_bytes(20, "big")) for _ in range(2000)]

    out = sys.stdout
    buf = []
    block = 19_000_000
    ts = 1_705_000_000
    log_index = 0
    tx_index = 0
    block_hash = "0x%064x" % rng.getrandbits(256)
    filter_hash = "%016x" % rng.getrandbits(64)
    for i in range(args.count):
        if i and i % args.per_block == 0:
            if args.marker_every and (block - 19_000_000 + 1) % args.marker_every == 0:
                buf.append('{"$cc":"checkpoint","chainId":1,"blockNumber":%d,"blockHash":"%s","filter":"%s"}\n'
                           % (block, block_hash, filter_hash))
            block += 1
            ts += 12
            log_index = 0
            tx_index = 0
            block_hash = "0x%064x" % rng.getrandbits(256)
        # Values spread over many magnitudes: about a third above 10**18.
        value = rng.getrandbits(rng.choice((16, 40, 56, 64, 72, 80, 96)))
        tx_hash = "0x%064x" % rng.getrandbits(256)
        buf.append(
            '{"chainId":1,"blockNumber":%d,"blockHash":"%s","blockTimestamp":%d,'
            '"transactionHash":"%s","transactionIndex":%d,"logIndex":%d,'
            '"address":"%s","removed":false,"event":"Transfer",'
            '"signature":"Transfer(address,address,uint256)",'
            '"args":{"from":"%s","to":"%s","value":"%d"}}\n'
            % (block, block_hash, ts, tx_hash, tx_index, log_index,
               tokens[0] if rng.random() < 0.6 else rng.choice(tokens),
               rng.choice(holders), rng.choice(holders), value))
        log_index += 1
        tx_index += rng.random() < 0.5
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


if __name__ == "__main__":
    main()
