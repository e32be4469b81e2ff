#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_mold (tests/mold/corpus_mold/). Run from anywhere:
    python3 tests/mold/gen_corpus.py [path/to/shared/data]
The record format is described at the top of fuzz_mold.c."""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus_mold")
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "data")
SESSION = b"TESTSESS01"


def msg(seq):
    extra = seq % 5
    return b"T" + struct.pack(">Q", seq) + bytes([ord("a") + extra]) * extra


def pkt(seq, count, session=SESSION):
    body = b"".join(struct.pack(">H", len(msg(s))) + msg(s) for s in range(seq, seq + count))
    return session + struct.pack(">QH", seq, count) + body


def hb(nxt, count=0):
    return SESSION + struct.pack(">QH", nxt, count)


def rec(data, line=0, wrap=True, vlan=False, dt=1):
    flags = line | (2 if wrap else 0) | (4 if vlan else 0) | (dt << 3)
    return bytes([flags]) + struct.pack(">H", len(data)) + data


def tick(dt=31):
    return bytes([dt << 3]) + b"\x00\x00"


def write(name, cfg, records):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(bytes(cfg) + b"".join(records))


def pcap_frames(path):
    b = open(path, "rb").read()
    off, out = 24, []
    while off + 16 <= len(b):
        cl = struct.unpack("<I", b[off + 8:off + 12])[0]
        out.append(b[off + 16:off + 16 + cl])
        off += 16 + cl
    return out


os.makedirs(OUT, exist_ok=True)

# Real NASDAQ frames, raw, on both lines.
mdir = os.path.join(DATA, "itch-moldudp64")
if os.path.isdir(mdir):
    for fn in sorted(os.listdir(mdir)):
        if fn.endswith(".pcap"):
            frames = pcap_frames(os.path.join(mdir, fn))
            recs = []
            for fr in frames:
                recs += [rec(fr, 0, wrap=False), rec(fr, 1, wrap=False)]
            write("real_" + fn.replace(".pcap", ".bin"), [7, 200], recs)

# In order on A, B identical.
write("dup_ab.bin", [7, 100], [rec(pkt(s, 3), l) for s in range(1, 30, 3) for l in (0, 1)])
# Loss on A filled by B, with reordering.
write("fill_b.bin", [3, 100], [rec(pkt(1, 3), 0), rec(pkt(7, 3), 0), rec(pkt(10, 2), 0),
                               rec(pkt(1, 3), 1), rec(pkt(4, 3), 1), rec(pkt(7, 3), 1)])
# Unrecoverable gap via window, then a late packet.
write("gap_time.bin", [7, 2], [rec(pkt(1, 2), 0), rec(pkt(6, 2), 0), tick(), tick(),
                               rec(pkt(3, 3), 1)])
# Packet bound.
write("gap_space.bin", [1, 255], [rec(pkt(1, 1)), rec(pkt(3, 1)), rec(pkt(4, 1)),
                                  rec(pkt(6, 1)), rec(pkt(2, 1), 1)])
# Heartbeats and end of session revealing holes.
write("heartbeat.bin", [7, 50], [rec(hb(1)), rec(pkt(1, 2)), rec(hb(5), 1), rec(pkt(3, 2), 1),
                                 rec(hb(9)), tick(), rec(hb(9, 0xFFFF), 1), rec(hb(9, 0xFFFF))])
# Overlaps.
write("overlap.bin", [7, 100], [rec(pkt(1, 5)), rec(pkt(3, 6), 1), rec(pkt(12, 3)),
                                rec(pkt(7, 6), 1)])
# Oversize packets with a tiny buffer (bit 3 of byte 0).
write("oversize.bin", [8 | 3, 100], [rec(pkt(1, 1)), rec(pkt(3, 1)), rec(pkt(10, 8)),
                                     rec(pkt(2, 1), 1)])
# Malformed shapes and a foreign session, VLAN-tagged.
good = pkt(1, 3)
write("malformed.bin", [7, 100], [rec(good[:-1], vlan=True), rec(good[:15], vlan=True),
                                  rec(good[:18] + b"\x00\x04" + good[20:], vlan=True),
                                  rec(good + b"x", vlan=True), rec(pkt(1, 3, b"OTHERSESS1")),
                                  rec(good, 1, vlan=True)])
