# Active Authentication vectors made outside egate (Python 'cryptography' for
# keys and ECDSA, plain integer arithmetic for RSA), following Doc 9303
# Part 11 §6.1 / ISO 9796-2 scheme 1 and BSI TR-03111 plain ECDSA.
import hashlib
from cryptography.hazmat.primitives.asymmetric import rsa, ec, utils
from cryptography.hazmat.primitives import hashes, serialization

chal = bytes.fromhex('1A2B3C4D5E6F7081')
out = ['# Active Authentication signatures made by tests/vectors/icao/make_aa.py',
       '# (Python cryptography + integer RSA), independent of firmware/icao.',
       'chal = ' + chal.hex().upper()]
k = rsa.generate_private_key(public_exponent=65537, key_size=1024)
n = k.private_numbers().public_numbers.n
d = k.private_numbers().d
kb = 128
def rsa_sig(hname, tr):
    h = getattr(hashlib, hname)
    hl = h().digest_size
    m1 = bytes((i * 11 + 3) & 0xFF for i in range(kb - 1 - hl - len(tr)))
    F = b'\x6A' + m1 + h(m1 + chal).digest() + tr
    assert len(F) == kb
    return pow(int.from_bytes(F, 'big'), d, n).to_bytes(kb, 'big')
spki = k.public_key().public_bytes(serialization.Encoding.DER,
    serialization.PublicFormat.SubjectPublicKeyInfo)
out.append('rsa_spki = ' + spki.hex().upper())
out.append('rsa_sig_sha1 = ' + rsa_sig('sha1', b'\xBC').hex().upper())
out.append('rsa_sig_sha256 = ' + rsa_sig('sha256', b'\x34\xCC').hex().upper())
ek = ec.generate_private_key(ec.BrainpoolP256R1())
der = ek.sign(chal, ec.ECDSA(hashes.SHA256()))
r, s = utils.decode_dss_signature(der)
out.append('ec_spki = ' + ek.public_key().public_bytes(serialization.Encoding.DER,
    serialization.PublicFormat.SubjectPublicKeyInfo).hex().upper())
out.append('ec_sig_sha256 = ' + (r.to_bytes(32, 'big') + s.to_bytes(32, 'big')).hex().upper())
print('\n'.join(out))
