#!/usr/bin/env python3
"""Integration tests of the tickpipe program through the DPDK path (net_pcap vdevs, EAL,
lcores, rings), one case per meson test:

    dataplane_test.py --tickpipe EXE [--gen EXE] --data DIR CASE

Each case works in its own temporary directory and runs tickpipe with --in-memory (its
default), so cases run in parallel. Expected values are exact: the shared captures' known
contents, or tickpipe-gen's manifest of what it wrote."""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

JSON_KEYS = ["messages", "messages_total", "gaps", "duplicates", "malformed", "unknown_refs",
             "books", "halts", "alerts", "latency_ns"]
# Most cases pin EAL to ordinary pages: hugepages are shared with every other test and
# benchmark on the machine. gen_clean runs with tickpipe's own defaults.
EAL = ["--no-huge", "-m", "256"]

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


class Fail(Exception):
    pass


def eq(got, want, what):
    if got != want:
        raise Fail(f"{what}: got {got!r}, want {want!r}")


def check(cond, what):
    if not cond:
        raise Fail(what)


class Env:
    def __init__(self, args):
        self.tickpipe = args.tickpipe
        self.gen = args.gen
        self.data = args.data
        self.tmp = tempfile.mkdtemp(prefix="tp-dataplane-")
        self.env = dict(os.environ, TP_NO_HUGE="1")

    def path(self, name):
        return os.path.join(self.tmp, name)

    def run(self, app_args, eal=EAL, timeout=50, check_rc=None):
        cmd = [self.tickpipe] + (list(eal) + ["--"] if eal is not None else []) + app_args
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env)
        if check_rc is not None and r.returncode != check_rc:
            raise Fail(f"{' '.join(cmd)}: exit {r.returncode}, want {check_rc}\n"
                       f"stdout: {r.stdout[-2000:]}\nstderr: {r.stderr[-2000:]}")
        return r

    def json(self, app_args, eal=EAL):
        r = self.run(app_args + ["--json"], eal=eal, check_rc=0)
        return parse_report(r.stdout)

    def make(self, name, gen_args):
        """tickpipe-gen output and its manifest."""
        if not self.gen:
            raise Fail("tickpipe-gen not built")
        out, man = self.path(name), self.path(name + ".json")
        subprocess.run([self.gen, "-o", out, "--manifest", man] + gen_args, check=True,
                       timeout=50)
        with open(man) as f:
            return out, json.load(f)


def parse_report(stdout):
    lines = stdout.splitlines()
    eq(len(lines), 1, "--json prints exactly one line")
    j = json.loads(lines[0])
    eq(list(j.keys()), JSON_KEYS, "JSON keys")
    eq(list(j["gaps"].keys()), ["messages_missing", "events"], "gaps keys")
    eq(sorted(j["latency_ns"].keys()), ["rx_to_consumed", "rx_to_decoded"], "latency stages")
    for stage, v in j["latency_ns"].items():
        eq(list(v.keys()), ["p50", "p99", "p999", "max"], f"latency_ns.{stage} keys")
        check(v["p50"] <= v["p99"] <= v["p999"] <= v["max"], f"latency_ns.{stage} ordered")
    check(isinstance(j["halts"], list), "halts is a list")
    for h in j["halts"]:
        eq(list(h.keys()), ["symbol", "rule", "exchange_ts_ns", "seq"], "halt keys")
    check(isinstance(j["alerts"], dict) and all(isinstance(v, int) and v > 0
                                                for v in j["alerts"].values()),
          "alerts: a positive count per rule")
    for sym, b in j["books"].items():
        eq(list(b.keys()), ["bid", "ask", "bid_levels", "ask_levels"], f"books.{sym} keys")
    return j


def nonzero(d):
    return {k: v for k, v in d.items() if v}


def expect_manifest(j, m, books=True, what=""):
    """The report against tickpipe-gen's manifest: what an arbitrating receiver gets."""
    d = m["delivered"]
    eq(j["messages"], nonzero(d["messages"]), what + "messages by type")
    eq(j["messages_total"], d["messages_total"], what + "messages_total")
    eq(j["gaps"]["messages_missing"], m["anomalies"]["messages_lost"], what + "messages_missing")
    eq(j["duplicates"], m["anomalies"]["duplicates"], what + "duplicates")
    eq(j["malformed"], m["anomalies"]["malformed"]["packets"] + m["anomalies"]["non_udp"]["frames"],
       what + "malformed (bad packets + non-UDP frames)")
    if books:
        eq(j["unknown_refs"], 0, what + "unknown_refs")
        eq(j["books"], m["books"], what + "books")


def strip_latency(j):
    j = dict(j)
    del j["latency_ns"]
    return j


def one_line_error(r, rc, pattern):
    eq(r.returncode, rc, f"exit status (stderr: {r.stderr!r})")
    eq(r.stdout, "", "nothing on stdout")
    lines = r.stderr.splitlines()
    eq(len(lines), 1, f"one line on stderr: {r.stderr!r}")
    check(re.fullmatch(pattern, lines[0]), f"stderr {lines[0]!r} !~ {pattern!r}")


def omi(env, name):
    return os.path.join(env.data, "itch-moldudp64", name)


def mold_messages(path):
    """(seq, ITCH message bytes) of every MoldUDP64 message in an Ethernet/IPv4/UDP capture
    (no VLAN), in capture order: an independent reader for the expected halts."""
    with open(path, "rb") as f:
        data = f.read()
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = int.from_bytes(data[off + 8:off + 12], "little")
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ihl = (frame[14] & 15) * 4
        p = frame[14 + ihl + 8:]
        seq, count, o = int.from_bytes(p[10:18], "big"), int.from_bytes(p[18:20], "big"), 20
        for i in range(count if count != 0xFFFF else 0):
            n = int.from_bytes(p[o:o + 2], "big")
            out.append((seq + i, p[o + 2:o + 2 + n]))
            o += 2 + n
    return out


def seq_gap_halt(seq, ts):
    """The default rule set's halt for an unrecovered gap: everything, at the first missing
    sequence number, at the exchange time of the last message before it."""
    return [{"symbol": "*", "rule": "seq_gap", "exchange_ts_ns": ts, "seq": seq}]


def lcores_two_rx():
    """main and two RX lcores on the first allowed CPU, the consumer on the last."""
    cpus = sorted(os.sched_getaffinity(0))
    a, b = cpus[0], cpus[-1]
    return f"--lcores=0@{a},1@{a},2@{b},3@{b}"


# ---- shared real captures ---------------------------------------------------------------

@case
def omi_single(env):
    # Each Open Markets Initiative sample holds one MoldUDP64 packet with one message.
    files = {
        "AddOrderNoMpidAttributionMessage.pcap": ("A", 0),
        "MarketParticipantPositionMessage.pcap": ("L", 0),
        "NetOrderImbalanceIndicatorMessage.pcap": ("I", 0),
        "OrderDeleteMessage.pcap": ("D", 1),
        "OrderExecutedMessage.pcap": ("E", 1),
        "OrderReplaceMessage.pcap": ("U", 1),
        "StockTradingActionMessage.pcap": ("H", 0),
    }
    for f, (t, unknown) in files.items():
        j = env.json(["replay", "--pcap", omi(env, f)])
        eq(j["messages"], {t: 1}, f + " messages")
        eq(j["messages_total"], 1, f + " messages_total")
        eq(j["gaps"], {"messages_missing": 0, "events": 0}, f + " gaps")
        eq(j["duplicates"], 0, f + " duplicates")
        eq(j["malformed"], 0, f + " malformed")
        # D, E and U name an order this one-packet capture never added.
        eq(j["unknown_refs"], unknown, f + " unknown_refs")
        eq(j["books"], {}, f + " books (no stock directory in the capture)")
        eq((j["halts"], j["alerts"]), ([], {}), f + " halts and alerts")


@case
def omi_multiple_gap(env):
    # Sequence 14764496 (one D), then 19009117 (38 messages): 19009117 - 14764497 lost.
    # The bytes hold A x36 and F x2 (the data README's "A x33, F x5" miscounts them).
    want = {"messages": {"A": 36, "D": 1, "F": 2}, "messages_total": 39,
            "gaps": {"messages_missing": 4244620, "events": 1}, "duplicates": 0, "malformed": 0}
    p = omi(env, "Multiple.Packets.pcap")
    j = env.json(["replay", "--pcap", p])
    for k, v in want.items():
        eq(j[k], v, k)
    # The default rules halt everything on an unrecovered gap. Its first missing message is
    # 14764497; the only message before it (a D of an unknown order) made no event, so the
    # engine has no exchange time yet: 0. The messages after the gap come hours after
    # 09:30 in the feed's clock: the feed was silent (the feed_silent alert).
    eq(j["halts"], seq_gap_halt(14764497, 0), "halts")
    eq(j["alerts"], {"feed_silent": 1, "seq_gap": 1}, "alerts")
    # Routing by the config's line_a (233.54.12.111:26477) instead of by session: same.
    cfg = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dataplane",
                       "tickpipe.ini")
    j2 = env.json(["replay", "--pcap", p, "-c", cfg])
    eq(strip_latency(j2), strip_latency(j), "with the sample config")
    r = env.run(["replay", "--pcap", p], check_rc=0)
    check("gaps: 1 (4244620 messages missing)" in r.stdout, "text report gap line:\n" + r.stdout)


@case
def omi_merge_by_capture_time(env):
    # Four captures of one session (seq 14757701 U, 721 A, 722 D, 745 E), given out of
    # order: one RX lcore merges them by capture time, so sequencing sees 701, 721, 722,
    # 745 and declares exactly the two holes between (19 + 22 messages).
    files = ["OrderExecutedMessage.pcap", "OrderDeleteMessage.pcap",
             "AddOrderNoMpidAttributionMessage.pcap", "OrderReplaceMessage.pcap"]
    args = ["replay"]
    for f in files:
        args += ["--pcap", omi(env, f)]
    j = env.json(args)
    eq(j["messages"], {"A": 1, "D": 1, "E": 1, "U": 1}, "messages")
    eq(j["messages_total"], 4, "messages_total")
    eq(j["gaps"], {"messages_missing": 41, "events": 2}, "gaps")
    eq(j["duplicates"], 0, "duplicates")
    eq(j["unknown_refs"], 3, "unknown_refs")
    # Two gaps, one halt: a halt_all rule halts once until an operator resumes. The first
    # hole starts at 14757702, after the U (14757701) of an unknown order, which made no
    # event: the engine has no exchange time yet (0).
    eq(j["halts"], seq_gap_halt(14757702, 0), "halts")
    eq(j["alerts"], {"seq_gap": 1}, "alerts")
    # A 721 and D 722 are 844 ns apart: microsecond stamps alone would tie them.
    j2 = env.json(["replay", "--pcap", omi(env, files[1]), "--pcap", omi(env, files[2])])
    eq(j2["messages"], {"A": 1, "D": 1}, "A before D")
    eq(j2["duplicates"], 0, "no duplicate from a misordered start")
    r = env.run(args, check_rc=0)
    check(re.search(r"rx lcore 1 \(cpu [0-9,-]+\): port 0/0 port 1/0 port 2/0 port 3/0;",
                    r.stdout), "one RX lcore polls all four ports:\n" + r.stdout)


@case
def itch_binaryfile(env):
    f = os.path.join(env.data, "itch-binaryfile", "ex20101224.TEST_ITCH_50.gz")
    j = env.json(["replay", "--itch-file", f])
    eq(j["messages"], {"S": 6, "R": 3, "H": 3, "A": 4997, "F": 3, "E": 198, "X": 45,
                       "D": 1745, "U": 12, "P": 5000}, "messages")
    eq(j["messages_total"], 12012, "messages_total")
    eq(j["gaps"], {"messages_missing": 0, "events": 0}, "gaps")
    eq(j["duplicates"], 0, "duplicates")
    eq(j["malformed"], 0, "malformed")
    eq(sorted(j["books"].keys()), ["ALC", "BOB", "CHAR"], "symbols")
    # The default rules raise alerts on this artificial day (books that stay crossed, long
    # silences) but halt nothing; the alerts are the same in every run.
    eq(j["halts"], [], "halts")
    j2 = env.json(["replay", "--itch-file", f])
    eq(strip_latency(j2), strip_latency(j), "two runs")


# ---- tickpipe-gen sessions -------------------------------------------------------------

BASE = ["--messages", "20000", "--stocks", "6", "--seed", "7"]


@case
def gen_clean(env):
    p, m = env.make("clean.pcap", BASE)
    # tickpipe's own EAL defaults, nothing given.
    j = env.json(["replay", "--pcap", p], eal=None)
    expect_manifest(j, m)
    eq((j["halts"], j["alerts"]), ([], {}), "a clean session: no halt, no alert")
    check(j["latency_ns"]["rx_to_decoded"]["max"] > 0, "rx_to_decoded measured")
    check(j["latency_ns"]["rx_to_consumed"]["max"] > 0, "rx_to_consumed measured")


@case
def gen_dup_b(env):
    p, m = env.make("dupb.pcap", BASE + ["--dup-b"])
    eq(m["anomalies"]["duplicates"], 20000, "manifest duplicates")
    expect_manifest(env.json(["replay", "--pcap", p]), m)


@case
def gen_loss_reorder(env):
    # Loss on both lines, reordering on both; B always has what A lost (--dup-b), and the
    # default 100 us window covers it at the default rate.
    p, m = env.make("loss.pcap", BASE + ["--dup-b", "--loss-a", "0.1", "--loss-b", "0.1",
                                         "--reorder", "0.05"])
    check(m["lines"]["A"]["dropped_loss"] > 0 and m["lines"]["B"]["dropped_loss"] > 0,
          "manifest: both lines lost packets")
    check(m["lines"]["A"]["reordered"] > 0, "manifest: packets reordered")
    expect_manifest(env.json(["replay", "--pcap", p]), m)
    # Heavier loss at a slow rate: B's copy comes later than 100 us; a config widens the
    # window (capture clock) and the result is exact again.
    p2, m2 = env.make("loss2.pcap", BASE + ["--dup-b", "--loss-a", "0.3", "--loss-b", "0.3",
                                            "--reorder", "0.1", "--rate", "10000"])
    cfg = env.path("wide.ini")
    with open(cfg, "w") as f:
        f.write("[feed.gen]\nprotocol = itch50-moldudp64\nline_a = 233.54.12.111:26477\n"
                "line_b = 233.54.12.112:26477\nreorder_window_us = 50000\n"
                "reorder_packets = 4096\n")
    expect_manifest(env.json(["replay", "--pcap", p2, "-c", cfg]), m2, what="wide window: ")


@case
def gen_loss_a_only(env):
    # No line B: what A drops is gone; every lost message is counted missing.
    p, m = env.make("lossa.pcap", BASE + ["--loss-a", "0.1", "--reorder", "0.05"])
    check(m["anomalies"]["messages_lost"] > 0, "manifest: messages lost")
    j = env.json(["replay", "--pcap", p])
    expect_manifest(j, m, books=False)
    check(j["gaps"]["events"] >= 1, "gap events declared")
    # The first hole halts everything (once): its sequence number from the capture itself,
    # the time of the message before it (tickpipe-gen: 09:30:00 + (seq - 1) / rate).
    have = {s for s, _ in mold_messages(p)}
    first = min(s for s in range(1, m["last_seq"] + 1) if s not in have)
    eq(j["halts"], seq_gap_halt(first, 34200 * 10**9 + (first - 2) * 1000), "halts")
    eq(j["alerts"], {"seq_gap": 1}, "alerts")


@case
def gen_gap(env):
    p, m = env.make("gap.pcap", BASE + ["--dup-b", "--gap", "50"])
    eq(m["anomalies"]["gap"]["messages"], 50, "manifest gap")
    j = env.json(["replay", "--pcap", p])
    expect_manifest(j, m, books=False)
    eq(j["gaps"], {"messages_missing": 50, "events": 1}, "gaps")
    eq(sorted(j["books"].keys()), sorted(m["books"].keys()), "symbols")
    first = m["anomalies"]["gap"]["first_seq"]
    eq(j["halts"], seq_gap_halt(first, 34200 * 10**9 + (first - 2) * 1000), "halts")
    eq(j["alerts"], {"seq_gap": 1}, "alerts")


@case
def gen_malformed(env):
    p, m = env.make("mal.pcap", BASE + ["--dup-b", "--malformed", "8"])
    eq(m["anomalies"]["malformed"]["packets"], 8, "manifest malformed")
    j = env.json(["replay", "--pcap", p])
    expect_manifest(j, m)
    eq(j["malformed"], 8, "malformed")


@case
def gen_vlan(env):
    p, m = env.make("vlan.pcap", BASE + ["--vlan", "42", "--dup-b"])
    expect_manifest(env.json(["replay", "--pcap", p]), m)


@case
def gen_non_udp(env):
    p, m = env.make("nonudp.pcap", BASE + ["--non-udp", "9"])
    eq(m["anomalies"]["non_udp"]["frames"], 9, "manifest non-UDP frames")
    j = env.json(["replay", "--pcap", p])
    expect_manifest(j, m)
    eq(j["malformed"], 9, "malformed")
    r = env.run(["replay", "--pcap", p], check_rc=0)
    check(re.search(r"frames rejected: not_ipv4 3, not_udp 6", r.stdout),
          "rejects by reason (ARP: not IPv4; TCP, ICMP: not UDP):\n" + r.stdout)


@case
def gen_binfile(env):
    p, m = env.make("day.bin.gz", BASE + ["--format", "binfile", "--gzip"])
    j = env.json(["replay", "--itch-file", p])
    expect_manifest(j, m)


@case
def two_rx_lcores(env):
    p1, m1 = env.make("s1.pcap", ["--messages", "30000", "--stocks", "5", "--seed", "3",
                                  "--session", "SESSA"])
    p2, m2 = env.make("s2.pcap", ["--messages", "20000", "--stocks", "7", "--seed", "4",
                                  "--session", "SESSB", "--dst", "233.54.12.121:26478",
                                  "--dst-b", "233.54.12.122:26478", "--dup-b"])
    eal = EAL + [lcores_two_rx()]
    args = ["replay", "--pcap", p1, "--pcap", p2]
    r = env.run(args, eal=eal, check_rc=0)
    out = r.stdout
    for lcore, port, m in ((1, 0, m1), (2, 1, m2)):
        check(re.search(rf"^  rx lcore {lcore} \(cpu [0-9,-]+\): port {port}/0; "
                        rf"packets {m['frames']}, ", out, re.M),
              f"rx lcore {lcore} polls port {port} alone, {m['frames']} packets:\n" + out)
    check(re.search(r"^  SESSA +rx lcore 1: ", out, re.M), "SESSA on lcore 1:\n" + out)
    check(re.search(r"^  SESSB +rx lcore 2: ", out, re.M), "SESSB on lcore 2:\n" + out)
    check(re.search(r"^  consumer lcore 3 ", out, re.M), "consumer on lcore 3:\n" + out)
    j = env.json(args, eal=eal)
    d1, d2 = m1["delivered"]["messages"], m2["delivered"]["messages"]
    eq(j["messages"], nonzero({k: d1[k] + d2[k] for k in d1}), "messages")
    eq(j["messages_total"], 50000, "messages_total")
    eq(j["duplicates"], 20000, "duplicates")
    eq(j["gaps"], {"messages_missing": 0, "events": 0}, "gaps")
    # Symbols in both sessions are keyed SYMBOL@SESSION.
    for sess, m in (("SESSA", m1), ("SESSB", m2)):
        for sym, book in m["books"].items():
            key = sym if sym not in m1["books"] or sym not in m2["books"] else sym + "@" + sess
            eq(j["books"].get(key), book, f"books[{key}]")
    eq(len(j["books"]), 12, "5 + 7 book entries")
    # Rules run per feed: AAAB of SESSA and AAAB of SESSB never share a window, so no
    # price move between two different instruments. The message-rate rule (more than 5000
    # events of one stock within 100 ms) fires once for every stock of either session that
    # has more than 5000 messages: both sessions last less than 100 ms.
    bursts = 0
    for p in (p1, p2):
        per = {}
        for _, msg in dict(mold_messages(p)).items():  # one copy of each sequence number
            loc = int.from_bytes(msg[1:3], "big")
            if loc:
                per[loc] = per.get(loc, 0) + 1
        bursts += sum(1 for n in per.values() if n > 5000)
    eq(j["halts"], [], "halts")
    eq(j["alerts"], {"msg_burst": bursts} if bursts else {}, "alerts")
    # Default lcores on this machine: when there is no CPU for a second RX lcore, one
    # lcore polls both ports.
    if len(os.sched_getaffinity(0)) <= 3:
        r = env.run(args, check_rc=0)
        check(re.search(r"^  rx lcore 1 \(cpu [0-9,-]+\): port 0/0 port 1/0; ", r.stdout, re.M),
              "one RX lcore, two ports:\n" + r.stdout)
        eq(strip_latency(env.json(args)), strip_latency(j), "same result on one lcore")


@case
def determinism(env):
    p, m = env.make("det.pcap", BASE + ["--dup-b", "--loss-a", "0.2", "--loss-b", "0.2",
                                        "--reorder", "0.1", "--malformed", "6",
                                        "--non-udp", "4", "--vlan", "9"])
    a = env.json(["replay", "--pcap", p])
    b = env.json(["replay", "--pcap", p])
    eq(strip_latency(b), strip_latency(a), "two runs")
    # Paced at real time (the session spans 20 ms of capture time): arbitration runs on
    # the capture clock, so the result does not change.
    c = env.json(["replay", "--pcap", p, "--speed", "1"])
    eq(strip_latency(c), strip_latency(a), "--speed 1 against --speed max")


# ---- signals, run ------------------------------------------------------------------------

def wait_for_line(proc, pattern, timeout):
    """Reads proc.stdout until a line matches; returns the lines read."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if re.search(pattern, line):
            return seen
    raise Fail(f"no line matching {pattern!r} within {timeout} s: {''.join(seen)!r}")


@case
def sigterm_replay(env):
    # 20000 messages at 1000/s: 20 s of capture time, replayed in real time.
    p, m = env.make("slow.pcap", ["--messages", "20000", "--stocks", "4", "--rate", "1000"])
    cmd = [env.tickpipe] + EAL + ["--", "replay", "--pcap", p, "--speed", "1", "--json"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env.env)
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    elapsed = time.monotonic() - t0
    eq(proc.returncode, 0, f"exit status after SIGTERM (stderr {err!r})")
    j = parse_report(out)
    check(0 < j["messages_total"] < 20000,
          f"a partial replay was reported: {j['messages_total']} messages")
    eq(sum(j["messages"].values()), j["messages_total"], "per-type counts add up")
    eq(j["gaps"], {"messages_missing": 0, "events": 0}, "no gap from stopping")
    check(elapsed < 15, f"stopped promptly ({elapsed:.1f} s)")


@case
def run_live_sigint(env):
    p, m = env.make("live.pcap", BASE + ["--dup-b"])
    cfg = env.path("run.ini")
    with open(cfg, "w") as f:
        f.write(f"# live run over a capture vdev\n[port.0]\ndev = net_pcap0,rx_pcap={p}\n"
                "lcores = 1\n\n[feed.gen]\nprotocol = itch50-moldudp64\n"
                "line_a = 233.54.12.111:26477\nline_b = 233.54.12.112:26477\nport = 0\n"
                "queue = 0\n\n[rings]\nsize = 4096\n\n[killswitch]\n"
                f"state_file = {env.path('ks.state')}\n")
    cmd = [env.tickpipe] + EAL + ["--", "run", "-c", cfg]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env.env)
    try:
        seen = wait_for_line(proc, rf"^stats: pkts {m['frames']} .* msgs 20000 ", 20)
    except Fail:
        proc.kill()
        raise
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    out = "".join(seen) + out
    eq(proc.returncode, 0, f"exit status after SIGINT (stderr {err!r})")
    check(re.search(r"^tickpipe run: \d+ packets .* \(stopped by signal\)$", out, re.M),
          "report header:\n" + out)
    check(re.search(r"^messages: 20000 ", out, re.M), "messages:\n" + out)
    check(re.search(r"^gaps: 0 \(0 messages missing\)  duplicates: 20000  malformed: 0", out,
                    re.M), "counts:\n" + out)
    check(re.search(r"^  gen +rx lcore 1: packets " + str(m["frames"]), out, re.M),
          "feed line:\n" + out)
    # Live, a full ring drops events; the overflow rule then halts everything, and only
    # then: no drop, no halt.
    drops = int(re.search(r"^  rx lcore 1 .*, drops (\d+)$", out, re.M).group(1))
    halts = re.search(r"^halts: (\d+)$", out, re.M)
    check(halts, "halts line:\n" + out)
    if drops:
        check(re.search(r"^  \* +rule overflow ", out, re.M), "overflow halt:\n" + out)
    else:
        eq(halts.group(1), "0", "no drop, no halt")
    # --json: stats lines move to stderr, stdout is the one object.
    proc = subprocess.Popen(cmd + ["--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env.env)
    time.sleep(2.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    eq(proc.returncode, 0, f"exit status after SIGTERM (stderr {err!r})")
    j = parse_report(out)
    expect_manifest(j, m)
    check(re.search(r"^stats: pkts ", err, re.M), "stats lines on stderr with --json")
    # Live, a full ring drops (and the overflow rule halts everything); nothing else may.
    check(all(h["rule"] == "overflow" and h["symbol"] == "*" for h in j["halts"]),
          f"only overflow halts: {j['halts']}")


# ---- refusals ------------------------------------------------------------------------------

@case
def usage_errors(env):
    for argv in (["--help"], ["replay", "--help"], ["run", "--help"]):
        r = env.run(argv, eal=None, check_rc=0)
        check(r.stdout.startswith("usage: tickpipe"), f"{argv}: usage on stdout")
        eq(r.stderr, "", f"{argv}: nothing on stderr")
    p = omi(env, "OrderDeleteMessage.pcap")
    bad = [
        ([], r"tickpipe: missing command .*"),
        (["bogus"], r"tickpipe: unknown command 'bogus'.*"),
        (["replay"], r"tickpipe: replay needs --pcap FILE or --itch-file FILE"),
        (["replay", "--pcap", p, "--itch-file", p], r"tickpipe: replay takes --pcap or --itch-file, not both"),
        (["replay", "--pcap", p, "--speed", "0"], r"tickpipe: --speed must be .*"),
        (["replay", "--pcap", p, "--speed", "fast"], r"tickpipe: --speed must be .*"),
        (["replay", "--pcap"], r"tickpipe: --pcap needs a value"),
        (["replay", "--pcap", p, "--frobnicate"], r"tickpipe: unknown option '--frobnicate' for replay.*"),
        (["run"], r"tickpipe: run needs -c FILE.ini"),
        (["run", "-c", "x.ini", "--pcap", p], r"tickpipe: unknown option '--pcap' for run.*"),
    ]
    for argv, pattern in bad:
        one_line_error(env.run(argv, eal=None), 2, pattern)
    # EAL arguments without the "--" that ends them.
    one_line_error(env.run(["--no-huge", "replay", "--pcap", p], eal=None), 2,
                   r"tickpipe: unknown option '--no-huge' \(EAL arguments go before \"--\"\).*")


@case
def bad_captures(env):
    missing = env.path("nope.pcap")
    one_line_error(env.run(["replay", "--pcap", missing]), 1,
                   re.escape(f"tickpipe: {missing}: ") + r".*(No such file|such file).*")
    text = env.path("notes.pcap")
    with open(text, "w") as f:
        f.write("this is not a capture file\n" * 10)
    one_line_error(env.run(["replay", "--pcap", text]), 1,
                   re.escape(f"tickpipe: {text}: ") + r".+")
    p, m = env.make("whole.pcap", BASE)
    cut = env.path("cut.pcap")
    with open(p, "rb") as f:
        data = f.read()
    with open(cut, "wb") as f:
        f.write(data[: len(data) // 2 + 7])
    one_line_error(env.run(["replay", "--pcap", cut]), 1,
                   re.escape(f"tickpipe: {cut}: ") + r".*(truncated|corrupt).*")
    # A good capture next to a bad one: refused before anything runs.
    one_line_error(env.run(["replay", "--pcap", p, "--pcap", cut]), 1,
                   re.escape(f"tickpipe: {cut}: ") + r".*")
    one_line_error(env.run(["replay", "--itch-file", missing]), 1,
                   r"tickpipe: .*nope\.pcap.*")
    # A BinaryFILE that is not one: refused up front. One cut short: the report of what
    # was read, then the reason, exit 1.
    one_line_error(env.run(["replay", "--itch-file", text]), 1,
                   re.escape(f"tickpipe: {text}: ") + r".+")
    ritch = os.path.join(env.data, "itch-binaryfile", "ex20101224.TEST_ITCH_50.gz")
    cutgz = env.path("cut.gz")
    with open(ritch, "rb") as f:
        data = f.read()
    with open(cutgz, "wb") as f:
        f.write(data[:80000])
    r = env.run(["replay", "--itch-file", cutgz, "--json"])
    eq(r.returncode, 1, "exit status of a cut BinaryFILE")
    j = parse_report(r.stdout)
    check(0 < j["messages_total"] < 12012, f"partial count {j['messages_total']}")
    lines = r.stderr.splitlines()
    eq(len(lines), 1, f"one line on stderr: {r.stderr!r}")
    check(lines[0].startswith(f"tickpipe: {cutgz}: truncated"), f"reason: {lines[0]!r}")
    comma = env.path("a,b.pcap")
    shutil.copy(p, comma)
    one_line_error(env.run(["replay", "--pcap", comma]), 2,
                   r"tickpipe: .*a capture path may not contain ','.*")


GOOD_FEED = ("[feed.x]\nprotocol = itch50-moldudp64\nline_a = 233.54.12.111:26477\n")


@case
def bad_configs(env):
    p = omi(env, "OrderDeleteMessage.pcap")
    cases = [
        # (config text, line, reason pattern)
        (GOOD_FEED + "colour = blue\n", 4, r"unknown key 'colour' in \[feed\.x\].*"),
        (GOOD_FEED + "line_b = 233.54.12.300:26477\n", 4,
         r"line_b = '233\.54\.12\.300:26477': expected ip:port.*"),
        (GOOD_FEED + "line_b = 233.54.12.112\n", 4, r"line_b = .*the :port is missing.*"),
        (GOOD_FEED + "line_b = 233.54.12.112:70000\n", 4, r"line_b = .*port must be .*"),
        (GOOD_FEED + "reorder_packets = 12x\n", 4,
         r"reorder_packets must be a whole number from 1 to 65535, not '12x'"),
        (GOOD_FEED + "reorder_window_us = 0\n", 4, r"reorder_window_us must be .*"),
        ("# no protocol\n[feed.y]\nline_a = 1.2.3.4:5\n", 2,
         r"\[feed\.y\] needs protocol = itch50-moldudp64"),
        ("[feed.y]\nprotocol = itch50-moldudp64\n", 1, r"\[feed\.y\] needs line_a = ip:port"),
        (GOOD_FEED + "protocol = fix\n", 4, r"protocol already set in \[feed\.x\] at line 2"),
        (GOOD_FEED + "\n[feed.z]\nprotocol = itch50-moldudp64\nline_a = 233.54.12.111:26477\n",
         7, r"line_a is already line_a of \[feed\.x\]"),
        (GOOD_FEED + "line_b = 233.54.12.111:26477\n", 4, r"line_b is the same address as line_a"),
        (GOOD_FEED + "[rings]\nsize = 1000\n", 5, r"size must be a power of two, not 1000"),
        (GOOD_FEED + "[rings]\nsize = 32\n", 5, r"size must be a whole number from 64 to .*"),
        (GOOD_FEED + "[colours]\nred = 1\n", 4, r"unknown section \[colours\].*"),
        (GOOD_FEED + "[port.0]\nrx_queues = 2\n", 4, r"\[port\.0\] needs dev = .*"),
        (GOOD_FEED + "[port.0]\ndev = eth0\n", 5, r"dev must be a PCI address .*"),
        (GOOD_FEED + "[port.0]\ndev = 0000:01:00.0\nrx_queues = 2\nlcores = 1\n", 7,
         r"lcores lists 1 lcores for 2 rx_queues .*"),
        (GOOD_FEED + "[port.99]\ndev = 0000:01:00.0\n", 4, r"port sections are \[port\.N\] .*"),
        (GOOD_FEED + "just some words\n", 4, r"expected 'key = value' or '\[section\]'"),
        ("line_a = 1.2.3.4:5\n", 1, r"'line_a' is outside any \[section\]"),
        (GOOD_FEED + "[log]\ndir =\n", 5, r"dir has no value"),
        (GOOD_FEED + "; old-style comment\n", 4, r"comments start with '#'"),
        (GOOD_FEED + "[feed.x]\n", 4, r"section \[feed\.x\] already defined at line 1"),
        ("[feed.bad name]\nprotocol = itch50-moldudp64\nline_a = 1.2.3.4:5\n", 1,
         r"feed names use letters, digits.*"),
    ]
    for i, (text, line, reason) in enumerate(cases):
        cfg = env.path(f"bad{i}.ini")
        with open(cfg, "w") as f:
            f.write(text)
        r = env.run(["replay", "--pcap", p, "-c", cfg])
        one_line_error(r, 1, re.escape(f"tickpipe: {cfg}:{line}: ") + reason)
    # run-only checks: the feed's port must exist; a capture vdev's file must.
    cfg = env.path("run-bad.ini")
    with open(cfg, "w") as f:
        f.write(GOOD_FEED + "port = 1\n[port.0]\ndev = net_pcap0,rx_pcap=" + p + "\n")
    one_line_error(env.run(["run", "-c", cfg]), 1,
                   re.escape(f"tickpipe: {cfg}:4: ") + r"\[feed\.x\] port 1 has no \[port\.1\] section")
    with open(cfg, "w") as f:
        f.write(GOOD_FEED + "[port.0]\ndev = net_pcap0,rx_pcap=" + env.path("gone.pcap") + "\n")
    one_line_error(env.run(["run", "-c", cfg]), 1,
                   re.escape(f"tickpipe: {cfg}:5: rx_pcap {env.path('gone.pcap')}: ") + ".*")
    one_line_error(env.run(["run", "-c", env.path("absent.ini")]), 1,
                   re.escape(f"tickpipe: {env.path('absent.ini')}: No such file or directory"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickpipe", required=True)
    ap.add_argument("--gen")
    ap.add_argument("--data", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    env = Env(args)
    try:
        CASES[args.case](env)
    except Fail as e:
        print(f"FAIL {args.case}: {e}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(env.tmp, ignore_errors=True)
    print(f"ok {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
