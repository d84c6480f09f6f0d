"""The .p12 the user downloads (seed 001 ⑦), built in memory by the web with the user's password.

AES-256-CBC with PBKDF2-HMAC-SHA256 for the key and certificate bags and a SHA-256 MAC: what
Windows 10 1709+ and Windows 11 import, and what OpenSSL 3 and NSS read. Only the user's own
certificate and key are inside — not the CA, which would otherwise be offered to the user's
trusted roots.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

from domain.certificates import friendly_name

# PBKDF2 iterations for the bags and the MAC. OpenSSL 3's default is 2048; 100 000 costs about
# 30 ms here and slows a guesser of a stolen file down a little more.
KDF_ROUNDS = 100_000


def build_p12(*, key: rsa.RSAPrivateKey, certificate: x509.Certificate, password: str, user_id: str) -> bytes:
    encryption = (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password.encode("utf-8"))
    )
    return pkcs12.serialize_key_and_certificates(
        name=friendly_name(user_id).encode("utf-8"), key=key, cert=certificate, cas=None,
        encryption_algorithm=encryption,
    )
