#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make_aes_sm.py — how the AES secure-messaging vectors in sm_aes.txt were
made, independently of the C code (Python 'cryptography', OpenSSL backend).

Doc 9303 Part 11 gives worked SM examples only for 3DES (Appendix D.4), so
the AES known answers are constructed here from the rules of §9.8:
  - SSC is one AES block (16 bytes), 0 after PACE, incremented before each
    command and before each response;
  - IV = AES-ECB(KSenc, SSC) for the encryption of that message;
  - data padded with ISO 9797-1 method 2; even INS -> DO'87' = 01 || C,
    odd INS -> DO'85' = C; Le in DO'97'; MAC = first 8 bytes of
    AES-CMAC(KSmac, pad(SSC || pad(header) || DOs)).
To show that this script implements the same rules as the reference, it
first rebuilds the ICAO 3DES example of Appendix D.4 byte for byte (the
asserts below) with the 3DES primitives swapped in, then prints the AES
vectors with the PACE session keys of Appendix G.1 (and AES-256 keys derived
with the KDF from a fixed secret).

Run: python3 make_aes_sm.py > sm_aes.txt
"""
import hashlib
from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.cmac import CMAC
try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # older cryptography
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

H = bytes.fromhex


def pad(b, n):
    b = b + b"\x80"
    return b + b"\x00" * ((-len(b)) % n)


def ecb(alg, data):
    e = Cipher(alg, modes.ECB()).encryptor()
    return e.update(data) + e.finalize()


def cbc(alg, iv, data, dec=False):
    c = Cipher(alg, modes.CBC(iv))
    x = c.decryptor() if dec else c.encryptor()
    return x.update(data) + x.finalize()


class DES3:
    bs = 8

    def __init__(self, kenc, kmac):
        self.kenc, self.kmac = kenc, kmac

    def enc(self, ssc, data):
        return cbc(TripleDES(self.kenc + self.kenc[:8]), b"\0" * 8, data)

    def mac(self, msg):
        m = pad(msg, 8)
        ka, kb = self.kmac[:8], self.kmac[8:]
        y = cbc(TripleDES(ka * 3), b"\0" * 8, m)[-8:]
        y = Cipher(TripleDES(kb * 3), modes.ECB()).decryptor().update(y)
        return ecb(TripleDES(ka * 3), y)


class AESSM:
    bs = 16

    def __init__(self, kenc, kmac):
        self.kenc, self.kmac = kenc, kmac

    def enc(self, ssc, data):
        iv = ecb(AES(self.kenc), ssc)
        return cbc(AES(self.kenc), iv, data)

    def mac(self, msg):
        c = CMAC(AES(self.kmac))
        c.update(pad(msg, 16))
        return c.finalize()[:8]


def tlv(tag, v):
    n = len(v)
    if n < 0x80:
        ln = bytes([n])
    elif n < 0x100:
        ln = bytes([0x81, n])
    else:
        ln = bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + ln + v


def inc(ssc):
    return (int.from_bytes(ssc, "big") + 1).to_bytes(len(ssc), "big")


def wrap(sm, ssc, cla, ins, p1, p2, data=b"", le=None, ext=False):
    ssc = inc(ssc)
    hdr = bytes([cla | 0x0C, ins, p1, p2])
    dos = b""
    if data:
        c = sm.enc(ssc, pad(data, sm.bs))
        dos += tlv(0x85, c) if ins & 1 else tlv(0x87, b"\x01" + c)
    if le is not None:
        dos += tlv(0x97, (le & 0xFFFF).to_bytes(2, "big") if ext else bytes([le & 0xFF]))
    mac = sm.mac(ssc + pad(hdr, sm.bs) + dos)
    dos += tlv(0x8E, mac)
    if ext or len(dos) > 255:
        apdu = hdr + b"\x00" + len(dos).to_bytes(2, "big") + dos + b"\x00\x00"
    else:
        apdu = hdr + bytes([len(dos)]) + dos + b"\x00"
    return ssc, apdu


def respond(sm, ssc, data=b"", sw=b"\x90\x00", odd=False):
    ssc = inc(ssc)
    dos = b""
    if data:
        c = sm.enc(ssc, pad(data, sm.bs))
        dos += tlv(0x85, c) if odd else tlv(0x87, b"\x01" + c)
    dos += tlv(0x99, sw)
    dos += tlv(0x8E, sm.mac(ssc + dos))
    return ssc, dos + sw


def kdf(k, c, n, sha):
    return sha(k + c.to_bytes(4, "big")).digest()[:n]


# ---- 1. the ICAO 3DES example (Doc 9303 Part 11, App. D.4) ----
d = DES3(H("979EC13B1CBFE9DCD01AB0FED307EAE5"), H("F1CB1F1FB5ADF208806B89DC579DC1F8"))
ssc = H("887022120C06C226")
ssc, a = wrap(d, ssc, 0, 0xA4, 2, 0x0C, H("011E"))
assert a == H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800"), a.hex()
ssc, r = respond(d, ssc)
assert r == H("990290008E08FA855A5D4C50A8ED9000"), r.hex()
ssc, a = wrap(d, ssc, 0, 0xB0, 0, 0, le=4)
assert a == H("0CB000000D9701048E08ED6705417E96BA5500"), a.hex()
ssc, r = respond(d, ssc, H("60145F01"))
assert r == H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"), r.hex()
ssc, a = wrap(d, ssc, 0, 0xB0, 0, 4, le=0x12)
assert a == H("0CB000040D9701128E082EA28A70F3C7B53500"), a.hex()
ssc, r = respond(d, ssc, H("04303130365F36063034303030305C026175"))
assert r == H("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"), r.hex()

# ---- 2. AES-128 with the PACE session keys of App. G.1, SSC = 0 ----
out = []
kenc = H("F5F0E35C0D7161EE6724EE513A0D9A7F")
kmac = H("FE251C7858B356B24514B3BD5F4297D1")
a128 = AESSM(kenc, kmac)
ssc = bytes(16)
out += ["# AES-128, KSenc/KSmac of Doc 9303 Part 11 App. G.1, SSC starts at 0",
        "aes128_ksenc = " + kenc.hex().upper(), "aes128_ksmac = " + kmac.hex().upper()]
ssc, a = wrap(a128, ssc, 0, 0xA4, 2, 0x0C, H("011E"))
out.append("aes128_select_ef_com = " + a.hex().upper())
ssc, r = respond(a128, ssc)
out.append("aes128_select_resp = " + r.hex().upper())
ssc, a = wrap(a128, ssc, 0, 0xB0, 0, 0, le=4)
out.append("aes128_read4 = " + a.hex().upper())
ssc, r = respond(a128, ssc, H("60145F01"))
out.append("aes128_read4_resp = " + r.hex().upper())
out.append("aes128_ssc_after = " + ssc.hex().upper())
# a 6282 answered under SM (chip returns 2 bytes, warning status)
ssc, a = wrap(a128, ssc, 0, 0xB0, 0, 0x14, le=0xDF)
out.append("aes128_read223 = " + a.hex().upper())
ssc, r = respond(a128, ssc, H("5C026175"), sw=H("6282"))
out.append("aes128_read223_resp = " + r.hex().upper())

# ---- 3. AES-256: keys = KDF(K, 1/2) with SHA-256, odd INS, extended Le ----
k = H("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
kenc, kmac = kdf(k, 1, 32, hashlib.sha256), kdf(k, 2, 32, hashlib.sha256)
a256 = AESSM(kenc, kmac)
ssc = bytes(16)
out += ["# AES-256, KSenc/KSmac = KDF(K, 1/2) with SHA-256, K = the PACE G.1 shared secret",
        "aes256_ksenc = " + kenc.hex().upper(), "aes256_ksmac = " + kmac.hex().upper()]
ssc, a = wrap(a256, ssc, 0, 0xB1, 0, 0, H("54028000"), le=1000, ext=True)
out.append("aes256_read_odd_ext = " + a.hex().upper())
body = tlv(0x53, bytes(range(256)) * 3 + bytes(range(100)))  # 868 data bytes
ssc, r = respond(a256, ssc, body, odd=True)
out.append("aes256_read_odd_plain = " + body.hex().upper())
out.append("aes256_read_odd_resp = " + r.hex().upper())
print("\n".join(out))
