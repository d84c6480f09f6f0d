"""The delegated OCSP responder certificate (RFC 6960 §4.2.2.2): the web signs OCSP responses
with it, so the CA key stays with the worker (SPEC.md §5).

The worker, which holds the CA key, keeps ``<pki dir>/ocsp.pem`` and ``ocsp.key`` current
(``ensure_responder``: made when missing, replaced a week before they end). The certificate lives
``RESPONDER_VALIDITY`` only and carries id-pkix-ocsp-nocheck: clients do not ask about the
responder itself, so a short life is what bounds a stolen responder key. The web reads the pair
with ``load_signer``; until the worker has made it, the endpoint answers tryLater.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .ca import ClientCa
from .certificates import CLOCK_SKEW, new_rsa_key, subject_name
from .files import load_certificate, load_private_key, write_certificate, write_private_key
from .ocsp import OcspSigner

RESPONDER_CERTIFICATE = "ocsp.pem"
RESPONDER_KEY = "ocsp.key"
RESPONDER_VALIDITY = timedelta(days=30)
RENEW_BEFORE = timedelta(days=7)
RESPONDER_NAME = "Rokin OCSP Responder"

RESPONDER_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
)


def issue_responder(ca: ClientCa, now: datetime) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """A fresh key and an OCSP-signing certificate for it, issued by the CA."""
    key = new_rsa_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject_name(RESPONDER_NAME, _organization(ca.certificate)))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - CLOCK_SKEW)
        .not_valid_after(now + RESPONDER_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(RESPONDER_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
        .add_extension(x509.OCSPNoCheck(), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca.subject_key_identifier),
                       critical=False)
        .sign(ca.key, hashes.SHA256())
    )
    return certificate, key


def ensure_responder(directory: Path, ca: ClientCa, now: datetime) -> bool:
    """Make or renew the responder pair in ``directory``; True if a new one was written."""
    if _usable(directory, ca, now):
        return False
    certificate, key = issue_responder(ca, now)
    write_private_key(directory / RESPONDER_KEY, key)  # the key first: a certificate means a complete pair
    write_certificate(directory / RESPONDER_CERTIFICATE, certificate)
    return True


def load_signer(directory: Path, ca_certificate: x509.Certificate) -> OcspSigner | None:
    """The delegated signer the web uses, or None while the worker has not made one.

    Loaded once per version of the files: parsing an RSA key checks it (about 40 ms for RSA-2048),
    work an answer need not repeat. A renewed pair is a new version and is read at the next request."""
    certificate_path, key_path = directory / RESPONDER_CERTIFICATE, directory / RESPONDER_KEY
    try:
        stats = [path.stat() for path in (certificate_path, key_path)]
        version = tuple((stat.st_ino, stat.st_mtime_ns, stat.st_size) for stat in stats)
    except FileNotFoundError:
        return None
    return _signer_for(certificate_path, key_path, version, ca_certificate)


@functools.lru_cache(maxsize=4)
def _signer_for(certificate_path: Path, key_path: Path, _version: tuple,
                ca_certificate: x509.Certificate) -> OcspSigner:
    return OcspSigner(load_certificate(certificate_path), load_private_key(key_path), ca_certificate)


def _organization(ca_certificate: x509.Certificate) -> str | None:
    names = ca_certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(names[0].value) if names else None


def _usable(directory: Path, ca: ClientCa, now: datetime) -> bool:
    certificate_path, key_path = directory / RESPONDER_CERTIFICATE, directory / RESPONDER_KEY
    if not (certificate_path.is_file() and key_path.is_file()):
        return False
    certificate = load_certificate(certificate_path)
    try:
        certificate.verify_directly_issued_by(ca.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    same_key = load_private_key(key_path).public_key() == certificate.public_key()
    return same_key and certificate.not_valid_after_utc - now > RENEW_BEFORE
