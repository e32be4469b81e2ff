#!/usr/bin/env python3
"""The durable log from the tickpipe program: a replay with --log-dir, read back with
tickpipe-logcat, against the replay's own report; and a replay killed with SIGKILL, whose
log must still verify (a torn tail is allowed)."""
import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataplane_test as dt  # noqa: E402  (Env, checks and the report parser)
from dataplane_test import EAL, Fail, check, eq, parse_report  # noqa: E402

CASES = {}
LOGCAT = None
CTL = None


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def logcat(args, rc=0):
    r = subprocess.run([LOGCAT] + args, capture_output=True, text=True, timeout=50)
    if rc is not None and r.returncode != rc:
        raise Fail(f"tickpipe-logcat {' '.join(args)}: exit {r.returncode}, want {rc}\n"
                   f"stderr: {r.stderr[-2000:]}")
    return r


def summary(d):
    """--summary: 'type count' lines -> dict."""
    out = {}
    for line in logcat(["--summary", d]).stdout.splitlines():
        k, v = line.split()
        out[k] = int(v)
    return out


def verify_records(d):
    r = logcat(["--verify", d])
    m = re.search(r"^records: (\d+)$", r.stdout, re.M)
    check(m, f"--verify prints the record count: {r.stdout!r}")
    check(re.search(r"^result: ok$", r.stdout, re.M), f"--verify result ok: {r.stdout!r}")
    return int(m.group(1)), r


@case
def log_replay(env):
    # A sequence gap on both lines: one gap event, a seq_gap alert and a global halt.
    p, m = env.make("gap.pcap", dt.BASE + ["--dup-b", "--gap", "50"])
    d = env.path("log")
    r = env.run(["replay", "--pcap", p, "--log-dir", d, "--json"], check_rc=0)
    j = json.loads(r.stdout)
    lg = j.pop("log", None)
    parse_report(json.dumps(j))
    dt.expect_manifest(j, m, books=False)
    # What the consumer saw: every delivered message that made an event (unknown order
    # refs make none), plus the gap events.
    events = j["messages_total"] - j["unknown_refs"] + j["gaps"]["events"]
    s = summary(d)
    eq(s["event"], events, "event records = events consumed")
    eq(s["symbol"], len(m["books"]), "symbol records = stocks")
    eq(s["alert"], sum(j["alerts"].values()), "alert records")
    # The rule's halt (consumer) and the kill-switch's change (main thread's audit drain).
    eq(s["halt"], 2 * len(j["halts"]), "halt records")
    eq(s.get("drop", 0), 0, "replay drops nothing")
    check(s.get("stats", 0) >= 2, f"stats records: the pipeline's final one and the logger's ({s})")
    n, _ = verify_records(d)
    eq(n, s["total"], "--verify reads every record")
    # The report's log counts match what is on disk.
    check(lg is not None, f"the report has the log's counts: {r.stdout!r}")
    eq((lg["records"], lg["drops"], lg["segments"], lg["write_errors"]),
       (s["total"], 0, 1, False), "reported records, drops, segments")
    eq(r.stderr, "", "nothing on stderr")
    t = env.run(["replay", "--pcap", p, "--log-dir", env.path("log2")], check_rc=0)
    check(re.search(r"^log: \d+ records, \d+ bytes, 0 drops, 1 segment$", t.stdout, re.M),
          f"text report's log line: {t.stdout[-500:]!r}")
    # The events are the consumer's, in ring order, field for field: spot-check the gap.
    gaps = [json.loads(line) for line in
            logcat(["--json", "-t", "event", d]).stdout.splitlines()
            if json.loads(line).get("kind") in (8, "gap")]
    eq(len(gaps), 1, "one gap event record")
    names = sorted(json.loads(line)["symbol"].strip()
                   for line in logcat(["--json", "-t", "symbol", d]).stdout.splitlines())
    eq(names, sorted(m["books"].keys()), "symbol records name the stocks")


@case
def log_no_dir(env):
    # Without a log directory nothing is written and nothing is said about a log.
    p, m = env.make("clean.pcap", dt.BASE)
    r = env.run(["replay", "--pcap", p, "--json"], check_rc=0)
    dt.expect_manifest(parse_report(r.stdout), m)  # exact keys: no "log"
    t = env.run(["replay", "--pcap", p], check_rc=0)
    check(not re.search(r"^log:", t.stdout, re.M), "no log line in the text report")


@case
def log_bad_dir(env):
    # A log directory that cannot be made: refused before anything runs, one line, exit 1.
    p, _ = env.make("clean.pcap", dt.BASE)
    with open(env.path("afile"), "w"):
        pass
    r = env.run(["replay", "--pcap", p, "--log-dir", env.path("afile/x"), "--json"])
    dt.one_line_error(r, 1, r"tickpipe: log directory .*afile/x: Not a directory")


@case
def log_kill9(env):
    # 20 s of capture at real time; SIGKILL about a second into the replay.
    p, _ = env.make("slow.pcap", ["--messages", "20000", "--stocks", "4", "--rate", "1000"])
    d = env.path("log")
    cmd = [env.tickpipe] + EAL + ["--", "replay", "--pcap", p, "--speed", "1", "--log-dir", d]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env.env)
    try:
        # The first segment appears once the logger runs (after EAL start-up).
        deadline = time.monotonic() + 30
        while not glob.glob(os.path.join(d, "*.tplog")) and time.monotonic() < deadline:
            check(proc.poll() is None, "tickpipe exited before it was killed")
            time.sleep(0.05)
        check(glob.glob(os.path.join(d, "*.tplog")), "a segment file within 30 s")
        time.sleep(1.0)
        check(proc.poll() is None, "tickpipe still running at the kill")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    eq(proc.returncode, -signal.SIGKILL, "killed by SIGKILL")
    n, _ = verify_records(d)
    check(n > 0, f"records survived the kill: {n}")
    check(summary(d).get("event", 0) > 0, "event records survived the kill")


@case
def log_ctl_audit(env):
    # A running replay serving the control socket: status, kill, a refused resume and a
    # confirmed one; every command lands in the durable log as an audit record.
    p, _ = env.make("slow.pcap", ["--messages", "20000", "--stocks", "4", "--rate", "1000"])
    d, sock, ini = env.path("log"), env.path("ctl.sock"), env.path("ctl.ini")
    with open(ini, "w") as f:
        f.write(f"[ctl]\nsocket = {sock}\n")
    cmd = [env.tickpipe] + EAL + ["--", "replay", "--pcap", p, "--speed", "1", "-c", ini,
                                  "--log-dir", d]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env.env)
    try:
        deadline = time.monotonic() + 30
        while not os.path.exists(sock) and time.monotonic() < deadline:
            check(proc.poll() is None, "tickpipe exited before serving the socket")
            time.sleep(0.05)
        ctl = lambda *a: subprocess.run([CTL, "-s", sock] + list(a), capture_output=True,
                                        text=True, timeout=30)
        eq(ctl("status").returncode, 0, "status")
        eq(ctl("kill", "--reason", "test halt").returncode, 0, "kill")
        eq(ctl("resume", "--reason", "all clear").returncode, 1, "resume without --confirm")
        eq(ctl("resume", "--reason", "all clear", "--confirm").returncode, 0, "resume")
        check(proc.poll() is None, "tickpipe still running after the commands")
        proc.send_signal(signal.SIGTERM)
        eq(proc.wait(timeout=30), 0, "exit after SIGTERM")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    verify_records(d)
    eq(summary(d).get("audit", 0) >= 4, True, "audit records for the 4 commands")
    cmds = [json.loads(l).get("command") for l in
            logcat(["--json", "--type", "audit", d]).stdout.splitlines()]
    for c in ("status", "kill", "resume"):
        check(c in cmds, f"audit record of {c}: {cmds}")


def main():
    global LOGCAT, CTL
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickpipe", required=True)
    ap.add_argument("--gen")
    ap.add_argument("--logcat", required=True)
    ap.add_argument("--ctl")
    ap.add_argument("--data", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    LOGCAT = args.logcat
    CTL = args.ctl
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
