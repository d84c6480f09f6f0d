"""The development PKI under ``<data_dir>/pki``: created by the first ``rokin dev``, kept afterwards.

- ``ca.pem`` / ``ca.key``: "Rokin Development CA". It signs the dev server certificate and, until the
  product CA of issue 4 exists, it is also the client CA the web trusts for certificate login.
- ``server.pem`` / ``server.key``: the HTTPS certificate for localhost, 127.0.0.1 and ::1.
- ``dev-client.pem`` / ``dev-client.key``: a sample client certificate, for curl.

The web reads the CA certificate only, never ``ca.key`` (SPEC.md §5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID

from .certificates import (
    build_ca_certificate,
    build_leaf_certificate,
    host_names,
    new_ec_key,
    new_rsa_key,
    subject_name,
)
from .files import load_certificate, load_private_key, write_certificate, write_private_key

CA_COMMON_NAME = "Rokin Development CA"
ORGANIZATION = "Rokin (development)"
SERVER_HOSTS = ("localhost", "127.0.0.1", "::1")
DEV_CLIENT_NAME = "dev-client"

CA_VALIDITY = timedelta(days=3650)
SERVER_VALIDITY = timedelta(days=397)  # browsers' ceiling for TLS server certificates
DEV_CLIENT_VALIDITY = timedelta(days=366)
RENEW_BEFORE = timedelta(days=30)  # a leaf this close to its end is replaced at the next start


@dataclass(frozen=True)
class DevPki:
    """Where each file of the development PKI lives."""

    directory: Path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> DevPki:
        return cls(data_dir / "pki")

    @property
    def ca_certificate(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def client_ca_certificate(self) -> Path:
        """The CA whose client certificates the web accepts (the development CA, for now)."""
        return self.ca_certificate

    @property
    def server_certificate(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def dev_client_certificate(self) -> Path:
        return self.directory / f"{DEV_CLIENT_NAME}.pem"

    @property
    def dev_client_key(self) -> Path:
        return self.directory / f"{DEV_CLIENT_NAME}.key"


def ensure_dev_pki(directory: Path, now: datetime | None = None) -> DevPki:
    """Create whatever is missing; an existing CA is never replaced."""
    now = now or datetime.now(timezone.utc)
    pki = DevPki(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)

    # Each key is written before its certificate, so an existing certificate means a complete pair.
    if not pki.ca_certificate.exists():
        key = new_rsa_key()
        write_private_key(pki.ca_key, key)
        write_certificate(pki.ca_certificate, build_ca_certificate(
            key=key, subject=subject_name(CA_COMMON_NAME, ORGANIZATION), now=now, valid_for=CA_VALIDITY))

    ca = load_certificate(pki.ca_certificate)
    if not _usable(pki.server_certificate, pki.server_key, ca, now):
        _issue(pki, ca, now, certificate_path=pki.server_certificate, key_path=pki.server_key, key=new_ec_key(),
               subject=subject_name("localhost", ORGANIZATION), purpose=ExtendedKeyUsageOID.SERVER_AUTH,
               valid_for=SERVER_VALIDITY, alternative_names=host_names(SERVER_HOSTS))
    if not _usable(pki.dev_client_certificate, pki.dev_client_key, ca, now):
        _issue(pki, ca, now, certificate_path=pki.dev_client_certificate, key_path=pki.dev_client_key,
               key=new_rsa_key(), subject=subject_name(DEV_CLIENT_NAME, ORGANIZATION),
               purpose=ExtendedKeyUsageOID.CLIENT_AUTH, valid_for=DEV_CLIENT_VALIDITY)
    return pki


def _issue(
    pki: DevPki,
    ca: x509.Certificate,
    now: datetime,
    *,
    certificate_path: Path,
    key_path: Path,
    key: CertificateIssuerPrivateKeyTypes,
    subject: x509.Name,
    purpose: x509.ObjectIdentifier,
    valid_for: timedelta,
    alternative_names: Sequence[x509.GeneralName] = (),
) -> None:
    write_private_key(key_path, key)
    write_certificate(certificate_path, build_leaf_certificate(
        issuer=ca, issuer_key=load_private_key(pki.ca_key), public_key=key.public_key(), subject=subject,
        purpose=purpose, now=now, valid_for=valid_for, alternative_names=alternative_names))


def _usable(certificate_path: Path, key_path: Path, ca: x509.Certificate, now: datetime) -> bool:
    """Present, signed by this CA, matching its key, and not about to expire."""
    if not (certificate_path.exists() and key_path.exists()):
        return False
    certificate = load_certificate(certificate_path)
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    same_key = load_private_key(key_path).public_key() == certificate.public_key()
    return same_key and certificate.not_valid_after_utc - now > RENEW_BEFORE
