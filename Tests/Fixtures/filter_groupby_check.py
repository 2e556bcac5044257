#!/usr/bin/env python3
"""Independent check of `cc-filter --group-by/--agg` over a large stream.

Generates N decoded events (varied line lengths, escapes, uint256 values,
arrays and objects in args), runs the given cc-filter with every composite
key shape and with aggregates that keep values across lines (first/last/
min/max of scalars, lists and objects), and compares each output row with
the same aggregation computed here with Python integers. Prints "ok CASES"
and exits 0, or prints the first differences and exits 1.

usage: filter_groupby_check.py CC_FILTER N
"""
import json
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

cc_filter, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(20261203)
addresses = ["0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40)) for _ in range(23)]
events = ["Transfer", "Approval", "Swap", "Sync"]
lines, records = [], []
block = 1000
for i in range(n):
    block += rng.choice([0, 0, 1, 3])
    value = rng.choice([rng.randrange(0, 10**6), rng.randrange(0, 2**256)])
    args = {
        "from": rng.choice(addresses),
        "to": rng.choice(addresses[:9]),
        "value": str(value),
        # Length varies a lot, so a stale view into the reused line buffer shows.
        "memo": "m\"" + "x" * rng.randrange(0, 120) + "\\e" + str(i),
        "ids": [str(rng.randrange(3)), str(rng.randrange(2))][: rng.randrange(1, 3)],
        "order": {"maker": rng.choice(addresses[:4]), "side": rng.choice(["buy", "sell"])},
    }
    rec = {"chainId": 1, "blockNumber": block, "logIndex": i % 50,
           "address": rng.choice(addresses[:3]), "event": rng.choice(events), "args": args}
    records.append(rec)
    lines.append(json.dumps(rec, separators=(",", ":")))
data = ("\n".join(lines) + "\n").encode()

KEYS = {
    "event, address": lambda r: [r["event"], r["address"]],
    "[event, args.to]": lambda r: [r["event"], r["args"]["to"]],
    "{e: event, to: args.to}": lambda r: {"e": r["event"], "to": r["args"]["to"]},
    "event, args.to, args.ids[0]": lambda r: [r["event"], r["args"]["to"], r["args"]["ids"][0]],
    "args.ids": lambda r: r["args"]["ids"],
    "args.order": lambda r: r["args"]["order"],
    "[event, {to: args.to, ids: args.ids}], address": lambda r: [
        [r["event"], {"to": r["args"]["to"], "ids": r["args"]["ids"]}], r["address"]],
}
AGG = ("{n: count(), s: sum(args.value), f: first([args.from, blockNumber, args.memo]), "
       "l: last({b: blockNumber, v: args.value, o: args.order}), lo: min(args.value), hi: max(args.value), "
       "d: distinct(args.from), fi: first(args.ids), lm: last(args.memo), fo: first(args.order)}")


def aggregate(key_of, window):
    start = None
    order, state = [], {}
    rows = []

    def close(w):
        for k in order:
            key, g = state[k]
            rows.append({"window": w, "key": key, "n": g["n"], "s": str(g["s"]), "f": g["f"], "l": g["l"],
                         "lo": str(g["lo"]), "hi": str(g["hi"]), "d": len(g["d"]), "fi": g["fi"],
                         "lm": g["lm"], "fo": g["fo"]})
        order.clear()
        state.clear()

    lo_block = hi_block = None
    for r in records:
        b = r["blockNumber"]
        if window == "blocks":
            bucket = b - b % 1000
            if start is not None and bucket != start:
                close({"fromBlock": start, "toBlock": start + 999})
            start = bucket
        key = key_of(r)
        k = json.dumps(key, separators=(",", ":"))
        a = r["args"]
        v = int(a["value"])
        if k not in state:
            order.append(k)
            state[k] = (key, {"n": 0, "s": 0, "f": [a["from"], b, a["memo"]], "l": None, "lo": v, "hi": v,
                              "d": set(), "fi": a["ids"], "lm": None, "fo": a["order"]})
        g = state[k][1]
        g["n"] += 1
        g["s"] += v
        g["l"] = {"b": b, "v": a["value"], "o": a["order"]}
        g["lo"] = min(g["lo"], v)
        g["hi"] = max(g["hi"], v)
        g["d"].add(a["from"])
        g["lm"] = a["memo"]
        lo_block = b if lo_block is None else min(lo_block, b)
        hi_block = b if hi_block is None else max(hi_block, b)
    if window == "blocks":
        if start is not None:
            close({"fromBlock": start, "toBlock": start + 999})
    else:
        close({"fromBlock": lo_block, "toBlock": hi_block})
    return rows


def run(case):
    spec, key_of, window = case
    argv = [cc_filter, "--group-by", spec, "--agg", AGG]
    if window == "blocks":
        argv += ["--window", "blocks:1000"]
    p = subprocess.run(argv, input=data, capture_output=True)
    label = f"--group-by {spec!r} --window {window}"
    if p.returncode != 0 or p.stderr:
        return [f"{label}: status {p.returncode}, stderr {p.stderr[:300]!r}"]
    try:
        got = [json.loads(line) for line in p.stdout.decode().split("\n")[:-1]]
    except ValueError as e:
        return [f"{label}: invalid JSON output: {e}"]
    want = aggregate(key_of, window)
    if got == want:
        return []
    out = [f"{label}: {len(got)} rows, expected {len(want)}"]
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            out += [f"  row {i}: got  {json.dumps(g)[:400]}", f"  row {i}: want {json.dumps(w)[:400]}"]
            break
    return out


# Each key shape once, windows alternating; two at a time (debug builds are slow).
cases = [(spec, key_of, ["end", "blocks"][k % 2]) for k, (spec, key_of) in enumerate(KEYS.items())]
with ThreadPoolExecutor(max_workers=2) as pool:
    reports = list(pool.map(run, cases))
failures = [line for r in reports for line in r]
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"ok {len(cases)}")
