"""Reading and writing PEM files. Private keys are created with mode 0600 from the first byte."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes

PRIVATE_MODE = 0o600
PUBLIC_MODE = 0o644


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write to a temporary file in the same directory, then rename: readers never see half a file."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_private_key(path: Path, key: CertificateIssuerPrivateKeyTypes) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    _write_atomically(path, pem, PRIVATE_MODE)


def write_certificate(path: Path, certificate: x509.Certificate) -> None:
    _write_atomically(path, certificate.public_bytes(serialization.Encoding.PEM), PUBLIC_MODE)


def write_public_file(path: Path, data: bytes) -> None:
    """Public data (a CRL, say), replaced atomically."""
    _write_atomically(path, data, PUBLIC_MODE)


def load_private_key(path: Path) -> CertificateIssuerPrivateKeyTypes:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    return key  # type: ignore[return-value]  # we only ever write RSA and EC keys


def load_certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())
