#!/usr/bin/env python3
"""End-to-end replay through the full DPDK pipeline (DESIGN.md budget: >= 5M messages/s
through net_pcap with zero drops). Generates a session with tickpipe-gen, replays it with
`tickpipe replay --speed max --json`, and prints one JSON line:
{"bench":"replay","impl":"tickpipe","case":"pcap_max","messages":..,"mps":..,"drops":..,
 "p50_ns":..,...} (latency = rx_to_consumed of the run's report).

usage: bench_replay.py TICKPIPE TICKPIPE_GEN [--messages N] [--stocks N] [--reps N] [--quick]
"""
import json
import os
import subprocess
import sys
import tempfile
import time


def main(argv):
    if len(argv) < 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) > 1 and argv[1] in ("-h", "--help") else 2
    tickpipe, gen = argv[1], argv[2]
    opts = {"--messages": 5000000, "--stocks": 500, "--reps": 3}
    rest = argv[3:]
    while rest:
        a = rest.pop(0)
        if a == "--quick":
            opts.update({"--messages": 100000, "--stocks": 20, "--reps": 1})
        elif a in opts and rest and rest[0].isdigit():
            opts[a] = int(rest.pop(0))
        else:
            sys.stderr.write(f"bench_replay: bad argument '{a}' (try --help)\n")
            return 2
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "s.pcap")
        subprocess.run([gen, "--messages", str(opts["--messages"]), "--stocks",
                        str(opts["--stocks"]), "--seed", "5", "-o", pcap], check=True)
        runs = []
        for _ in range(opts["--reps"]):
            t0 = time.monotonic()
            out = subprocess.run([tickpipe, "replay", "--pcap", pcap, "--speed", "max",
                                  "--json"], check=True, capture_output=True, text=True)
            dt = time.monotonic() - t0
            runs.append((dt, json.loads(out.stdout)))
        runs.sort(key=lambda r: r[0])
        dt, rep = runs[len(runs) // 2]
        if rep["messages_total"] != opts["--messages"]:
            sys.stderr.write("bench_replay: messages lost\n")
            return 1
        lat = rep["latency_ns"]["rx_to_consumed"]
        print(json.dumps({
            "bench": "replay", "impl": "tickpipe", "case": "pcap_max",
            "messages": rep["messages_total"], "stocks": opts["--stocks"],
            # wall time of the whole process (EAL start, pre-scan, replay, report)
            "mps": round(rep["messages_total"] / dt / 1e6, 3),
            "seconds": round(dt, 3), "reps": opts["--reps"],
            "drops": 0 if rep["messages_total"] == opts["--messages"] else None,
            "p50_ns": lat["p50"], "p99_ns": lat["p99"], "p999_ns": lat["p999"],
            "max_ns": lat["max"]}))
    return 0


sys.exit(main(sys.argv))
