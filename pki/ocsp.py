"""The OCSP responder's core (RFC 6960): one DER request in, one signed DER response out.

The HTTP endpoint (POST ``application/ocsp-request``, GET ``/ocsp/<base64>``) calls ``respond``
and returns ``application/ocsp-response``. Answers come from the database at the moment of the
request, so a revocation shows at once, whatever the CRL is doing:

- ACTIVE or EXPIRED → good (OCSP speaks of revocation only; validity dates are the client's check);
- REVOKED or SUPERSEDED → revoked, with the time and the RFC 5280 reason (none for unspecified);
- a serial we never issued, or another issuer's certificate → unknown (RFC 6960 §2.2); so is one
  pending delivery (issue 11): signed, but not handed to anyone yet, so never "good".

Signed by a delegated responder certificate (``pki.ocsp_responder``): the web serves OCSP and
must never hold the CA key (SPEC.md §5). ``OcspSigner.by_ca`` signs with the CA itself where the
key is at hand (the worker, tests). thisUpdate is now, nextUpdate 15 minutes later; a nonce in the
request is echoed. A request for several certificates at once is refused as malformed (the
library parses single-certificate requests only; OpenSSL and browsers send one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from sqlalchemy.orm import Session

from domain.certificates import CrlReason
from domain.roles import CertificateStatus
from store import certificates as certificate_store

from .ca import ClientCa

NEXT_UPDATE_AFTER = timedelta(minutes=15)
CONTENT_TYPE_REQUEST = "application/ocsp-request"
CONTENT_TYPE_RESPONSE = "application/ocsp-response"
MAX_REQUEST_BYTES = 10_000  # one certificate's request is ~100 bytes; the endpoint refuses more


@dataclass(frozen=True)
class OcspSigner:
    """Who signs the responses: the CA, or a responder certificate the CA issued for OCSP signing."""

    certificate: x509.Certificate
    key: CertificateIssuerPrivateKeyTypes
    issuer: x509.Certificate  # the CA whose certificates are answered for

    @classmethod
    def by_ca(cls, ca: ClientCa) -> OcspSigner:
        return cls(ca.certificate, ca.key, ca.certificate)

    @property
    def delegated(self) -> bool:
        return self.certificate != self.issuer


@dataclass(frozen=True)
class SerialStatus:
    """What the database says about one serial; ``revoked_at`` None means good."""

    revoked_at: datetime | None = None
    reason: CrlReason = CrlReason.UNSPECIFIED


Lookup = Callable[[int], SerialStatus | None]  # None: never issued by us


def respond(der_request: bytes, *, session: Session, signer: OcspSigner, now: datetime | None = None) -> bytes:
    """The DER response to ``der_request``, answered from the certificates table."""
    return build_response(der_request, signer=signer, lookup=database_lookup(session), now=now)


def database_lookup(session: Session) -> Lookup:
    def lookup(serial: int) -> SerialStatus | None:
        row = certificate_store.get_by_serial(session=session, serial=format(serial, "x"))
        if row is None or row.status is CertificateStatus.PENDING_DELIVERY:  # pending: never handed out (yet)
            return None
        if row.status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):
            return SerialStatus(row.revoked_at or row.issued_at,
                                CrlReason(row.revocation_reason or CrlReason.UNSPECIFIED.value))
        return SerialStatus()

    return lookup


def build_response(der_request: bytes, *, signer: OcspSigner, lookup: Lookup, now: datetime | None = None) -> bytes:
    if len(der_request) > MAX_REQUEST_BYTES:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    try:
        request = ocsp.load_der_ocsp_request(der_request)
        algorithm = request.hash_algorithm
    except (ValueError, UnsupportedAlgorithm):
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    status = lookup(request.serial_number) if _ours(request, signer.issuer, algorithm) else None
    if status is None:
        cert_status, revoked_at, reason = ocsp.OCSPCertStatus.UNKNOWN, None, None
    elif status.revoked_at is None:
        cert_status, revoked_at, reason = ocsp.OCSPCertStatus.GOOD, None, None
    else:
        cert_status, revoked_at = ocsp.OCSPCertStatus.REVOKED, status.revoked_at
        reason = None if status.reason is CrlReason.UNSPECIFIED else x509.ReasonFlags(status.reason.value)
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number, algorithm=algorithm, cert_status=cert_status,
            this_update=now, next_update=now + NEXT_UPDATE_AFTER, revocation_time=revoked_at,
            revocation_reason=reason)
        .responder_id(ocsp.OCSPResponderEncoding.HASH, signer.certificate)
    )
    if signer.delegated:
        builder = builder.certificates([signer.certificate])  # so the client can check the delegation
    try:
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
        builder = builder.add_extension(nonce, critical=False)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(signer.key, hashes.SHA256()).public_bytes(Encoding.DER)


def _ours(request: ocsp.OCSPRequest, issuer: x509.Certificate, algorithm: hashes.HashAlgorithm) -> bool:
    """Whether the request's CertID names our CA (its name and key hashed with the request's algorithm)."""
    mine = ocsp.OCSPRequestBuilder().add_certificate(issuer, issuer, algorithm).build()
    return (mine.issuer_name_hash, mine.issuer_key_hash) == (request.issuer_name_hash, request.issuer_key_hash)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(Encoding.DER)


def try_later() -> bytes:
    """The answer while no signer is available yet (the responder certificate not made)."""
    return _unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)
