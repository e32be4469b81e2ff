#!/usr/bin/env python3
"""Integration tests of the strategy stage through the real DPDK path (net_pcap vdevs, EAL,
the RX and CEP + risk lcores, rings), one case per meson test:

    strategy_test.py --tickpipe EXE --gen EXE --data DIR CASE

CEP rules halt through the kill-switch, the gateway refuses orders and mass-cancels, the
state file brings a restart back halted, and `run` puts OUCH orders on a TX port. Expected
values come from tickpipe-gen's manifest or from captures and configs built here, and the
OUCH bytes are decoded here independently of tickpipe."""

import argparse
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataplane_test as dt  # noqa: E402  (Env, checks and the report parser)
from dataplane_test import EAL, Fail, check, eq, one_line_error, parse_report  # noqa: E402

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def strip_latency(j):
    return {k: v for k, v in j.items() if k != "latency_ns"}


# tickpipe-gen: 20000 messages of 6 stocks at 1M msgs/s (20 ms), AAAB shocked by 10% at
# message index 10000: two prints 1 us apart, the second 10% away.
BASE = ["--messages", "20000", "--stocks", "6", "--seed", "7"]
SHOCK = BASE + ["--shock", "AAAB:10:10000"]

# Every limit set (fail closed otherwise), none binding for the sample maker.
RISK = """[risk]
max_order_qty = 1000
max_order_notional = 100000000000
collar_bps = 1000
max_position = 100000
max_gross_notional = 100000000000000
rate_max_orders = 10000
rate_window = 1s
dup_window = 0
max_fills = 10000
fills_window = 1s
stale = 10s
"""


def maker(symbols, offset=10, extra=""):
    # 10 ticks off the BBO: the print at the old price just before the shock does not
    # reach the maker's bid, which is still working when the halt comes.
    return (RISK + f"\n[strategy]\nmarket_maker = on\nsymbols = {symbols}\nsize = 100\n"
            f"offset_ticks = {offset}\n" + extra)


def write(env, name, text):
    p = env.path(name)
    with open(p, "w") as f:
        f.write(text)
    return p


def json_run(env, args):
    r = env.run(args + ["--json"], check_rc=0)
    lines = r.stdout.splitlines()
    eq(len(lines), 1, "--json prints exactly one line")
    j = json.loads(lines[0])
    keys = dt.JSON_KEYS + (["strategy"] if "strategy" in j else [])
    eq(list(j.keys()), keys, "JSON keys")
    return parse_report_loose(j)


def parse_report_loose(j):
    """parse_report's checks on an object that may carry the extra key `strategy`."""
    s = j.pop("strategy", None)
    parse_report(json.dumps(j))
    if s is not None:
        j["strategy"] = s
    return j


# ---- price shock ----------------------------------------------------------------------

@case
def shock_halts_one_symbol(env):
    p, m = env.make("shock.pcap", SHOCK)
    sh = m["anomalies"]["shock"]
    eq((sh["symbol"], sh["pct"]), ("AAAB", 10), "manifest shock")
    check(abs(sh["price_after"] * 10 - sh["price_before"] * 11) <= 10 * 100,
          "a 10% move (to the cent)")
    # No config: the built-in rules (strategy/rules.ini.sample) run, no trading.
    j = json_run(env, ["replay", "--pcap", p])
    dt.expect_manifest(j, m)
    eq(j["halts"], [{"symbol": "AAAB", "rule": "price_shock",
                     "exchange_ts_ns": sh["exchange_ts_ns"], "seq": sh["first_seq"]}],
       "halts: exactly the shocked stock, at the breaking message")
    eq(j["alerts"], {"price_shock": 1}, "alerts")
    check("strategy" not in j, "no strategy key without a market maker")
    # The same in the text report, and the kill-switch says AAAB is halted.
    r = env.run(["replay", "--pcap", p], check_rc=0)
    check(re.search(rf"^halts: 1\n  AAAB +rule price_shock +exchange time 09:30:00\.\d{{9}}  "
                    rf"seq {sh['first_seq']}$", r.stdout, re.M), "text halts:\n" + r.stdout)
    check(re.search(r"^kill-switch: in memory", r.stdout, re.M), "no state file in replay")
    check(re.search(r"^  now: global running, 1 symbol halted: AAAB$", r.stdout, re.M),
          "kill-switch state:\n" + r.stdout)
    check(re.search(r"^    09:30:00\.\d{9}  halt   AAAB +by cep:price_shock ", r.stdout, re.M),
          "audit record:\n" + r.stdout)
    # Same input, same result, however fast: max speed twice, and paced in real time.
    eq(strip_latency(json_run(env, ["replay", "--pcap", p])), strip_latency(j), "two runs")
    eq(strip_latency(json_run(env, ["replay", "--pcap", p, "--speed", "1"])),
       strip_latency(j), "--speed 1")


@case
def clean_session_no_halt(env):
    p, m = env.make("clean.pcap", BASE)
    eq(m["anomalies"]["shock"], None, "manifest: no shock")
    j = json_run(env, ["replay", "--pcap", p])
    dt.expect_manifest(j, m)
    eq(j["halts"], [], "halts")
    check("price_shock" not in j["alerts"], f"no price-move alert: {j['alerts']}")
    eq(j["alerts"], {}, "no alert at all")


@case
def config_rules(env):
    p, m = env.make("shock.pcap", SHOCK)
    sh = m["anomalies"]["shock"]
    want = [{"symbol": "AAAB", "rule": "price_shock", "exchange_ts_ns": sh["exchange_ts_ns"],
             "seq": sh["first_seq"]}]
    # A [rule.NAME] of a built-in's name replaces it: 20% does not break on a 10% shock,
    # 9.5% does.
    rule = "[rule.price_shock]\nkind = price_move\nwindow = 1s\nthreshold = {}\naction = halt_symbol\n"
    j = json_run(env, ["replay", "--pcap", p, "-c", write(env, "t20.ini", rule.format(2000))])
    eq((j["halts"], j["alerts"]), ([], {}), "threshold 2000 bps")
    j = json_run(env, ["replay", "--pcap", p, "-c", write(env, "t95.ini", rule.format(950))])
    eq((j["halts"], j["alerts"]), (want, {"price_shock": 1}), "threshold 950 bps")
    # Rules off: nothing fires.
    j = json_run(env, ["replay", "--pcap", p, "-c", write(env, "off.ini", "[rules]\ndefaults = off\n")])
    eq((j["halts"], j["alerts"]), ([], {}), "defaults = off")
    # A rule of one's own beside the built-ins: an alert on every trade print of AAAB's
    # shock window is too noisy; count prints above 215 USD instead (only the shock's).
    own = ("[rule.high_print]\nkind = window\nagg = max\nevents = trade\nprice = event\n"
           "window = 1s\nop = >\nthreshold = 2150000\naction = alert\n")
    j = json_run(env, ["replay", "--pcap", p, "-c", write(env, "own.ini", own)])
    eq(j["halts"], want, "built-ins still on")
    eq(j["alerts"], {"price_shock": 1, "high_print": 1}, "own rule fired once (1 s interval)")


# ---- kill-switch and the market maker ------------------------------------------------------

@case
def killswitch_blocks_orders(env):
    p, m = env.make("shock.pcap", SHOCK)
    sh = m["anomalies"]["shock"]
    state = env.path("ks.state")
    cfg = write(env, "mm.ini", maker("AAAA, AAAB") +
                f"\n[killswitch]\nstate_file = {state}\n")
    j = json_run(env, ["replay", "--pcap", p, "-c", cfg])
    eq(j["halts"], [{"symbol": "AAAB", "rule": "price_shock",
                     "exchange_ts_ns": sh["exchange_ts_ns"], "seq": sh["first_seq"]}], "halts")
    s = j["strategy"]
    a, b = s["symbols"]["AAAA"], s["symbols"]["AAAB"]
    eq((a["locate"], b["locate"]), (m["symbols"]["AAAA"], m["symbols"]["AAAB"]), "locates")
    check(a["orders"] > 0 and b["orders"] > 0, f"both quoted: {a['orders']}, {b['orders']}")
    eq(s["orders_sent"], a["orders"] + b["orders"], "orders counted on the egress ring")
    eq(s["rejected"], 0, "no risk reject")
    # After the halt: no Enter Order for AAAB left, its working quote was cancelled (the
    # mass cancel, once), and the maker's requotes were refused by the kill-switch.
    eq(b["orders_while_halted"], 0, "no AAAB order after the halt")
    eq(s["mass_cancels"], 1, "one halt acted on")
    check(s["mass_cancel_orders"] >= 1, "the maker had a working AAAB order at the halt")
    eq(b["cancels_while_halted"], s["mass_cancel_orders"], "the mass cancel left")
    check(s["blocked_by_halt"] > 0, "requotes refused")
    eq((b["halted"], a["halted"]), (True, False), "halted flags")
    eq(s["killswitch"], {"state_file": state, "restored_global": False, "restored_symbols": [],
                         "global_halted": False, "symbols_halted": ["AAAB"]}, "kill-switch")
    with open(state) as f:
        text = f.read()
    check(re.search(rf"^symbol {b['locate']} halted 256 1$", text, re.M),
          "state file holds the halt (reason 256 = rule 0, epoch 1):\n" + text)
    # Without the halt AAAB keeps trading after the shock: the halt is what stopped it.
    free = write(env, "free.ini", maker("AAAA, AAAB") + "\n[rules]\ndefaults = off\n")
    f = json_run(env, ["replay", "--pcap", p, "-c", free])["strategy"]
    check(f["symbols"]["AAAB"]["orders"] > b["orders"],
          f"unhalted AAAB sends more: {f['symbols']['AAAB']['orders']} > {b['orders']}")
    eq(f["symbols"]["AAAA"]["orders"], a["orders"], "AAAA alike either way")

    # Restart with the same state file: back halted, and nothing is sent for AAAB.
    j2 = json_run(env, ["replay", "--pcap", p, "-c", cfg])
    s2 = j2["strategy"]
    eq(s2["killswitch"]["restored_symbols"], ["AAAB"], "restored halted")
    eq(s2["killswitch"]["symbols_halted"], ["AAAB"], "still halted")
    b2 = s2["symbols"]["AAAB"]
    eq((b2["orders"], b2["cancels"]), (0, 0), "no AAAB order at all after the restart")
    check(s2["blocked_by_halt"] > 0, "its quotes were refused")
    eq(s2["symbols"]["AAAA"]["orders"], a["orders"], "AAAA trades as before")
    # The rule breaks again on the same message (it is the same day): listed again.
    eq(j2["halts"], j["halts"], "halts")
    r = env.run(["replay", "--pcap", p, "-c", cfg], check_rc=0)
    check(re.search(r"^  restored halted from the state file: AAAB$", r.stdout, re.M),
          "text report says restored:\n" + r.stdout)
    check(re.search(r"^  AAAB +locate \d+: orders 0, cancels 0; .*  HALTED$", r.stdout, re.M),
          "text strategy line:\n" + r.stdout)

    # A state file that cannot be trusted: up halted globally (when in doubt, halt), with
    # a warning, and not one order goes out.
    with open(state, "w") as f:
        f.write("tickpipe-killswitch 1\nglobal running 0 0\nsymbol 2 halted 256 1\n")
    r = env.run(["replay", "--pcap", p, "-c", cfg, "--json"], check_rc=0)
    lines = r.stderr.splitlines()
    eq(len(lines), 1, f"one warning: {r.stderr!r}")
    check(lines[0].startswith(f"tickpipe: warning: kill-switch state file {state}: ") and
          lines[0].endswith("halted globally"), f"warning: {lines[0]!r}")
    s3 = parse_report_loose(json.loads(r.stdout))["strategy"]
    eq((s3["orders_sent"], s3["killswitch"]["global_halted"],
        s3["killswitch"]["restored_global"]), (0, True, True), "halted globally")


@case
def strategy_determinism(env):
    p, m = env.make("shock.pcap", SHOCK + ["--dup-b", "--loss-a", "0.05", "--reorder", "0.05"])
    cfg = write(env, "mm.ini", maker("AAAA, AAAB, AAAC", offset=1))
    a = json_run(env, ["replay", "--pcap", p, "-c", cfg])
    check(a["strategy"]["fills"] > 0, "the maker traded")
    b = json_run(env, ["replay", "--pcap", p, "-c", cfg])
    eq(strip_latency(b), strip_latency(a), "two runs")
    c = json_run(env, ["replay", "--pcap", p, "-c", cfg, "--speed", "2"])
    eq(strip_latency(c), strip_latency(a), "--speed 2 against --speed max")


@case
def shipped_config(env):
    """dataplane/tickpipe.ini sets every risk limit: with its market maker switched on, no
    order is refused for a limit left unset, and nothing warns."""
    p, m = env.make("clean.pcap", BASE)
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dataplane",
                       "tickpipe.ini")
    with open(src) as f:
        text = f.read()
    check("market_maker = off\n" in text and "symbols = AAPL, MSFT\n" in text,
          "the shipped config's [strategy]")
    text = text.replace("market_maker = off\n", "market_maker = on\n").replace(
        "symbols = AAPL, MSFT\n", "symbols = AAAA, AAAB\n")
    cfg = write(env, "shipped.ini", text)
    r = env.run(["replay", "--pcap", p, "-c", cfg, "--json"], check_rc=0)
    eq(r.stderr, "", "no warning on stderr")
    j = parse_report_loose(json.loads(r.stdout))
    s = j["strategy"]
    check(s["orders_sent"] > 0, "the maker sent orders")
    check("unconfigured" not in s["rejected_by"], f"every limit set: {s['rejected_by']}")
    eq(j["halts"], [], "a clean session: no halt")


@case
def risk_fail_closed(env):
    p, m = env.make("clean.pcap", BASE)
    # One limit missing: a warning naming it, and every order refused for it.
    partial = maker("AAAA").replace("stale = 10s\n", "")
    r = env.run(["replay", "--pcap", p, "-c", write(env, "partial.ini", partial), "--json"],
                check_rc=0)
    eq(r.stderr.splitlines(), ["tickpipe: warning: [risk] does not set stale: every order "
                               "will be rejected (fail closed)"], "warning")
    s = parse_report_loose(json.loads(r.stdout))["strategy"]
    eq(s["orders_sent"], 0, "nothing sent")
    check(s["rejected"] > 0, "orders were tried")
    eq(s["rejected_by"], {"unconfigured": s["rejected"]}, "all refused as unconfigured")
    # Repeated rejects escalate to a halt of the symbol, by the risk guard (not a rule):
    # listed in halts as rule "risk", no sequence number; then the maker is refused by the
    # kill-switch instead.
    esc = maker("AAAA, AAAB").replace("max_order_qty = 1000", "max_order_qty = 50")
    esc = esc.replace("stale = 10s\n", "stale = 10s\nescalate_max_qty = 3/1s\n"
                      "escalate_scope = symbol\n")
    j = json_run(env, ["replay", "--pcap", p, "-c", write(env, "esc.ini", esc)])
    s = j["strategy"]
    eq(s["orders_sent"], 0, "size 100 > max_order_qty 50: nothing sent")
    eq(s["rejected_by"], {"max-qty": 6}, "three rejects per symbol, then halted")
    eq([(h["symbol"], h["rule"], h["seq"]) for h in j["halts"]],
       [("AAAA", "risk", 0), ("AAAB", "risk", 0)], "risk halts")
    check(all(h["exchange_ts_ns"] >= 34200 * 10**9 for h in j["halts"]), "on exchange time")
    eq(s["killswitch"]["symbols_halted"], ["AAAA", "AAAB"], "both halted")
    check(s["blocked_by_halt"] > 0, "then refused by the kill-switch")


# ---- run: OUCH on a TX port --------------------------------------------------------------

def ipv4_sum(b):
    s = 0
    for i in range(0, len(b) - 1, 2):
        s += b[i] << 8 | b[i + 1]
    if len(b) % 2:
        s += b[-1] << 8
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def itch_session():
    """A tiny ITCH day for one stock ZXZX (locate 7): the BBO moves in known steps."""
    t0 = 34200 * 10**9

    def hdr(t, loc, i):
        return struct.pack(">cHH", t, loc, 0) + (t0 + i * 1000).to_bytes(6, "big")

    msgs = []
    msgs.append(hdr(b"S", 0, 0) + b"O")
    msgs.append(hdr(b"R", 7, 1) + b"ZXZX    " + b"Q" + b"N" + struct.pack(">I", 100) + b"N" +
                b"C" + b"Z " + b"P" + b"N" + b"N" + b"1" + b"N" + struct.pack(">I", 0) + b"N")

    def add(i, ref, side, qty, px):
        return hdr(b"A", 7, i) + struct.pack(">Qc", ref, side) + struct.pack(">I", qty) + \
            b"ZXZX    " + struct.pack(">I", px)

    msgs.append(add(2, 1, b"B", 100, 100000))      # bid only: no quote
    msgs.append(add(3, 2, b"S", 100, 100500))      # 10.0000 / 10.0500
    msgs.append(add(4, 3, b"B", 200, 100100))      # bid 10.0100
    msgs.append(add(5, 4, b"S", 300, 100400))      # ask 10.0400
    msgs.append(hdr(b"D", 7, 6) + struct.pack(">Q", 3))  # bid back to 10.0000
    for m in msgs:
        assert len(m) == {b"S"[0]: 12, b"R"[0]: 39, b"A"[0]: 36, b"D"[0]: 19}[m[0]], m
    return msgs


def write_capture(path, msgs):
    """One MoldUDP64 packet per message, to 233.54.12.111:26477, classic pcap."""
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i, m in enumerate(msgs):
        mold = b"ZXSESSION1" + struct.pack(">QH", i + 1, 1) + struct.pack(">H", len(m)) + m
        udp = struct.pack(">HHHH", 40000, 26477, 8 + len(mold), 0) + mold
        ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 32, 17,
                                   0, bytes([10, 0, 0, 1]), bytes([233, 54, 12, 111])))
        ip[10:12] = struct.pack(">H", ~ipv4_sum(ip) & 0xFFFF)
        frame = bytes.fromhex("01005e360c6f" "020000000001" "0800") + bytes(ip) + udp
        out.append(struct.pack("<IIII", 1700000000, i, len(frame), len(frame)) + frame)
    with open(path, "wb") as f:
        f.write(b"".join(out))


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    check(magic in (0xA1B2C3D4, 0xA1B23C4D), f"pcap magic {magic:#x}")
    frames, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    eq(off, len(data), "whole records in the tx capture")
    return frames


def enter(urn, side, price):
    """OUCH 5.0 Enter Order as the gateway's defaults make it: 100 shares of ZXZX, day
    order, visible, principal, not ISO, continuous, ClOrdID TP + URN in 10 digits, no
    appendage."""
    return (b"O" + struct.pack(">I", urn) + side + struct.pack(">I", 100) + b"ZXZX    " +
            struct.pack(">Q", price) + b"0YPNN" + b"TP%010d  " % urn + b"\x00\x00")


def cancel(urn):
    return b"X" + struct.pack(">II", urn, 0)


def wait_stats(proc, pkts, timeout):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if re.search(rf"^stats: pkts {pkts} .* consumed {pkts}$", line):
            return
    raise Fail(f"no stats line with {pkts} packets consumed within {timeout} s: {''.join(seen)!r}")


@case
def run_tx_ouch(env):
    msgs = itch_session()
    cap, tx = env.path("day.pcap"), env.path("orders.pcap")
    write_capture(cap, msgs)
    cfg = write(env, "run.ini", f"""[port.0]
dev = net_pcap0,rx_pcap={cap}
lcores = 1

[feed.t]
protocol = itch50-moldudp64
line_a = 233.54.12.111:26477
port = 0
queue = 0

{maker("ZXZX", offset=1)}
[killswitch]
state_file = {env.path("ks.state")}

[gateway]
dev = net_pcap1,tx_pcap={tx}
dst = 10.9.8.7:15000
src = 10.9.8.6:15001
dst_mac = 02:00:00:00:00:02
""")
    cmd = [env.tickpipe] + EAL + ["--", "run", "-c", cfg, "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env.env)
    try:
        wait_stats(proc, len(msgs), 20)
    except Fail:
        proc.kill()
        raise
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    eq(proc.returncode, 0, f"exit status (stderr {err!r})")
    lines = out.splitlines()
    eq(len(lines), 1, "one JSON line")
    j = parse_report_loose(json.loads(lines[0]))
    eq((j["halts"], j["alerts"]), ([], {}), "halts and alerts")

    # What the maker must do, 1 tick (0.0100) off the BBO, step by step:
    #   bid 10.0000 only          -> nothing (one side empty)
    #   10.0000 / 10.0500         -> O1 buy 9.9900, O2 sell 10.0600
    #   bid 10.0100               -> X1, O3 buy 10.0000
    #   ask 10.0400               -> X2, O4 sell 10.0500
    #   bid back to 10.0000       -> X3, O5 buy 9.9900
    want = [enter(1, b"B", 99900), enter(2, b"S", 100600), cancel(1), enter(3, b"B", 100000),
            cancel(2), enter(4, b"S", 100500), cancel(3), enter(5, b"B", 99900)]
    frames = read_pcap(tx)
    eq(len(frames), len(want), "frames on the TX port")
    for i, (f, w) in enumerate(zip(frames, want)):
        what = f"frame {i}"
        eq(f[0:6], bytes.fromhex("020000000002"), what + " dst MAC")
        eq(f[12:14], b"\x08\x00", what + " IPv4")
        ip, udp, payload = f[14:34], f[34:42], f[42:]
        eq(len(f), 42 + len(w), what + " length")
        eq((ip[0], ip[1], ip[6:8], ip[8], ip[9]), (0x45, 0, b"\x40\x00", 64, 17),
           what + " IPv4 version/IHL, TOS, DF, TTL, UDP")
        eq(struct.unpack(">H", ip[2:4])[0], 28 + len(w), what + " IP total length")
        eq((ip[12:16], ip[16:20]), (bytes([10, 9, 8, 6]), bytes([10, 9, 8, 7])), what + " IPs")
        eq(ipv4_sum(ip), 0xFFFF, what + " IP header checksum")
        eq(struct.unpack(">HHH", udp[:6]), (15001, 15000, 8 + len(w)), what + " UDP ports, length")
        pseudo = ip[12:20] + struct.pack(">BBH", 0, 17, 8 + len(w))
        eq(ipv4_sum(pseudo + udp + payload), 0xFFFF, what + " UDP checksum")
        eq(payload, w, what + " OUCH bytes")
    s = j["strategy"]
    eq((s["orders_sent"], s["cancels_sent"], s["rejected"], s["working"]), (5, 3, 0, 5),
       "gateway counters (no exchange acks in run: every order stays working)")
    z = s["symbols"]["ZXZX"]
    eq((z["locate"], z["orders"], z["cancels"]), (7, 5, 3), "per symbol")


# ---- refusals ------------------------------------------------------------------------------

@case
def bad_strategy_configs(env):
    p = os.path.join(env.data, "itch-moldudp64", "OrderDeleteMessage.pcap")
    shock = "[rule.shock]\nkind = price_move\n"
    cases = [
        (shock + "window = 10 parsecs\nthreshold = 500\n", 3,
         r"rule\.shock: key 'window': '10 parsecs' is not a duration.*"),
        (shock + "window = 1s\n", 1, r"rule\.shock: missing required key 'threshold'.*"),
        (shock + "window = 1s\nthreshold = 500\ncolour = red\n", 5,
         r"rule\.shock: unknown key 'colour'"),
        ("[rule.x]\nwindow = 1s\n", 1, r"rule\.x: missing required key 'kind'.*"),
        (shock + "window = 1s\nthreshold = 500\naction = explode\n", 5,
         r"rule\.shock: key 'action': 'explode' is not one of alert, halt_symbol, halt_all"),
        ("[rules]\ndefaults = maybe\n", 2, r"defaults must be on or off, not 'maybe'"),
        ("[risk]\nmax_order_qty = 0\n", 2,
         r"max_order_qty must be a whole number from 1 to 4294967295, not '0'"),
        ("[risk]\ncollar_bps = 20000\n", 2, r"collar_bps must be a whole number from 0 to 10000.*"),
        ("[risk]\nrate_max_orders = 10\n", 2,
         r"rate_max_orders and rate_window go together: set both or neither"),
        ("[risk]\nstale = 5\n", 2, r"stale must be a duration with a unit .*, not '5'"),
        ("[risk]\nescalate_rate = 5\n", 2, r"escalate_rate must be COUNT/WINDOW .*"),
        ("[risk]\nescalate_hunger = 1/1s\n", 2, r"unknown key 'escalate_hunger' in \[risk\].*"),
        ("[risk]\nmax_lots = 1\n", 2, r"unknown key 'max_lots' in \[risk\].*"),
        ("[strategy]\nmarket_maker = maybe\n", 2, r"market_maker must be on or off, not 'maybe'"),
        ("[strategy]\nmarket_maker = on\n", 2, r"market_maker = on needs symbols = .*"),
        ("[strategy]\nsymbols = AAAA, aaaa\n", 2, r"symbols: 'aaaa' is not a symbol .*"),
        ("[killswitch]\nstate_file = /nonexistent/dir/ks.state\n", 2,
         r"state_file '/nonexistent/dir/ks\.state': directory /nonexistent/dir does not exist"),
        ("[gateway]\ndev = net_pcap1,tx_pcap=/tmp/x.pcap\n", 1,
         r"\[gateway\] needs dst = ip:port .*"),
        ("[simex]\nlatency = soon\n", 2, r"latency must be a duration with a unit .*"),
    ]
    for i, (text, line, reason) in enumerate(cases):
        cfg = write(env, f"bad{i}.ini", text)
        one_line_error(env.run(["replay", "--pcap", p, "-c", cfg]), 1,
                       re.escape(f"tickpipe: {cfg}:{line}: ") + reason)
    # run: a market maker needs somewhere to send its orders.
    cfg = write(env, "run-nogw.ini", f"[port.0]\ndev = net_pcap0,rx_pcap={p}\n[feed.x]\n"
                "protocol = itch50-moldudp64\nline_a = 233.54.12.111:26477\n" +
                maker("AAAA") + f"[killswitch]\nstate_file = {env.path('k.state')}\n")
    one_line_error(env.run(["run", "-c", cfg]), 1,
                   re.escape(f"tickpipe: {cfg}:") + r"\d+: market_maker = on in run needs "
                   r"\[gateway\] port = N or dev = .*")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickpipe", required=True)
    ap.add_argument("--gen")
    ap.add_argument("--data", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    env = dt.Env(args)
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
