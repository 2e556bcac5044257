#!/usr/bin/env python3
"""Runs the amount query patterns that README.md and cc-sink(1) document,
with the sqlite3 shell and with Python's sqlite3, against a database
cc-sink wrote from STREAM, and compares every answer with one computed here
from the stream with Python integers. Prints one line per mismatch and
exits 1 when there is any; prints "ok N" (patterns checked) otherwise.

usage: sql_amounts_check.py DB STREAM"""
import json
import sqlite3
import subprocess
import sys
from decimal import Decimal


# The Python registration README.md documents, verbatim in spirit: the
# decimal extension's collation and aggregate, which the sqlite3 shell has.
def decimal_cmp(a, b):
    x, y = Decimal(a), Decimal(b)
    return (x > y) - (x < y)


class DecimalSum:
    def __init__(self):
        self.total = None

    def step(self, v):
        if v is not None:
            self.total = (self.total or 0) + int(v)

    def finalize(self):
        return None if self.total is None else str(self.total)


def main():
    db, stream = sys.argv[1], sys.argv[2]
    transfers, swaps = [], []
    for line in open(stream):
        r = json.loads(line)
        if r.get("$cc") or "event" not in r:
            continue
        if r["event"] == "Transfer":
            a = r["args"]
            transfers.append((a["to"], int(a["value"])))
        elif r["event"] == "Swap":
            swaps.append(int(r["args"]["amount"]))
    values = [v for _, v in transfers]
    e18, e128 = 10**18, 2**128

    by_to = {}
    for to, v in transfers:
        by_to[to] = by_to.get(to, 0) + v
    top5 = sorted(by_to.items(), key=lambda kv: -kv[1])[:5]
    some_to = transfers[0][0]

    def rows(*r):
        return [tuple(str(x) for x in row) for row in r]

    cases = [
        ("select count(*) from Transfer where value >= 1000000000000000000",
         rows((sum(v >= e18 for v in values),))),
        ("select count(*) from Transfer where value >= '340282366920938463463374607431768211456'",
         rows((sum(v >= e128 for v in values),))),
        ("select count(*) from Transfer where value between 1000 and 9223372036854775807",
         rows((sum(1000 <= v <= 2**63 - 1 for v in values),))),
        ("select value from Transfer order by value desc limit 10",
         rows(*[(v,) for v in sorted(values, reverse=True)[:10]])),
        ("select max(value), min(value) from Transfer", rows((max(values), min(values)))),
        ("select decimal_sum(value) from Transfer", rows((sum(values),))),
        ('select "to", decimal_sum(value) as total from Transfer group by "to" '
         "order by total collate decimal desc limit 5",
         rows(*top5)),
        ("select count(*) from Transfer where \"to\" = '%s'" % some_to.lower(),
         rows((sum(t.lower() == some_to.lower() for t, _ in transfers),))),
        ("select count(*) from Swap where amount < 0", rows((sum(a < 0 for a in swaps),))),
        ("select count(*) from Swap where amount >= -1000000000000000000000",
         rows((sum(a >= -10**21 for a in swaps),))),
        ("select amount from Swap order by amount limit 5", rows(*[(a,) for a in sorted(swaps)[:5]])),
        ("select decimal_sum(amount) from Swap", rows((sum(swaps),))),
        # events.args: json_extract is an INTEGER below 2^63 and a REAL above, so
        # a threshold written as an integer literal is exact (a value >= 2^63
        # rounds to a REAL >= 2^63, above every such threshold)...
        ("select count(*) from events where event = 'Transfer' "
         "and json_extract(args, '$.value') >= 1000000000000000000",
         rows((sum(v >= e18 for v in values),))),
        ("select count(*) from events where event = 'Transfer' "
         "and json_extract(args, '$.value') >= 9223372036854775807",
         rows((sum(v >= 2**63 - 1 for v in values),))),
        ("select count(*) from events where event = 'Swap' and json_extract(args, '$.amount') < 0",
         rows((sum(a < 0 for a in swaps),))),
        # ...while order and thresholds above 2^63 compare the exact text with the decimal collation.
        ("select args -> '$.value' from events where event = 'Transfer' "
         "order by (args -> '$.value') collate decimal desc limit 5",
         rows(*[(v,) for v in sorted(values, reverse=True)[:5]])),
        ("select count(*) from events where event = 'Transfer' "
         "and (args -> '$.value') collate decimal >= '340282366920938463463374607431768211456'",
         rows((sum(v >= e128 for v in values),))),
        ("select args -> '$.amount' from events where event = 'Swap' "
         "order by (args -> '$.amount') collate decimal limit 3",
         rows(*[(a,) for a in sorted(swaps)[:3]])),
        ("select decimal_sum(args -> '$.value') from events where event = 'Transfer'", rows((sum(values),))),
        ("select args ->> '$.to', decimal_sum(args -> '$.value') as total from events "
         "where event = 'Transfer' group by 1 order by total collate decimal desc limit 5",
         rows(*top5)),
        # Plain sum() is exact (or "integer overflow") while every value fits in
        # 64 bits, and a float as soon as one does not: what the docs say.
        ("select sum(value) from Transfer where value < 1000000000000",
         rows((sum(v for v in values if v < 10**12),))),
        ("select typeof(sum(value)), typeof(avg(value)) from Transfer "
         "where value >= '9223372036854775808'",
         rows(("real", "real"))),
        ("select typeof(sum(json_extract(args, '$.value'))) from events "
         "where event = 'Transfer' and json_extract(args, '$.value') >= 9223372036854775807",
         rows(("real",))),
    ]

    con = sqlite3.connect(db)
    con.create_collation("decimal", decimal_cmp)
    con.create_aggregate("decimal_sum", 1, DecimalSum)
    failures = 0
    for sql, want in cases:
        got_py = [tuple(str(x) for x in row) for row in con.execute(sql).fetchall()]
        out = subprocess.run(["sqlite3", "-readonly", "-separator", "\t", db, sql],
                             capture_output=True, text=True)
        got_shell = [tuple(l.split("\t")) for l in out.stdout.splitlines()]
        if out.returncode != 0:
            got_shell = ["error: " + out.stderr.strip()]
        for who, got in (("python", got_py), ("shell", got_shell)):
            if got != want:
                failures += 1
                print(f"{who}: {sql}\n  want {want}\n  got  {got}")
    # Without the registration, Python must fail loudly, not compare text.
    plain = sqlite3.connect(db)
    try:
        plain.execute("select count(*) from Transfer where value >= 1000000000000000000").fetchall()
        failures += 1
        print("python without the decimal collation answered instead of failing")
    except sqlite3.OperationalError as e:
        if "decimal" not in str(e):
            failures += 1
            print("unexpected error: %s" % e)
    if failures:
        sys.exit(1)
    print("ok %d" % len(cases))


main()
