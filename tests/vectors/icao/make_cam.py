# PACE-CAM vectors made outside egate: Doc 9303 Part 11 §4.4.3.5 applied to
# the worked example of Appendix G.1 (ECDH-GM, brainpoolP256r1, AES-128:
# the same nonce, mapping and ephemeral keys, so K, KSenc and KSmac are
# G.1's) with the CAM OID id-PACE-ECDH-CAM-AES-CBC-CMAC-128 and a static
# Chip Authentication key chosen here. No published CAM worked example was
# at hand; this script is the second implementation (Python 'cryptography'
# for AES/CMAC and the SPKI, plain integer arithmetic for the curve), and
# it checks its own result (PK_map,IC = CA_IC * PK_IC) before printing.
#   python3 make_cam.py > pace_cam.txt
import hashlib
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization

p = 0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377
a = 0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9
b = 0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6
n = 0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7
G = (0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
     0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997)

def add(P, Q):
    if P is None: return Q
    if Q is None: return P
    if P[0] == Q[0] and (P[1] + Q[1]) % p == 0: return None
    if P == Q: l = (3 * P[0] * P[0] + a) * pow(2 * P[1], p - 2, p) % p
    else: l = (Q[1] - P[1]) * pow(Q[0] - P[0], p - 2, p) % p
    x = (l * l - P[0] - Q[0]) % p
    return (x, (l * (P[0] - x) - P[1]) % p)

def mul(k, P):
    R = None
    while k:
        if k & 1: R = add(R, P)
        P = add(P, P); k >>= 1
    return R

def pt(P): return '04' + format(P[0], '064X') + format(P[1], '064X')

def aes(k, iv, d, enc=True):
    c = Cipher(algorithms.AES(k), modes.CBC(iv))
    o = c.encryptor() if enc else c.decryptor()
    return o.update(d) + o.finalize()

def cmac8(k, d):
    c = CMAC(algorithms.AES(k)); c.update(d); return c.finalize()[:8]

# Appendix G.1
map_sk_ic = 0x498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560
eph_pk_ifd = bytes.fromhex('042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C'
                           '3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462')
eph_pk_ic = bytes.fromhex('049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB'
                          '7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094')
ksenc = bytes.fromhex('F5F0E35C0D7161EE6724EE513A0D9A7F')
ksmac = bytes.fromhex('FE251C7858B356B24514B3BD5F4297D1')
oid = bytes.fromhex('04007F00070202040602')  # id-PACE-ECDH-CAM-AES-CBC-CMAC-128

sk_ic = int.from_bytes(hashlib.sha256(b'egate PACE-CAM test key').digest(), 'big') % n
pk_ic = mul(sk_ic, G)
pk_map_ic = mul(map_sk_ic, G)
ca_ic = pow(sk_ic, -1, n) * map_sk_ic % n
ca = ca_ic.to_bytes(32, 'big')
iv = aes(ksenc, b'\0' * 16, b'\xff' * 16)
a_ic = aes(ksenc, iv, ca + b'\x80' + b'\0' * 15)
assert mul(ca_ic, pk_ic) == pk_map_ic
assert aes(ksenc, iv, a_ic, False)[:32] == ca

def token(pk):
    inner = b'\x06' + bytes([len(oid)]) + oid + b'\x86\x41' + pk
    return cmac8(ksmac, b'\x7F\x49' + bytes([len(inner)]) + inner)

spki = ec.derive_private_key(sk_ic, ec.BrainpoolP256R1()).public_key().public_bytes(
    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
out = ['# PACE-CAM on the App. G.1 run, made by tests/vectors/icao/make_cam.py',
       '# (Python cryptography + integer curve arithmetic), independent of firmware/icao.',
       '# Everything of pace_g1.txt holds except the OID and the tokens.',
       'oid_str = 0.4.0.127.0.7.2.2.4.6.2',
       'param_id_str = 13',
       'oid = ' + oid.hex().upper(),
       'ef_cardaccess = 3114301206' + '0A' + oid.hex().upper() + '020102' + '02010D',
       'sk_ic = ' + format(sk_ic, '064X'),
       'pk_ic = ' + pt(pk_ic),
       'pk_ic_spki = ' + spki.hex().upper(),
       'pk_map_ic = ' + pt(pk_map_ic),
       'ca_ic = ' + ca.hex().upper(),
       'a_ic_iv = ' + iv.hex().upper(),
       'a_ic = ' + a_ic.hex().upper(),
       't_ifd = ' + token(eph_pk_ic).hex().upper(),
       't_ic = ' + token(eph_pk_ifd).hex().upper()]
print('\n'.join(out))
