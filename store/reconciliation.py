"""What the daily reconciliation checks (``domain.reconciliation``), one keyset page at a time.

- certificates whose lifecycle still matters: ACTIVE ones (expired or not: an ACTIVE row past its
  notAfter needs its lifecycle's last step), and REVOKED/SUPERSEDED ones not yet past notAfter
  (their lifecycle should have ended); and PENDING_DELIVERY ones, whose issuance should end them;
- accounts the lockout read model shows as locked or blocked right now.

Pages are ordered by a unique key and start after the last key of the previous page, so rows
added or changed during the walk are neither skipped twice nor read twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from domain.certificates import CrlReason
from domain.lockout import LockoutState, LockoutStatus, SubjectKind
from domain.roles import CertificateStatus, UserRole, UserStatus

from .certificates import ENDING_STATUSES
from .lockout import lockout_view
from .models import Certificate, Organization, Staff, User

_SHOWN_LOCKED = (LockoutStatus.LOCKED, LockoutStatus.BLOCKED)


@dataclass(frozen=True)
class CertificateToCheck:
    id: int
    serial: str
    owner_uuid: str
    organization_code: str
    status: CertificateStatus
    not_before: datetime  # aware UTC
    not_after: datetime
    issued_at: datetime
    revoked_at: datetime | None
    reason: CrlReason | None
    request_id: str | None = None  # the issuance that signed it (``issuance/<request ID>``)


def certificates_to_check(*, session: Session, after_id: int, limit: int, now: datetime) -> list[CertificateToCheck]:
    rows = session.execute(
        select(Certificate, Organization.code)
        .join(Organization, Certificate.organization_id == Organization.id)
        .where(Certificate.id > after_id,
               or_(Certificate.status.in_((CertificateStatus.ACTIVE, CertificateStatus.PENDING_DELIVERY)),
                   and_(Certificate.status.in_(ENDING_STATUSES), Certificate.not_after >= now)))
        .order_by(Certificate.id)
        .limit(limit)
    ).all()
    return [CertificateToCheck(
        id=row.id, serial=row.serial, owner_uuid=str(row.owner_uuid), organization_code=code, status=row.status,
        not_before=row.not_before, not_after=row.not_after, issued_at=row.issued_at,
        revoked_at=row.revoked_at if row.revoked_at else None,
        reason=CrlReason(row.revocation_reason) if row.revocation_reason else None, request_id=row.request_id,
    ) for row, code in rows]


@dataclass(frozen=True)
class LockedAccount:
    uuid: str
    subject_kind: SubjectKind
    organization_code: str  # '' for staff
    status: LockoutStatus  # as of ``now``
    state: LockoutState  # the mirrored state, a lock whose hour is over already lifted


def locked_accounts(*, session: Session, staff: bool, after: str, limit: int, now: datetime) -> list[LockedAccount]:
    """Users (or staff) whose read model row says locked or blocked, by UUID after ``after``.

    ``status`` is as of ``now``: a lock whose hour is over reads NORMAL (nothing to repair)."""
    start = uuid.UUID(after) if after else uuid.UUID(int=0)
    if staff:
        rows = [(row, "", SubjectKind.STAFF) for row in session.scalars(
            select(Staff).where(Staff.uuid > start, Staff.active.is_(True), Staff.lockout_status.in_(_SHOWN_LOCKED))
            .order_by(Staff.uuid).limit(limit))]
    else:
        rows = [(row, code, SubjectKind.MASTER if row.role is UserRole.MASTER else SubjectKind.GENERAL)
                for row, code in session.execute(
                    select(User, Organization.code).join(Organization, User.organization_id == Organization.id)
                    .where(User.uuid > start, User.status != UserStatus.DELETED,
                           User.lockout_status.in_(_SHOWN_LOCKED))
                    .order_by(User.uuid).limit(limit)).all()]
    accounts = []
    for row, code, kind in rows:
        view = lockout_view(row, now)
        state = LockoutState(failures=view.failures, locked_until=view.locked_until, lock_count=view.lock_count,
                             blocked=view.status is LockoutStatus.BLOCKED)
        accounts.append(LockedAccount(str(row.uuid), kind, code, view.status, state))
    return accounts

