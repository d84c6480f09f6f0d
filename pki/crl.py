"""The CRL (SPEC.md §2 "Revocation"): signed by the CA, listing revoked and superseded serials.

The worker regenerates it on every revocation and supersession (``activities.certificates``)
into ``<data_dir>/pki/crl.der`` and ``crl.pem``; the web serves the DER file. Login never waits
for it: the database says at once whether a certificate still works.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from domain.certificates import CrlReason

from .ca import ClientCa
from .files import write_public_file

# Regenerated at least daily; a relying party that cannot fetch a new one keeps this one two days.
NEXT_UPDATE_AFTER = timedelta(days=2)
CRL_DER = "crl.der"
CRL_PEM = "crl.pem"
LOCK_FILE = ".crl.lock"


@dataclass(frozen=True)
class RevokedEntry:
    serial: int
    revoked_at: datetime
    reason: CrlReason


def build_crl(
    *, ca: ClientCa, entries: Sequence[RevokedEntry], now: datetime, crl_number: int
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now)
        .next_update(now + NEXT_UPDATE_AFTER)
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca.subject_key_identifier),
                       critical=False)
    )
    for entry in entries:
        revoked = x509.RevokedCertificateBuilder().serial_number(entry.serial).revocation_date(entry.revoked_at)
        if entry.reason is not CrlReason.UNSPECIFIED:  # RFC 5280 §5.3.1: omit rather than say unspecified
            revoked = revoked.add_extension(x509.CRLReason(x509.ReasonFlags(entry.reason.value)), critical=False)
        builder = builder.add_revoked_certificate(revoked.build())
    return builder.sign(ca.key, hashes.SHA256())


def crl_number_for(now: datetime) -> int:
    """Increasing across regenerations without stored state: milliseconds since the epoch."""
    return int(now.timestamp() * 1000)


@contextmanager
def crl_write_lock(directory: Path) -> Iterator[None]:
    """One regeneration at a time per data directory, so an older snapshot never lands last."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_crl(directory: Path, crl: x509.CertificateRevocationList) -> Path:
    """Write ``crl.der`` and ``crl.pem`` atomically; returns the DER path."""
    write_public_file(directory / CRL_PEM, crl.public_bytes(serialization.Encoding.PEM))
    der = directory / CRL_DER
    write_public_file(der, crl.public_bytes(serialization.Encoding.DER))
    return der
