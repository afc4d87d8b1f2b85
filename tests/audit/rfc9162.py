#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""rfc9162.py - an independent verifier for `egate audit` proofs.

Written from RFC 9162 section 2.1 (Merkle tree, inclusion and consistency
proofs), c2sp.org/signed-note, c2sp.org/tlog-checkpoint,
c2sp.org/tlog-cosignature and docs/audit.md (the record encoding) alone; it
shares no code with host/audit. Uses python3-cryptography (Debian).

  rfc9162.py prove PROOF.json PUBKEY.pem          an `egate audit prove --json`
  rfc9162.py consistency PROOF.json PUBKEY.pem [OLD_CHECKPOINT]
  rfc9162.py cosigned CHECKPOINT PUBKEY.pem VKEY  a witness-cosigned checkpoint
  rfc9162.py vectors OUT                          write tests/vectors/audit/proofs.txt
  rfc9162.py check-vectors FILE                   this implementation against a vector file

Exit 0: valid; 1: invalid (the reason on stderr); 2: usage.
"""
import base64
import hashlib
import json
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519


class Invalid(Exception):
    pass


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(data):
    return sha256(b"\x00" + data)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def k_of(n):
    """largest power of two smaller than n (n >= 2)"""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = k_of(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    n = len(leaves)
    if n <= 1:
        return []
    k = k_of(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, full):
    n = len(leaves)
    if m == n:
        return [] if full else [mth(leaves)]
    k = k_of(n)
    if m <= k:
        return subproof(m, leaves[:k], full) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 2.1.3.2"""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, proof):
    """RFC 9162 2.1.4.2 (first == second: empty proof, same root)"""
    if first > second:
        return False
    if first == second:
        return not proof and first_hash == second_hash
    if first == 0:
        return not proof
    if not proof:
        return False
    if first & (first - 1) == 0:
        proof = [first_hash] + list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


# ---- signed notes ---------------------------------------------------------

DASH = "\u2014 "


def parse_note(text):
    if "\n\n" not in text:
        raise Invalid("note: no blank line before the signatures")
    i = text.rindex("\n\n")
    body, sigs = text[: i + 1], text[i + 2:]
    lines = body.split("\n")[:-1]
    if len(lines) != 3:
        raise Invalid("checkpoint: want origin, size and root lines")
    origin, size, root64 = lines
    if not size.isdigit() or (len(size) > 1 and size[0] == "0"):
        raise Invalid("checkpoint: bad size")
    root = base64.b64decode(root64, validate=True)
    if len(root) != 32:
        raise Invalid("checkpoint: root is not 32 bytes")
    out = []
    for line in sigs.split("\n"):
        if not line:
            continue
        if not line.startswith(DASH):
            raise Invalid("note: bad signature line")
        name, sig64 = line[len(DASH):].split(" ")
        raw = base64.b64decode(sig64, validate=True)
        out.append((name, raw[:4], raw[4:]))
    return body.encode(), origin, int(size), root, out


def log_key(pem_path):
    with open(pem_path, "rb") as f:
        key = serialization.load_pem_public_key(f.read())
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise Invalid("the log key is not ECDSA P-256")
    spki = key.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, sha256(spki)[:4]


def check_log_signature(note_text, pem_path):
    """signed-note type 0x02: ECDSA P-256 over SHA-256 of the body, key id
    SHA-256(SPKI)[:4], key name = origin"""
    body, origin, size, root, sigs = parse_note(note_text)
    key, kid = log_key(pem_path)
    for name, k, sig in sigs:
        if name == origin and k == kid:
            try:
                key.verify(sig, body, ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                raise Invalid("checkpoint: the log signature does not verify")
            return origin, size, root
    raise Invalid("checkpoint: no signature by the log key")


def check_cosignature(note_text, vkey):
    """c2sp.org/tlog-cosignature, Ed25519 (type 0x04)"""
    body, origin, size, root, sigs = parse_note(note_text)
    name, kid_hex, key64 = vkey.strip().split("+", 2)
    raw = base64.b64decode(key64, validate=True)
    if raw[0] != 4 or len(raw) != 33:
        raise Invalid("vkey: not an Ed25519 cosignature key")
    kid = sha256(name.encode() + b"\n" + raw)[:4]
    if kid.hex() != kid_hex:
        raise Invalid("vkey: key id does not match")
    pub = ed25519.Ed25519PublicKey.from_public_bytes(raw[1:])
    for n, k, sig in sigs:
        if n == name and k == kid:
            if len(sig) != 72:
                raise Invalid("cosignature: wrong length")
            ts = struct.unpack(">Q", sig[:8])[0]
            msg = b"cosignature/v1\ntime %d\n" % ts + body
            try:
                pub.verify(sig[8:], msg)
            except InvalidSignature:
                raise Invalid("cosignature does not verify")
            return ts
    raise Invalid("no cosignature by " + name)


# ---- the record encoding (docs/audit.md, section 3) -----------------------

def parse_entry(entry):
    label = b"egate-audit-record/v1\x00"
    if not entry.startswith(label):
        raise Invalid("entry: wrong label")
    p = len(label)

    def take(n):
        nonlocal p
        if p + n > len(entry):
            raise Invalid("entry: truncated")
        b = entry[p:p + n]
        p += n
        return b

    def field():
        tag = take(1)
        if tag == b"\x00":
            return None
        if tag != b"\x01":
            raise Invalid("entry: bad field tag")
        n = struct.unpack(">I", take(4))[0]
        return take(n).decode()

    rec = {"prev_hash": take(32).hex(), "id": struct.unpack(">Q", take(8))[0],
           "kiosk_id": field(), "seq": struct.unpack(">Q", take(8))[0],
           "ts_ms": struct.unpack(">q", take(8))[0], "type": field(), "decision": field(),
           "reason": field(), "officer": field(), "payload_hash": take(32).hex()}
    if p != len(entry):
        raise Invalid("entry: trailing bytes")
    return rec


def b64list(items):
    return [base64.b64decode(x, validate=True) for x in items]


def cmd_prove(proof_path, pem_path):
    with open(proof_path) as f:
        j = json.load(f)
    origin, size, root = check_log_signature(j["checkpoint"], pem_path)
    entry = bytes.fromhex(j["entry"])
    rec = parse_entry(entry)
    leaf = leaf_hash(entry)
    if base64.b64decode(j["leaf_hash"]) != leaf:
        raise Invalid("leaf hash is not SHA-256(0x00 || entry)")
    if rec["id"] != j["record_id"] or j["leaf_index"] != rec["id"] - 1:
        raise Invalid("leaf index does not match the record id")
    if j["tree_size"] != size or base64.b64decode(j["root"]) != root:
        raise Invalid("proof is not for the signed checkpoint")
    if not verify_inclusion(leaf, j["leaf_index"], size, b64list(j["audit_path"]), root):
        raise Invalid("inclusion proof does not verify")
    print("OK: record %d (%s seq %d, %s %s) is leaf %d of %s at size %d" % (
        rec["id"], rec["kiosk_id"], rec["seq"], rec["type"], rec["decision"],
        j["leaf_index"], origin, size))


def cmd_consistency(proof_path, pem_path, old_path=None):
    with open(proof_path) as f:
        j = json.load(f)
    origin, size, root = check_log_signature(j["checkpoint"], pem_path)
    if j["new_size"] != size or base64.b64decode(j["new_root"]) != root:
        raise Invalid("proof is not for the signed checkpoint")
    old_root = base64.b64decode(j["old_root"]) if j["old_size"] > 0 else sha256(b"")
    if old_path is not None:
        with open(old_path) as f:
            o_origin, o_size, o_root = check_log_signature(f.read(), pem_path)
        if o_origin != origin or o_size != j["old_size"] or o_root != old_root:
            raise Invalid("the old checkpoint is not the proof's old tree")
    if not verify_consistency(j["old_size"], size, old_root, root, b64list(j["proof"])):
        raise Invalid("consistency proof does not verify")
    print("OK: %s at size %d extends size %d" % (origin, size, j["old_size"]))


def cmd_cosigned(cp_path, pem_path, vkey):
    with open(cp_path) as f:
        text = f.read()
    origin, size, root = check_log_signature(text, pem_path)
    if vkey.startswith("@"):
        with open(vkey[1:]) as f:
            vkey = f.read()
    ts = check_cosignature(text, vkey)
    print("OK: %s size %d cosigned at %d" % (origin, size, ts))


# ---- vectors ----------------------------------------------------------------

def make_vectors(out):
    """Inclusion and consistency proofs over leaves "leaf 0", "leaf 1", ...,
    each with mutated copies that must fail, and proofs between two forked
    logs (same sizes, one leaf differs) that must fail."""
    leaves = [leaf_hash(b"leaf %d" % i) for i in range(33)]
    fork = list(leaves)
    fork[5] = leaf_hash(b"forked leaf 5")
    lines = ["# generated by tests/audit/rfc9162.py vectors; checked by test-tlog and check-vectors",
             "# inclusion SIZE INDEX LEAF ROOT PROOF(comma-separated, '-' if empty) ok|bad",
             "# consistency M N ROOT_M ROOT_N PROOF ok|bad"]

    def hx(b):
        return b.hex()

    def pl(p):
        return ",".join(hx(x) for x in p) if p else "-"

    for n in (1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33):
        root = mth(leaves[:n])
        for m in sorted(x for x in {0, 1, n // 2, n - 1} if x < n):
            p = path(m, leaves[:n])
            lines.append("inclusion %d %d %s %s %s ok" % (n, m, hx(leaves[m]), hx(root), pl(p)))
            if p:
                bad = list(p)
                bad[-1] = sha256(bad[-1])
                lines.append("inclusion %d %d %s %s %s bad" % (n, m, hx(leaves[m]), hx(root), pl(bad)))
                lines.append("inclusion %d %d %s %s %s bad" % (n, m, hx(leaves[m]), hx(root), pl(p[:-1])))
                lines.append("inclusion %d %d %s %s %s bad" % (n, m, hx(leaves[m]), hx(root),
                                                               pl(p + [leaves[0]])))
            lines.append("inclusion %d %d %s %s %s bad" % (n, m, hx(sha256(leaves[m])), hx(root), pl(p)))
        for m in range(1, n + 1):
            p = subproof(m, leaves[:n], True)
            rm = mth(leaves[:m])
            lines.append("consistency %d %d %s %s %s ok" % (m, n, hx(rm), hx(root), pl(p)))
            if p:
                bad = list(p)
                bad[0] = sha256(bad[0])
                lines.append("consistency %d %d %s %s %s bad" % (m, n, hx(rm), hx(root), pl(bad)))
            if m > 5 and m < n:
                # a forked log: the new tree changed leaf 5 behind the old one
                fp = subproof(m, fork[:n], True)
                lines.append("consistency %d %d %s %s %s bad" % (m, n, hx(rm), hx(mth(fork[:n])), pl(fp)))
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


def check_vectors(path_):
    n = 0
    with open(path_) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            w = line.split()
            proof = [] if w[5] == "-" else [bytes.fromhex(x) for x in w[5].split(",")]
            if w[0] == "inclusion":
                got = verify_inclusion(bytes.fromhex(w[3]), int(w[2]), int(w[1]), proof,
                                       bytes.fromhex(w[4]))
            else:
                got = verify_consistency(int(w[1]), int(w[2]), bytes.fromhex(w[3]),
                                         bytes.fromhex(w[4]), proof)
            if got != (w[6] == "ok"):
                raise Invalid("vector disagrees: " + line.strip()[:80])
            n += 1
    print("OK: %d vectors" % n)


def main(argv):
    try:
        if len(argv) == 4 and argv[1] == "prove":
            cmd_prove(argv[2], argv[3])
        elif len(argv) in (4, 5) and argv[1] == "consistency":
            cmd_consistency(argv[2], argv[3], argv[4] if len(argv) == 5 else None)
        elif len(argv) == 5 and argv[1] == "cosigned":
            cmd_cosigned(argv[2], argv[3], argv[4])
        elif len(argv) == 3 and argv[1] == "vectors":
            make_vectors(argv[2])
        elif len(argv) == 3 and argv[1] == "check-vectors":
            check_vectors(argv[2])
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except (Invalid, ValueError, KeyError) as e:
        print("INVALID: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
