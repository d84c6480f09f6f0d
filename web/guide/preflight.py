"""The preflight check's certificate part (issue 13): which client certificate this browser presented
in the TLS handshake, whether it is one of this system's, and until when it works.

The judgement is certificate login's own (``web.certificates.client_certificate.identify``), so the
check and ログイン never disagree. What is shown comes from the certificate itself (user ID,
organization code, serial, validity: what its holder sees in the browser's certificate prompt),
never from the database's personal data; a certificate that is not this system's is described by no
more than that.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from cryptography import x509
from cryptography.x509.oid import NameOID
from flask import Request
from sqlalchemy.orm import Session

from core.config import Settings
from domain.certificate_login import CertificateLoginProblem
from domain.validity import calendar_for, tokyo_date
from pki.issue import serial_hex

from ..certificates.client_certificate import Identified, identify, presented_pem


class Verdict(enum.StrEnum):
    """What the check says of the presented certificate; every value but the first two is about
    one of this system's certificates."""

    NONE = "none"  # the browser offered no certificate
    FOREIGN = "foreign"  # not this system's
    USABLE = "usable"
    RENEWAL_WINDOW = "renewal_window"  # usable, and its renewal is open
    UNKNOWN = "unknown"  # signed by our CA, but not one we issued to a user
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    USER_INACTIVE = "user_inactive"


_BY_PROBLEM = {
    CertificateLoginProblem.NO_CERTIFICATE: Verdict.NONE,
    CertificateLoginProblem.FOREIGN: Verdict.FOREIGN,
    CertificateLoginProblem.UNKNOWN: Verdict.UNKNOWN,
    CertificateLoginProblem.NOT_YET_VALID: Verdict.NOT_YET_VALID,
    CertificateLoginProblem.EXPIRED: Verdict.EXPIRED,
    CertificateLoginProblem.REVOKED: Verdict.REVOKED,
    CertificateLoginProblem.SUPERSEDED: Verdict.SUPERSEDED,
    CertificateLoginProblem.USER_INACTIVE: Verdict.USER_INACTIVE,
    CertificateLoginProblem.REGISTRATION_PENDING: Verdict.USER_INACTIVE,  # its message says: 初期登録 first
}


@dataclass(frozen=True)
class PresentedCertificate:
    verdict: Verdict
    problem: CertificateLoginProblem | None = None  # why ログイン refuses it (its message says what to do)
    user_id: str = ""
    organization_code: str = ""
    serial: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    expiry_date: date | None = None
    days_left: int | None = None
    renewal_opens_at: datetime | None = None

    @property
    def ours(self) -> bool:
        return self.verdict not in (Verdict.NONE, Verdict.FOREIGN)

    @property
    def usable(self) -> bool:
        return self.verdict in (Verdict.USABLE, Verdict.RENEWAL_WINDOW)


def presented_certificate(request: Request, *, session: Session, settings: Settings,
                          now: datetime) -> PresentedCertificate:
    pem = presented_pem(request, settings)
    found = identify(pem, session=session, settings=settings, now=now)
    if isinstance(found, Identified):
        calendar = calendar_for(found.certificate.not_before)
        verdict = Verdict.RENEWAL_WINDOW if calendar.in_renewal_window(now) else Verdict.USABLE
        return _described(verdict, None, pem, now)
    verdict = _BY_PROBLEM.get(found, Verdict.FOREIGN)
    if verdict in (Verdict.NONE, Verdict.FOREIGN):
        return PresentedCertificate(verdict, found)
    return _described(verdict, found, pem, now)


def _described(verdict: Verdict, problem: CertificateLoginProblem | None, pem: str | None,
               now: datetime) -> PresentedCertificate:
    """The facts a holder sees in the certificate (identify() has read it: it parses)."""
    certificate = x509.load_pem_x509_certificate((pem or "").encode("ascii"))
    calendar = calendar_for(certificate.not_valid_before_utc)
    live = verdict in (Verdict.USABLE, Verdict.RENEWAL_WINDOW)
    return PresentedCertificate(
        verdict, problem,
        user_id=_attribute(certificate, NameOID.COMMON_NAME),
        organization_code=_attribute(certificate, NameOID.ORGANIZATION_NAME),
        serial=serial_hex(certificate.serial_number),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        expiry_date=tokyo_date(certificate.not_valid_after_utc),
        days_left=calendar.days_left(now) if live else None,
        renewal_opens_at=calendar.renewal_opens_at if live else None,
    )


def _attribute(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""
