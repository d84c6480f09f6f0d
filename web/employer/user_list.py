"""The master user's user list (ユーザー一覧): each user with their certificate (issue 13) — serial,
expiry date, days left and its state — sortable by expiry on the server (a link, no JavaScript).

The certificates of the whole organization are read in one query
(``store.certificates.shown_on_user_list``), never one per row.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from domain.roles import CertificateStatus, UserRole
from domain.validity import calendar_for, tokyo_date
from store import certificates as certificate_store
from store.models import Certificate, User

SHORT_SERIAL = 8  # hex digits shown in the list; the full serial is in the cell's title


class CertificateState(enum.StrEnum):
    """What the list says of a user's certificate."""

    NONE = "none"
    ACTIVE = "active"
    RENEWAL_WINDOW = "renewal_window"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Sort(enum.StrEnum):
    """``?sort=`` of the list: by user ID (master first, the default), or by expiry either way."""

    USER = "user"
    EXPIRY = "expiry"
    EXPIRY_DESC = "expiry_desc"

    @classmethod
    def of(cls, value: str | None) -> Sort:
        try:
            return cls(value or cls.USER)
        except ValueError:
            return cls.USER


@dataclass(frozen=True)
class CertificateColumn:
    state: CertificateState
    serial: str = ""
    expiry_date: date | None = None  # the last day of validity (day 366), JST
    days_left: int | None = None  # only while the certificate works

    @property
    def short_serial(self) -> str:
        return self.serial[:SHORT_SERIAL] + ("…" if len(self.serial) > SHORT_SERIAL else "")

    @property
    def live(self) -> bool:
        return self.state in (CertificateState.ACTIVE, CertificateState.RENEWAL_WINDOW)


NO_CERTIFICATE = CertificateColumn(CertificateState.NONE)


def column_of(certificate: Certificate | None, now: datetime) -> CertificateColumn:
    if certificate is None:
        return NO_CERTIFICATE
    calendar = calendar_for(certificate.not_before)
    expiry = tokyo_date(certificate.not_after)
    if certificate.status is CertificateStatus.REVOKED:
        return CertificateColumn(CertificateState.REVOKED, certificate.serial, expiry)
    if certificate.status is CertificateStatus.SUPERSEDED:
        return CertificateColumn(CertificateState.SUPERSEDED, certificate.serial, expiry)
    if certificate.status is CertificateStatus.EXPIRED or not calendar.is_valid(now):
        return CertificateColumn(CertificateState.EXPIRED, certificate.serial, expiry)
    state = CertificateState.RENEWAL_WINDOW if calendar.in_renewal_window(now) else CertificateState.ACTIVE
    return CertificateColumn(state, certificate.serial, expiry, calendar.days_left(now))


@dataclass(frozen=True)
class UserRow:
    user: User
    certificate: CertificateColumn


def user_rows(*, session: Session, users: Sequence[User], organization_id: int, now: datetime,
              sort: Sort) -> list[UserRow]:
    shown = certificate_store.shown_on_user_list(session=session, organization_id=organization_id, now=now)
    rows = [UserRow(user, column_of(shown.get(uuid.UUID(str(user.uuid))), now)) for user in users]
    if sort is Sort.USER:
        return rows  # as the store lists them: master first, then by ID
    dated = sorted((row for row in rows if row.certificate.expiry_date is not None),
                   key=lambda row: (row.certificate.expiry_date, row.user.role is not UserRole.MASTER,
                                    row.user.user_id),
                   reverse=sort is Sort.EXPIRY_DESC)
    return dated + [row for row in rows if row.certificate.expiry_date is None]  # no certificate: last
