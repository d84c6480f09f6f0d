"""Which client certificate may log in (SPEC.md §2 "Certificates", §3 ログイン).

The certificate the browser presented identifies the user; it must be ours (signed by the
product CA, recorded when it was issued), active — not revoked, not superseded by the first
use of its renewal — and inside its validity (the status of an expired one may not be mirrored
yet, so the calendar decides too). The owner must be an active user. Only then is the password
asked for. The web checks this on every request of a session, so a revocation takes effect at
the next request whatever the CRL says.
"""

from __future__ import annotations

import enum
from datetime import datetime

from .roles import CertificateStatus, UserStatus
from .validity import calendar_for


class CertificateLoginProblem(enum.StrEnum):
    NO_CERTIFICATE = "no_certificate"  # none selected in the browser's prompt
    FOREIGN = "foreign_certificate"  # not issued by our CA (or unreadable)
    UNKNOWN = "unknown_certificate"  # our CA's, but not one we issued to a user
    NOT_YET_VALID = "certificate_not_yet_valid"  # notBefore ahead: a clock problem somewhere
    EXPIRED = "certificate_expired"
    REVOKED = "certificate_revoked"
    SUPERSEDED = "certificate_superseded"  # its renewal has been used: use the new one
    USER_INACTIVE = "certificate_user_inactive"  # the owner was deleted
    REGISTRATION_PENDING = "certificate_registration_pending"  # the password was reset: 初期登録 again first
    CHANGED = "certificate_changed"  # mid-session: another certificate, or none, is presented now


_BY_STATUS = {
    CertificateStatus.REVOKED: CertificateLoginProblem.REVOKED,
    CertificateStatus.SUPERSEDED: CertificateLoginProblem.SUPERSEDED,
    CertificateStatus.EXPIRED: CertificateLoginProblem.EXPIRED,
}


def certificate_login_problem(
    *, status: CertificateStatus, not_before: datetime, owner_status: UserStatus, now: datetime
) -> CertificateLoginProblem | None:
    """Why one of our certificates cannot log in at ``now``, or None."""
    if status is not CertificateStatus.ACTIVE:
        # Only ACTIVE works. PENDING_DELIVERY (issue 11) was never handed to anyone: as unknown.
        return _BY_STATUS.get(status, CertificateLoginProblem.UNKNOWN)
    calendar = calendar_for(not_before)
    if now < calendar.issued_at:
        return CertificateLoginProblem.NOT_YET_VALID
    if not calendar.is_valid(now):
        return CertificateLoginProblem.EXPIRED
    if owner_status is UserStatus.PENDING:  # a reset sent the owner back to 初期登録; the certificate stays
        return CertificateLoginProblem.REGISTRATION_PENDING
    if owner_status is not UserStatus.ACTIVE:
        return CertificateLoginProblem.USER_INACTIVE
    return None
