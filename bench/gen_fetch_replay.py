#!/usr/bin/env python3
"""Deterministic saved eth_getLogs answers for `cc-fetch --replay` (bench/fetch.bench.sh).

usage: gen_fetch_replay.py RESPONSES LOGS_PER_RESPONSE OUT
One JSON-RPC response per line, each with LOGS_PER_RESPONSE ERC-20 Transfer logs
in geth's field order, blocks and log indexes ascending across the file.
"""
import random
import sys

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"


def main():
    responses, per, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(7)
    tokens = ["0x%040x" % rng.getrandbits(160) for _ in range(20)]
    holders = ["0x%064x" % rng.getrandbits(160) for _ in range(256)]
    block = 19_000_000
    with open(out, "w") as f:
        for r in range(responses):
            logs = []
            for i in range(per):
                if i % 8 == 0:
                    block += 1
                    bhash = "0x%064x" % rng.getrandbits(256)
                    index = 0
                logs.append(
                    '{"address":"%s","topics":["%s","%s","%s"],"data":"0x%064x","blockNumber":"0x%x",'
                    '"transactionHash":"0x%064x","transactionIndex":"0x%x","blockHash":"%s","logIndex":"0x%x",'
                    '"removed":false}'
                    % (tokens[rng.randrange(20)], TRANSFER, holders[rng.randrange(256)], holders[rng.randrange(256)],
                       rng.getrandbits(96), block, rng.getrandbits(256), index, bhash, index))
                index += 1
            f.write('{"jsonrpc":"2.0","id":%d,"result":[%s]}\n' % (r + 1, ",".join(logs)))


if __name__ == "__main__":
    main()
