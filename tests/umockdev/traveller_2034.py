#!/usr/bin/env python3
"""traveller_2034.py IN OUT — a simulated traveller (hw/sim/travellers/*.ini)
whose TD3 MRZ expires on 2034-12-31 (the expiry and composite check digits
recomputed) and whose chip portrait is sample5.jpg, the person the emulated
camera shows (egate-kiosk-sim --make-portrait sample5.jpg). egate-usb-emu
builds the chip from it (--traveller PATH); the end-to-end tests and the
daemon benchmark use it."""
import sys


def check_digit(s):
    def v(c):
        if c.isdigit():
            return int(c)
        return ord(c) - 55 if c.isalpha() else 0
    return str(sum(v(c) * w for c, w in zip(s, [7, 3, 1] * 20)) % 10)


out = []
for line in open(sys.argv[1]):
    if line.startswith("mrz2 = "):
        l2 = line.split("= ", 1)[1].strip()
        l2 = l2[:21] + "341231" + check_digit("341231") + l2[28:43]
        l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
        line = "mrz2 = %s\n" % l2
    elif line.startswith("face = "):
        line = "face = sample5.jpg\n"
    out.append(line)
with open(sys.argv[2], "w") as f:
    f.write("".join(out))
