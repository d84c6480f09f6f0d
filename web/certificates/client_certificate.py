"""The client certificate of a request, and whose it is (SPEC.md §5: trusted only from the TLS layer,
or from a reverse proxy the deployment names as trusted).

- Direct TLS (``rokin web``, ``rokin.serve``): the server puts the certificate it verified in the
  handshake into ``environ["SSL_CLIENT_CERT"]`` and drops any such key a client could send.
- Behind a proxy (nginx ``ssl_verify_client optional``): the proxy sends the certificate in the
  ``X-SSL-Client-Cert`` header (``$ssl_client_escaped_cert``, URL-encoded PEM). The header is read
  only when the TCP peer is listed in ``ROKIN_TRUSTED_PROXY``; from anyone else it is ignored.

Either way the certificate is checked again here: signed by our CA, recorded by us, live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from flask import Request
from sqlalchemy.orm import Session

from core.config import Settings
from core.serving import CLIENT_CERT_KEY
from domain.certificate_login import CertificateLoginProblem, certificate_login_problem
from pki.files import load_certificate
from pki.issue import fingerprint_sha256, serial_hex
from store import certificates as certificate_store
from store.models import Certificate, User

PROXY_HEADER = "X-SSL-Client-Cert"


@dataclass(frozen=True)
class Identified:
    certificate: Certificate
    user: User


def presented_pem(request: Request, settings: Settings) -> str | None:
    """The PEM of the certificate this request came with, from wherever this deployment trusts."""
    if request.remote_addr in settings.trusted_proxies:
        value = request.headers.get(PROXY_HEADER, "").strip()
        return unquote(value) if value else None
    return request.environ.get(CLIENT_CERT_KEY) or None


def identify(pem: str | None, *, session: Session, settings: Settings,
             now: datetime) -> Identified | CertificateLoginProblem:
    """The certificate's row and owner, or why it cannot log in."""
    if not pem:
        return CertificateLoginProblem.NO_CERTIFICATE
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode("ascii"))
        certificate.verify_directly_issued_by(load_certificate(settings.ca_certificate_path))
    except (ValueError, TypeError, UnicodeEncodeError, InvalidSignature):
        return CertificateLoginProblem.FOREIGN
    row = certificate_store.get_by_serial(session=session, serial=serial_hex(certificate.serial_number))
    if row is None or row.fingerprint_sha256 != fingerprint_sha256(certificate):
        return CertificateLoginProblem.UNKNOWN
    problem = certificate_login_problem(status=row.status, not_before=row.not_before,
                                        owner_status=row.owner.status, now=now)
    return problem or Identified(row, row.owner)
