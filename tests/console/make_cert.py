#!/usr/bin/env python3
# make_cert.py — TEST ONLY: an officer certificate with chosen validity dates,
# signed by a deployment CA's key (egate pki cannot make an expired or a
# not-yet-valid certificate, which the officer tools must recognise).
#
#   make_cert.py CA.crt CA.key OUT.crt OUT.key CN NOT_BEFORE NOT_AFTER [OU]
#
# Dates are ISO 8601 UTC (2020-01-01T00:00:00). The key is P-256, mode 0600;
# the certificate carries clientAuth like egate pki's officer certificates.
import datetime
import os
import sys
import warnings

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def main():
    # egate's CA signs with a NULL parameter that newer cryptography warns about
    warnings.simplefilter("ignore")
    ca_crt, ca_key, out_crt, out_key, cn, nb, na = sys.argv[1:8]
    ou = sys.argv[8] if len(sys.argv) > 8 else "officer"
    ca = x509.load_pem_x509_certificate(open(ca_crt, "rb").read())
    cak = serialization.load_pem_private_key(open(ca_key, "rb").read(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "egate deployment")])
    crt = (x509.CertificateBuilder()
           .subject_name(name).issuer_name(ca.subject).public_key(key.public_key())
           .serial_number(x509.random_serial_number())
           .not_valid_before(datetime.datetime.fromisoformat(nb))
           .not_valid_after(datetime.datetime.fromisoformat(na))
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
           .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                          critical=True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
           .sign(cak, hashes.SHA256()))
    fd = os.open(out_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(out_crt, "wb") as f:
        f.write(crt.public_bytes(serialization.Encoding.PEM))


main()
