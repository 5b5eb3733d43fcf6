#!/usr/bin/env python3
"""Writes the hand-made seeds of the proto fuzzing corpus (valid-* decode,
bad-* must be rejected). libFuzzer adds hash-named files next to them
(tests/fuzz/run_fuzz.sh). Run from anywhere: python3 make_seeds.py"""
import os
import struct

D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(D, exist_ok=True)


def s(t):
    b = t.encode()
    return struct.pack("<H", len(b)) + b


def hdr(t, v=1):
    return b"HJ" + bytes([v, t])


def hello(bid="tx2-01", dev="tx2", run="replay", caps="delay_ms=50", job=0, att=0):
    return hdr(1) + s(bid) + s(dev) + s(run) + s(caps) + struct.pack("<QI", job, att)


def job(jid=1, att=1, arch="|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|avg_pool_3x3~2|"):
    return hdr(3) + struct.pack("<QI", jid, att) + s(arch)


def result(jid=7, att=1, st=0, run="builtin", reps=20, warm=3, vals=(1.7e9, 1.7e9 + 1, 12.5, 12.7, 0.3, 12.1), err=""):
    return (hdr(4) + struct.pack("<QIB", jid, att, st) + s(run) + struct.pack("<II", reps, warm)
            + struct.pack("<6d", *vals) + s(err))


def hb_board(jid=3, att=1, holding=1):
    return hdr(5) + struct.pack("<QIB", jid, att, holding)


seeds = {
    "valid-hello": hello(),
    "valid-hello-busy": hello(job=12, att=2, caps=""),
    "valid-welcome": hdr(2),
    "valid-job": job(),
    "valid-job-bert": job(arch="L4:H256:A4.4.8.8:F512.1024.1024.512"),
    "valid-result-ok": result(),
    "valid-result-failed": result(st=1, reps=0, warm=0, vals=(1, 2, 0, 0, 0, 0), err="replay: no value"),
    "valid-result-returned": result(st=3, err="board shutting down"),
    "valid-heartbeat": hdr(5),
    "valid-heartbeat-board": hb_board(),
    "valid-who": hdr(6),
    "valid-bye": hdr(7),
    "bad-empty": b"",
    "bad-short": b"HJ\x01",
    "bad-magic": b"XJ" + hello()[2:],
    "bad-version": hdr(1, v=2) + hello()[4:],
    "bad-type": hdr(99),
    "bad-trailing": hdr(6) + b"\x00",
    "bad-hello-truncated": hello()[:-3],
    "bad-hello-empty-id": hdr(1) + s("") + s("tx2") + s("r") + s("") + struct.pack("<QI", 0, 0),
    "bad-job-zero-id": job(jid=0),
    "bad-job-long-arch": job(arch="a" * 512),
    "bad-job-nonprintable": job(arch="abc\x07def"),
    "bad-job-length-overrun": hdr(3) + struct.pack("<QI", 1, 1) + struct.pack("<H", 60000) + b"abc",
    "bad-result-status": result(st=4),
    "bad-result-nan": result(vals=(1, 2, float("nan"), 0, 0, 0)),
    "bad-result-inf": result(vals=(1, float("inf"), 0, 0, 0, 0)),
    "bad-heartbeat-holding": hdr(5) + struct.pack("<QIB", 1, 1, 7) + b"",
    "bad-oversized": hdr(5) + b"\x00" * 3000,
}
# bad-heartbeat-holding must fail both ways: as a dispatcher heartbeat it has
# trailing bytes, as a board heartbeat holding=7 is out of range.
for name, data in seeds.items():
    with open(os.path.join(D, name), "wb") as f:
        f.write(data)
print(f"wrote {len(seeds)} seeds to {D}")
