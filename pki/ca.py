"""The product's client CA: its certificate and private key, loaded by the worker only.

Development: the CA ``ensure_dev_pki`` made in ``<data_dir>/pki`` (unencrypted key, mode 0600).
Production: ``ROKIN_CA_CERT`` and ``ROKIN_CA_KEY`` name the files and ``ROKIN_CA_KEY_PASSPHRASE``
unlocks the key (``core.config``). The web only ever needs the certificate.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes

from .files import load_certificate


class CaUnusable(Exception):
    """The CA files are missing, do not match, or the certificate cannot sign certificates.

    The message names paths and the problem only, never key material or the passphrase.
    """


@dataclass(frozen=True)
class ClientCa:
    certificate: x509.Certificate
    key: CertificateIssuerPrivateKeyTypes

    @property
    def subject_key_identifier(self) -> x509.SubjectKeyIdentifier:
        try:
            return self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        except x509.ExtensionNotFound:
            return x509.SubjectKeyIdentifier.from_public_key(self.certificate.public_key())


def load_client_ca(certificate_path: Path, key_path: Path, passphrase: str | None = None) -> ClientCa:
    """Read and check the CA; raises ``CaUnusable`` with a message safe for logs and histories."""
    for path in (certificate_path, key_path):
        if not path.is_file():
            raise CaUnusable(f"CA file missing: {path}")
    certificate = load_certificate(certificate_path)
    try:
        key = serialization.load_pem_private_key(
            key_path.read_bytes(), password=passphrase.encode() if passphrase else None)
    except (TypeError, ValueError):
        raise CaUnusable(f"CA key unreadable (wrong or missing passphrase?): {key_path}") from None
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)):
        raise CaUnusable(f"CA key is neither RSA nor EC: {key_path}")
    if key.public_key() != certificate.public_key():
        raise CaUnusable(f"CA key does not match the certificate {certificate_path}")
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.ca:
        raise CaUnusable(f"not a CA certificate: {certificate_path}")
    return ClientCa(certificate=certificate, key=key)


class CaLoader:
    """Loads the CA at first use and keeps it: a worker starts even before the CA files exist
    (``rokin dev`` creates them), and a misconfiguration fails the signing activity, not the worker."""

    def __init__(self, certificate_path: Path, key_path: Path, passphrase: str | None = None) -> None:
        self._paths = (certificate_path, key_path)
        self._passphrase = passphrase
        self._ca: ClientCa | None = None
        self._lock = threading.Lock()

    def get(self) -> ClientCa:
        with self._lock:
            if self._ca is None:
                self._ca = load_client_ca(*self._paths, self._passphrase)
            return self._ca
