#!/usr/bin/env python3
# seal_ref.py — an implementation of PROTOCOL.md "Sealed identifiers" written
# from the spec alone, with Python 'cryptography' (ECDH, HKDF, AES-GCM) and a
# hand-written protobuf encoder, independent of proto/seal.c.
#
#   seal_ref.py vector > tests/vectors/proto/seal_v1.txt
#       the known-answer vector (fixed host key and ephemeral key); the
#       C unit test (tests/proto/test_seal.c) must reproduce its blob
#   seal_ref.py vector2 > tests/vectors/proto/seal_v2.txt
#       version 2 (epoch key): two seals in one epoch with a fixed
#       ephemeral key and fixed nonces; the C test reproduces both blobs
#   seal_ref.py vector3 > tests/vectors/proto/seal_v3.txt
#       version 3 (bound to its event: kiosk id, seq and record kind in the
#       AAD): two seals in one epoch, fixed ephemeral key and nonces
#   seal_ref.py interop TOOL VECTOR [VECTOR2 [VECTOR3]]
#       the meson test 'seal-interop': recompute the vectors, then a fresh
#       host key; TOOL (tests/proto/seal-tool) seals (v1 and v2) and Python
#       opens, Python seals (v1 and v2) and TOOL opens, tampered blobs are
#       refused by TOOL
import os
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

LABEL = b'egate-seal/v1'
LABEL2 = b'egate-seal/v2'
LABEL3 = b'egate-seal/v3'
KIND_PASSAGE = 1
CURVE = ec.SECP256R1()


def point(pub):
    return pub.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.UncompressedPoint)


def pb_string(field, s):
    b = s.encode()
    if not b:
        return b''		# proto3 leaves empty strings out
    n, v = len(b), b''
    while True:
        byte = n & 0x7F
        n >>= 7
        v += bytes([byte | (0x80 if n else 0)])
        if not n:
            break
    return bytes([field << 3 | 2]) + v + b


def pb_parse(p):
    out, i = {}, 0
    while i < len(p):
        key = p[i]; i += 1
        n, shift = 0, 0
        while True:
            b = p[i]; i += 1
            n |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        assert key in (0x0A, 0x12) and key not in out
        out[key] = p[i:i + n].decode()
        i += n
    return out.get(0x0A, ''), out.get(0x12, '')


def kdf(z, e, h):
    okm = HKDF(algorithm=hashes.SHA256(), length=44, salt=None,
               info=LABEL + e + h).derive(z)
    return okm[:32], okm[32:]


def aad(kiosk, label=LABEL):
    return label + b'\x00' + kiosk.encode() + b'\x00'


def seal(host_pub, kiosk, doc, name, eph=None):
    eph = eph or ec.generate_private_key(CURVE)
    e, h = point(eph.public_key()), point(host_pub)
    z = eph.exchange(ec.ECDH(), host_pub)
    k, n = kdf(z, e, h)
    plain = pb_string(1, doc) + pb_string(2, name)
    return bytes([1]) + e + AESGCM(k).encrypt(n, plain, aad(kiosk))


def epoch_key(host_pub, eph, label=LABEL2):
    """Versions 2, 3: (E, K) of an epoch, K = HKDF(x(e*H), info = label || E || H)."""
    e, h = point(eph.public_key()), point(host_pub)
    z = eph.exchange(ec.ECDH(), host_pub)
    k = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
             info=label + e + h).derive(z)
    return e, k


def aad3(kiosk, seq, kind=KIND_PASSAGE):
    """Version 3: bound to the event: label || 0 || kiosk || 0 || u64 seq || u8 kind."""
    return LABEL3 + b'\x00' + kiosk.encode() + b'\x00' + seq.to_bytes(8, 'big') + bytes([kind])


def seal3(epoch, kiosk, seq, doc, name, nonce=None, kind=KIND_PASSAGE):
    e, k = epoch
    nonce = nonce or os.urandom(12)
    plain = pb_string(1, doc) + pb_string(2, name)
    return bytes([3]) + e + nonce + AESGCM(k).encrypt(nonce, plain, aad3(kiosk, seq, kind))


def seal2(epoch, kiosk, doc, name, nonce=None):
    e, k = epoch
    nonce = nonce or os.urandom(12)
    plain = pb_string(1, doc) + pb_string(2, name)
    return bytes([2]) + e + nonce + AESGCM(k).encrypt(nonce, plain, aad(kiosk, LABEL2))


def open_(host_priv, kiosk, blob, seq=None, kind=KIND_PASSAGE):
    e = blob[1:66]
    epub = ec.EllipticCurvePublicKey.from_encoded_point(CURVE, e)
    z = host_priv.exchange(ec.ECDH(), epub)
    h = point(host_priv.public_key())
    if blob[0] == 3:
        assert seq is not None and len(blob) >= 1 + 65 + 12 + 16
        k = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                 info=LABEL3 + e + h).derive(z)
        return pb_parse(AESGCM(k).decrypt(blob[66:78], blob[78:], aad3(kiosk, seq, kind)))
    if blob[0] == 2:
        assert len(blob) >= 1 + 65 + 12 + 16
        k = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                 info=LABEL2 + e + h).derive(z)
        return pb_parse(AESGCM(k).decrypt(blob[66:78], blob[78:], aad(kiosk, LABEL2)))
    assert blob[0] == 1 and len(blob) >= 82
    k, n = kdf(z, e, h)
    return pb_parse(AESGCM(k).decrypt(n, blob[66:], aad(kiosk)))


# The known-answer vector: fixed scalars (any value in [1, n-1] will do).
VEC_HOST_D = 0x6C5A2BB3C3B5F3E1D1C0E8A0F5B47D2E9A0C1F3B6D4E5A79880123456789ABCD
VEC_EPH_D = 0x1F2E3D4C5B6A79880123456789ABCDEF0FEDCBA9876543210A1B2C3D4E5F6071
VEC = dict(kiosk_id='K01', document_number='L898902C3', holder_name='ERIKSSON<<ANNA<MARIA')


def vector_lines():
    host = ec.derive_private_key(VEC_HOST_D, CURVE)
    eph = ec.derive_private_key(VEC_EPH_D, CURVE)
    der = host.private_bytes(serialization.Encoding.DER,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())
    blob = seal(host.public_key(), VEC['kiosk_id'], VEC['document_number'],
                VEC['holder_name'], eph)
    return ['# Sealed identifiers (PROTOCOL.md) made by tests/vectors/proto/seal_ref.py',
            '# (Python cryptography), independent of proto/seal.c. host_key: SEC1 DER;',
            '# ephemeral_d: the ephemeral private scalar, big-endian.',
            'host_key = ' + der.hex().upper(),
            'host_point = ' + point(host.public_key()).hex().upper(),
            'kiosk_id = ' + VEC['kiosk_id'],
            'document_number = ' + VEC['document_number'],
            'holder_name = ' + VEC['holder_name'],
            'ephemeral_d = ' + '%064X' % VEC_EPH_D,
            'blob = ' + blob.hex().upper()]


VEC2_NONCES = ['000102030405060708090A0B', 'F0E1D2C3B4A5968778695A4B']
VEC2 = [('L898902C3', 'ERIKSSON<<ANNA<MARIA'), ('D23145890', 'MUSTERMANN<<ERIKA')]


def vector2_lines():
    host = ec.derive_private_key(VEC_HOST_D, CURVE)
    eph = ec.derive_private_key(VEC_EPH_D, CURVE)
    der = host.private_bytes(serialization.Encoding.DER,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())
    epoch = epoch_key(host.public_key(), eph)
    lines = ['# Sealed identifiers version 2 (PROTOCOL.md: one ephemeral key per epoch)',
             '# made by tests/vectors/proto/seal_ref.py (Python cryptography), independent',
             '# of proto/seal.c: two seals in one epoch. host_key: SEC1 DER; ephemeral_d:',
             '# the epoch\'s ephemeral private scalar; epoch_key: K; nonce_i: N of seal i.',
             'host_key = ' + der.hex().upper(),
             'host_point = ' + point(host.public_key()).hex().upper(),
             'kiosk_id = ' + VEC['kiosk_id'],
             'ephemeral_d = ' + '%064X' % VEC_EPH_D,
             'epoch_key = ' + epoch[1].hex().upper()]
    for i, ((doc, name), nonce) in enumerate(zip(VEC2, VEC2_NONCES), 1):
        blob = seal2(epoch, VEC['kiosk_id'], doc, name, bytes.fromhex(nonce))
        lines += ['document_number_%d = %s' % (i, doc), 'holder_name_%d = %s' % (i, name),
                  'nonce_%d = %s' % (i, nonce), 'blob_%d = %s' % (i, blob.hex().upper())]
    return lines


VEC3_SEQS = [41, 42]


def vector3_lines():
    host = ec.derive_private_key(VEC_HOST_D, CURVE)
    eph = ec.derive_private_key(VEC_EPH_D, CURVE)
    der = host.private_bytes(serialization.Encoding.DER,
                             serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())
    epoch = epoch_key(host.public_key(), eph, LABEL3)
    lines = ['# Sealed identifiers version 3 (PROTOCOL.md: bound to the event: kiosk id,',
             '# seq and record kind (1 = passage) in the AAD) made by',
             '# tests/vectors/proto/seal_ref.py (Python cryptography), independent of',
             '# proto/seal.c: two seals in one epoch. host_key: SEC1 DER; ephemeral_d: the',
             '# epoch\'s ephemeral private scalar; epoch_key: K; seq_i, nonce_i: seal i.',
             'host_key = ' + der.hex().upper(),
             'host_point = ' + point(host.public_key()).hex().upper(),
             'kiosk_id = ' + VEC['kiosk_id'],
             'kind = %d' % KIND_PASSAGE,
             'ephemeral_d = ' + '%064X' % VEC_EPH_D,
             'epoch_key = ' + epoch[1].hex().upper()]
    for i, ((doc, name), nonce, seq) in enumerate(zip(VEC2, VEC2_NONCES, VEC3_SEQS), 1):
        blob = seal3(epoch, VEC['kiosk_id'], seq, doc, name, bytes.fromhex(nonce))
        lines += ['seq_%d = %d' % (i, seq), 'document_number_%d = %s' % (i, doc),
                  'holder_name_%d = %s' % (i, name), 'nonce_%d = %s' % (i, nonce),
                  'blob_%d = %s' % (i, blob.hex().upper())]
    return lines


def tool(exe, *args, check=True):
    r = subprocess.run([exe, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit('seal-interop: %s %s failed: %s' % (exe, args[0], r.stderr.strip()))
    return r


def interop(exe, vecfile, vec2file=None, vec3file=None):
    for path, want in [(vecfile, vector_lines), (vec2file, vector2_lines),
                       (vec3file, vector3_lines)]:
        if path is None:
            continue
        with open(path) as f:
            have = [l.rstrip('\n') for l in f]
        if have != want():
            sys.exit('seal-interop: %s differs from what seal_ref.py computes' % path)
        print('ok: the known-answer vector %s recomputes' % os.path.basename(path))
    host = ec.generate_private_key(CURVE)
    cases = [('K01', 'L898902C3', 'ERIKSSON<<ANNA<MARIA'),
             ('kiosk-with-a-long-name-0123456789', 'D23145890123', 'MUSTERMANN<<ERIKA'),
             ('K02', '', 'ONLY<<NAME'), ('K03', 'X' * 200, 'N' * 255)]
    with tempfile.TemporaryDirectory() as d:
        kp = os.path.join(d, 'host.key')
        with open(kp, 'wb') as f:
            f.write(host.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
        os.chmod(kp, 0o600)  # egate refuses private keys others can read
        for kiosk, doc, name in cases:
            blob = bytes.fromhex(tool(exe, 'seal', kp, kiosk, doc, name).stdout.strip())
            if open_(host, kiosk, blob) != (doc, name):
                sys.exit('seal-interop: Python opened a C blob to other values')
            blob = seal(host.public_key(), kiosk, doc, name)
            got = tool(exe, 'open', kp, kiosk, blob.hex()).stdout.split('\n')
            if got[:2] != [doc, name]:
                sys.exit('seal-interop: C opened a Python blob to other values')
            # refused: another kiosk id, a flipped bit in E / ciphertext / tag
            for bad_kiosk, bad in [(kiosk + 'x', blob),
                                   (kiosk, blob[:5] + bytes([blob[5] ^ 1]) + blob[6:]),
                                   (kiosk, blob[:-1] + bytes([blob[-1] ^ 0x80]))]:
                if tool(exe, 'open', kp, bad_kiosk, bad.hex(), check=False).returncode == 0:
                    sys.exit('seal-interop: C opened a tampered blob')
        print('ok: %d cases both ways, tampered blobs refused' % len(cases))
        # version 2: C seals all cases for one kiosk in one epoch (one E)
        for kiosk in ('K01', 'kiosk-with-a-long-name-0123456789'):
            args = [a for _, doc, name in cases for a in (doc, name)]
            blobs = [bytes.fromhex(l) for l in
                     tool(exe, 'seal2', kp, kiosk, *args).stdout.split()]
            if len(blobs) != len(cases) or len({b[1:66] for b in blobs}) != 1 or \
                    len({b[66:78] for b in blobs}) != len(cases) or \
                    any(b[0] != 2 for b in blobs):
                sys.exit('seal-interop: C v2 blobs are not one epoch with fresh nonces')
            for (_, doc, name), blob in zip(cases, blobs):
                if open_(host, kiosk, blob) != (doc, name):
                    sys.exit('seal-interop: Python opened a C v2 blob to other values')
            # Python seals v2 in one epoch; C opens each
            epoch = epoch_key(host.public_key(), ec.generate_private_key(CURVE))
            for _, doc, name in cases:
                blob = seal2(epoch, kiosk, doc, name)
                got = tool(exe, 'open', kp, kiosk, blob.hex()).stdout.split('\n')
                if got[:2] != [doc, name]:
                    sys.exit('seal-interop: C opened a Python v2 blob to other values')
                for bad_kiosk, bad in [(kiosk + 'x', blob),
                                       (kiosk, bytes([3]) + blob[1:]),
                                       (kiosk, blob[:70] + bytes([blob[70] ^ 1]) + blob[71:]),
                                       (kiosk, blob[:-1] + bytes([blob[-1] ^ 0x80])),
                                       (kiosk, blob[:93])]:
                    if tool(exe, 'open', kp, bad_kiosk, bad.hex(),
                            check=False).returncode == 0:
                        sys.exit('seal-interop: C opened a tampered v2 blob')
        print('ok: version 2 both ways, one E per epoch, tampered blobs refused')
        # version 3: bound to (kiosk, seq, kind)
        for kiosk in ('K01', 'kiosk-with-a-long-name-0123456789'):
            args = [a for i, (_, doc, name) in enumerate(cases) for a in (str(100 + i), doc, name)]
            blobs = [bytes.fromhex(l) for l in
                     tool(exe, 'seal3', kp, kiosk, *args).stdout.split()]
            if len(blobs) != len(cases) or len({b[1:66] for b in blobs}) != 1 or \
                    any(b[0] != 3 for b in blobs):
                sys.exit('seal-interop: C v3 blobs are not one epoch of version 3')
            for i, ((_, doc, name), blob) in enumerate(zip(cases, blobs)):
                if open_(host, kiosk, blob, 100 + i) != (doc, name):
                    sys.exit('seal-interop: Python opened a C v3 blob to other values')
                try:
                    open_(host, kiosk, blob, 101 + i)
                    sys.exit('seal-interop: Python opened a C v3 blob for another seq')
                except Exception as ex:
                    if isinstance(ex, SystemExit):
                        raise
            epoch = epoch_key(host.public_key(), ec.generate_private_key(CURVE), LABEL3)
            for i, (_, doc, name) in enumerate(cases):
                seq = 7 + i
                blob = seal3(epoch, kiosk, seq, doc, name)
                got = tool(exe, 'open3', kp, kiosk, str(seq), blob.hex()).stdout.split('\n')
                if got[:2] != [doc, name]:
                    sys.exit('seal-interop: C opened a Python v3 blob to other values')
                # refused: another seq, another kind, another kiosk, as v2, a bit flipped
                bad_kind = seal3(epoch, kiosk, seq, doc, name, kind=2)
                for bad_kiosk, bad_seq, bad in [(kiosk, seq + 1, blob), (kiosk, seq, bad_kind),
                                                (kiosk + 'x', seq, blob),
                                                (kiosk, seq, bytes([2]) + blob[1:]),
                                                (kiosk, seq, blob[:-1] + bytes([blob[-1] ^ 1]))]:
                    if tool(exe, 'open3', kp, bad_kiosk, str(bad_seq), bad.hex(),
                            check=False).returncode == 0:
                        sys.exit('seal-interop: C opened a v3 blob out of its event')
                # and the unbound opener refuses a v3 blob
                if tool(exe, 'open', kp, kiosk, blob.hex(), check=False).returncode == 0:
                    sys.exit('seal-interop: C opened a v3 blob without its event')
        print('ok: version 3 both ways, bound to kiosk, seq and kind')


if __name__ == '__main__':
    if sys.argv[1:] == ['vector']:
        print('\n'.join(vector_lines()))
    elif sys.argv[1:] == ['vector2']:
        print('\n'.join(vector2_lines()))
    elif sys.argv[1:] == ['vector3']:
        print('\n'.join(vector3_lines()))
    elif len(sys.argv) in (4, 5, 6) and sys.argv[1] == 'interop':
        interop(*sys.argv[2:])
    else:
        sys.exit('usage: seal_ref.py vector | vector2 | vector3 | '
                 'interop SEAL-TOOL VECTOR [VECTOR2 [VECTOR3]]')
