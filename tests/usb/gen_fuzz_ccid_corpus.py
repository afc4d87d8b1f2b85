#!/usr/bin/env python3
# gen_fuzz_ccid_corpus.py — write the seed corpus of the `ccid` fuzz target
# (tests/fuzz/corpus/ccid/). Input layout: see tests/fuzz/fuzz_ccid.c.
# Each seed is a valid (or deliberately broken) reply sequence for the
# commands fuzz_ccid.c sends in one round, with matching sequence numbers.
#   python3 tests/usb/gen_fuzz_ccid_corpus.py tests/fuzz/corpus/ccid
import os
import struct
import sys

ATR = bytes.fromhex("3B888001454741544553494D00")


def hdr(t, data, seq, status=0, err=0, chain=0, slot=0, dw=None):
    n = len(data) if dw is None else dw
    return struct.pack("<BIBBBBB", t, n, slot, seq, status, err, chain) + data


def rec(data=b"", tag=0):
    return struct.pack("<BH", tag, len(data)) + data


def prefix(maxmsg=522, flags=0):
    return struct.pack("<HB", maxmsg - 271, flags)


def round_extended(maxmsg=522, flags=0, seq0=0):
    chunk = maxmsg - 10
    out = []
    s = seq0
    out.append(rec(hdr(0x80, ATR, s))); s += 1
    out.append(rec(hdr(0x81, b"", s))); s += 1
    out.append(rec(hdr(0x80, b"\x90\x00", s))); s += 1
    # echo of 600 bytes: command 609 bytes, response 602 bytes
    cmd, rsp = 609, bytes(range(256)) * 2 + bytes(88) + b"\x90\x00"
    for cap_small in (False, True):
        left = cmd
        first = True
        while left > chunk:
            out.append(rec(hdr(0x80, b"", s, chain=0x10))); s += 1
            left -= chunk
            first = False
        parts = [rsp[i:i + chunk] for i in range(0, len(rsp), chunk)]
        for i, part in enumerate(parts):
            if len(parts) == 1:
                ch = 0
            elif i == 0:
                ch = 1
            elif i == len(parts) - 1:
                ch = 2
            else:
                ch = 3
            out.append(rec(hdr(0x80, part, s, chain=ch))); s += 1
            if cap_small and len(parts) > 1:
                break
        if cap_small and len(parts) > 1:
            out.append(rec(tag=1))          # drain ends on a timeout
    out.append(rec(hdr(0x83, b"ESC", s))); s += 1
    out.append(rec(b"\x50\x03"))           # card placed
    out.append(rec(b"\x51\x00\x07\x01"))   # hardware error report
    out.append(rec(hdr(0x81, b"", s, status=1))); s += 1
    return b"".join(out)


def seeds():
    yield "round-extended-522", prefix() + round_extended()
    yield "round-extended-1034", prefix(1034) + round_extended(1034)
    yield "round-extended-271", prefix(271) + round_extended(271)
    yield "round-short-level", prefix(522, 1) + round_extended()
    yield "tpdu-level-refused", prefix(522, 2)
    yield "no-notify-quirk", prefix(522, 4) + round_extended()
    yield "two-rounds-reconnect", prefix() + round_extended() + round_extended()
    te = hdr(0x80, b"", 0, status=0x80, err=3)
    yield "time-extension", prefix() + rec(te) + rec(te) + rec(hdr(0x80, ATR, 0))
    yield "card-absent", prefix() + rec(hdr(0x80, b"", 0, status=0x42, err=0xFE)) \
        + rec(hdr(0x81, b"", 1, status=0x42, err=0xFE))
    yield "hw-error", prefix() + rec(hdr(0x80, b"", 0, status=0x40, err=0xFB))
    yield "wrong-seq", prefix() + rec(hdr(0x80, ATR, 1))
    yield "stale-reply-skipped", prefix() + rec(hdr(0x81, b"", 255)) + \
        rec(hdr(0x80, ATR, 0))
    yield "wrong-type", prefix() + rec(hdr(0x81, ATR, 0))
    yield "wrong-slot", prefix() + rec(hdr(0x80, ATR, 0, slot=1))
    yield "bad-length", prefix() + rec(hdr(0x80, ATR, 0, dw=len(ATR) + 1))
    yield "huge-length", prefix() + rec(hdr(0x80, ATR, 0, dw=0xFFFFFFFF))
    yield "short-header", prefix() + rec(b"\x80\x00\x00")
    yield "stall-then-ok", prefix() + rec(tag=2) + rec(tag=1) + \
        rec(hdr(0x81, b"", 2))
    yield "unplugged", prefix() + rec(tag=3)
    yield "multi-slot-notify", prefix(522, 3 << 3) + rec(hdr(0x80, ATR, 0)) + \
        rec(hdr(0x81, b"", 1)) + rec(tag=1) * 6 + rec(b"\x50\xC3")
    yield "bad-chain-start", prefix() + rec(hdr(0x80, ATR, 0)) + \
        rec(hdr(0x81, b"", 1)) + rec(hdr(0x80, b"\x90\x00", 2, chain=3))
    desc = bytearray(54)
    desc[0], desc[1], desc[2], desc[3] = 54, 0x21, 0x10, 0x01
    desc[40:44] = struct.pack("<I", 0x000404BE)
    desc[44:48] = struct.pack("<I", 522)
    yield "class-descriptor", bytes([9, 4, 0, 0, 3, 0x0B, 0, 0, 0]) + bytes(desc)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/ccid"
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
