"""Compares a tickpipe replay report (--json) with tickpipe-gen's manifest of the same
session, and prints a short readable verdict. Used by tools/demo.

usage: demo_compare.py MANIFEST.json REPORT.json
"""
import json
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    man = json.load(open(sys.argv[1]))
    rep = json.load(open(sys.argv[2]))
    want = man["delivered"]
    rows = [
        ("messages delivered", want["messages_total"], rep["messages_total"]),
        ("duplicates discarded", man["anomalies"]["duplicates"], rep["duplicates"]),
        ("messages lost in gaps", man["anomalies"]["messages_lost"], rep["gaps"]["messages_missing"]),
        # every malformed packet and every non-UDP frame is counted once and skipped
        ("malformed + non-UDP", man["anomalies"]["malformed"]["packets"]
         + man["anomalies"]["non_udp"]["frames"], rep["malformed"]),
    ]
    ok = True
    print(f"  {'':24} {'generator':>12} {'tickpipe':>12}")
    for name, w, g in rows:
        mark = "" if w == g else "   <-- differs"
        ok &= w == g
        print(f"  {name:24} {w:>12,} {g:>12,}{mark}")
    types_ok = want["messages"] == rep["messages"]
    ok &= types_ok
    print(f"  per-type counts ({len(want['messages'])} ITCH types): "
          f"{'identical' if types_ok else 'DIFFER'}")
    books = man["books"]
    same = sum(1 for s, b in books.items() if rep["books"].get(s) == b)
    ok &= same == len(books)
    print(f"  top of book and level counts: {same} of {len(books)} symbols identical")
    for sym in sorted(books)[:4]:
        b = rep["books"].get(sym, {})
        bid, ask = b.get("bid"), b.get("ask")
        fmt = lambda x: f"{x[1]:>6} @ {x[0] / 10000:>9.4f}" if x else "      empty"
        print(f"    {sym:6} bid {fmt(bid)}   ask {fmt(ask)}")
    lat = rep.get("latency_ns", {})
    for stage, v in lat.items():
        print(f"  latency {stage:16} p50 {v['p50']:>8,} ns   p99 {v['p99']:>8,} ns   "
              f"p99.9 {v['p999']:>9,} ns")
    print("  verdict: " + ("the pipeline reproduced the generator's session exactly" if ok
                           else "MISMATCH against the generator's manifest"))
    return 0 if ok else 1


sys.exit(main())
