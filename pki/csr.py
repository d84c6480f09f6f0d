"""The web's half of issuance: an RSA-2048 key pair and its CSR, made in memory at the 発行 POST.

The key never leaves the web process: it goes into the .p12 (``pki.pkcs12``) and is dropped.
Only the CSR — public — travels to the issuance workflow. The CA ignores the CSR's subject and
writes its own from the database, so the subject here only helps someone reading the CSR.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from domain.certificates import KEY_SIZE

PUBLIC_EXPONENT = 65537


@dataclass(frozen=True)
class KeyAndCsr:
    key: rsa.RSAPrivateKey = field(repr=False)
    csr_pem: str


def new_key_and_csr(user_id: str) -> KeyAndCsr:
    key = rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_SIZE)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, user_id)]))
        .sign(key, hashes.SHA256())
    )
    return KeyAndCsr(key=key, csr_pem=csr.public_bytes(serialization.Encoding.PEM).decode("ascii"))


class InvalidCsr(ValueError):
    """Not a PEM CSR with a valid self-signature over an RSA-2048 key."""


def parse_csr(csr_pem: str) -> x509.CertificateSigningRequest:
    """The CSR, checked: parseable, proof of possession (its signature), RSA with ``KEY_SIZE`` bits."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode("ascii"))
        signed = csr.is_signature_valid
    except (ValueError, UnicodeEncodeError, InvalidSignature):
        raise InvalidCsr("not a PEM certificate signing request") from None
    if not signed:
        raise InvalidCsr("the CSR's signature does not verify")
    public_key = csr.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey) or public_key.key_size != KEY_SIZE:
        raise InvalidCsr(f"the CSR's key is not RSA-{KEY_SIZE}")
    return csr
