"""The staff dashboard's numbers (issue 15), read from the database read model — never from Temporal
visibility — one query per chart, counts only (no user ID, name or address ever leaves here).

Every function takes ``now``, an optional organization code (the dashboard's filter) and the staff
member's scope (``domain.staff_scope``: a 労金 counts only its own organizations). Days and
months are Japan's (``domain.validity``): the SQL compares instants against the JST boundaries
computed here, with a ``CASE`` that numbers the bucket, so the same query runs on SQLite and
PostgreSQL and the database does the counting.

- ``expiring_by_month``: certificates whose notAfter falls in each of the next 13 months (this one
  first), split renewed / in the renewal window (day 336 on) / not yet.
- ``requests_by_state``: written revocation requests per state.
- ``open_requests_by_age``: the open ones by whole business days waited — since filing while the paper
  is awaited, since its receipt while an approver is (the inbox's 経過営業日数) — and where the 30-day
  paper deadline falls on that axis today.
- ``locks_and_blocks_by_day``: locks and blocks (閉塞) per day over the last 30 days, from the audit
  log's ``account.locked`` / ``account.blocked`` entries written with the lockout read model.
- ``issuances_by_day``: certificates issued per day over the last 30 days, delivered or voided (the
  issuance saga revoked them undelivered).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, SQLColumnExpression, String, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from domain.business_days import whole_business_days_waited
from domain.revocation import PAPER_DEADLINE_DAYS, RequestState
from domain.roles import CertificateStatus
from domain.staff_scope import EVERY_BANK, BankScope
from domain.validity import RENEWAL_WINDOW_DAYS, start_of_day, tokyo_date

from .lockout import BLOCK_ACTION, LOCK_ACTION  # written by mirror_state: a lock starts, a block
from .models import AuditEntry, Certificate, Organization, User
from .organizations import in_scope
from .revocation_models import RevocationRequest

T = TypeVar("T", bound=tuple[Any, ...])
MONTHS_AHEAD = 13
DAYS_BACK = 30


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryMonth:
    month: date  # the first day of the month (JST)
    renewed: int  # a newer certificate of the same user is live, or this one was superseded
    in_window: int  # not renewed, renewal window open (day 336 on)
    not_yet: int  # not renewed, window not open yet

    @property
    def total(self) -> int:
        return self.renewed + self.in_window + self.not_yet


@dataclass(frozen=True)
class StateCount:
    state: RequestState
    count: int


@dataclass(frozen=True)
class AgeCount:
    business_days: int  # whole business days waited
    awaiting_paper: int
    paper_received: int

    @property
    def total(self) -> int:
        return self.awaiting_paper + self.paper_received


@dataclass(frozen=True)
class OpenRequestAges:
    ages: list[AgeCount]  # every age from 0 to the largest of the oldest request and ``deadline_age``
    deadline_age: int  # today, a request awaiting paper this many business days old is on its last day (day 30)

    @property
    def total(self) -> int:
        return sum(age.total for age in self.ages)


@dataclass(frozen=True)
class LockDay:
    day: date
    locks: int
    blocks: int


@dataclass(frozen=True)
class IssuanceDay:
    day: date
    delivered: int
    voided: int  # signed, never delivered: revoked by the issuance saga


# --- helpers ------------------------------------------------------------------------------------


def first_of_month(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def bucket(column: SQLColumnExpression[datetime], boundaries: Sequence[datetime]) -> ColumnElement[int]:
    """The index ``i`` with ``boundaries[i] <= column < boundaries[i + 1]`` (callers keep the column
    within the first and last boundary)."""
    return case(*[(column < upper, literal(index)) for index, upper in enumerate(boundaries[1:])],
                else_=literal(len(boundaries) - 1))


def last_days(now: datetime, days: int = DAYS_BACK) -> list[date]:
    """The last ``days`` days in Japan, today last."""
    today = tokyo_date(now)
    return [today - timedelta(days=back) for back in range(days - 1, -1, -1)]


def _day_boundaries(days: Sequence[date]) -> list[datetime]:
    return [start_of_day(day) for day in days] + [start_of_day(days[-1] + timedelta(days=1))]


# --- the charts ---------------------------------------------------------------------------------


def expiring_by_month(*, session: Session, now: datetime, organization_code: str | None = None,
        scope: BankScope = EVERY_BANK) -> list[ExpiryMonth]:
    """Certificates (delivered; active or superseded) whose notAfter falls in each of the next 13
    months, from ``now`` on: renewed, in the renewal window, or not yet."""
    this_month = first_of_month(tokyo_date(now))
    months = [first_of_month(this_month, offset) for offset in range(MONTHS_AHEAD)]
    boundaries = [start_of_day(month) for month in months] + [start_of_day(first_of_month(this_month, MONTHS_AHEAD))]
    # In the renewal window at ``now`` ⇔ day 336 has begun ⇔ the expiry date is at most 30 days away.
    window_opens_before = start_of_day(tokyo_date(now) + timedelta(days=RENEWAL_WINDOW_DAYS + 1))
    newer = aliased(Certificate)
    renewed = or_(Certificate.status == CertificateStatus.SUPERSEDED,
                  exists().where(newer.owner_uuid == Certificate.owner_uuid,
                                 newer.not_before > Certificate.not_before,
                                 newer.status == CertificateStatus.ACTIVE,
                                 newer.not_after >= now))
    kind = case((renewed, literal("renewed")), (Certificate.not_after < window_opens_before, literal("in_window")),
                else_=literal("not_yet"))
    inner = (select(bucket(Certificate.not_after, boundaries).label("month"), kind.label("kind"))
             .where(Certificate.delivered_at.is_not(None),
                    Certificate.status.in_([CertificateStatus.ACTIVE, CertificateStatus.SUPERSEDED]),
                    Certificate.not_after >= now, Certificate.not_after < boundaries[-1]))
    inner = _narrowed(inner, Certificate.organization_id, organization_code, scope)
    rows = inner.subquery()
    counts: dict[tuple[int, str], int] = {
        (month, kind_): count for month, kind_, count in
        session.execute(select(rows.c.month, rows.c.kind, func.count()).group_by(rows.c.month, rows.c.kind))}
    return [ExpiryMonth(month, counts.get((index, "renewed"), 0), counts.get((index, "in_window"), 0),
                        counts.get((index, "not_yet"), 0)) for index, month in enumerate(months)]


def requests_by_state(*, session: Session, organization_code: str | None = None,
        scope: BankScope = EVERY_BANK) -> list[StateCount]:
    """Every written request state with its count (zeros included), in the order of ``RequestState``."""
    query = select(RevocationRequest.state, func.count()).group_by(RevocationRequest.state)
    query = _narrowed(query, RevocationRequest.organization_id, organization_code, scope)
    counts = {RequestState(state): count for state, count in session.execute(query)}
    return [StateCount(state, counts.get(state, 0)) for state in RequestState]


def open_requests_by_age(*, session: Session, now: datetime, organization_code: str | None = None,
        scope: BankScope = EVERY_BANK) -> OpenRequestAges:
    """Open requests by whole business days waited (``domain.business_days``), with the paper deadline's place."""
    query = (select(RevocationRequest.state, RevocationRequest.filed_at, RevocationRequest.received_at)
             .where(RevocationRequest.state.in_([RequestState.AWAITING_PAPER, RequestState.PAPER_RECEIVED])))
    query = _narrowed(query, RevocationRequest.organization_id, organization_code, scope)
    today = tokyo_date(now)
    counted: dict[tuple[int, RequestState], int] = {}
    for state, filed_at, received_at in session.execute(query):
        since = received_at if state is RequestState.PAPER_RECEIVED and received_at is not None else filed_at
        age = whole_business_days_waited(tokyo_date(since), today)
        counted[age, state] = counted.get((age, state), 0) + 1
    # A request filed 29 days ago is on day 30, its last: the deadline on today's business-day axis.
    deadline_age = whole_business_days_waited(today - timedelta(days=PAPER_DEADLINE_DAYS - 1), today)
    oldest = max((age for age, _ in counted), default=0)
    return OpenRequestAges(
        [AgeCount(age, counted.get((age, RequestState.AWAITING_PAPER), 0),
                  counted.get((age, RequestState.PAPER_RECEIVED), 0)) for age in range(max(oldest, deadline_age) + 1)],
        deadline_age)


def locks_and_blocks_by_day(*, session: Session, now: datetime, organization_code: str | None = None,
        scope: BankScope = EVERY_BANK) -> list[LockDay]:
    """Locks and blocks per day over the last 30 days (employers' IDs and staff accounts; with an
    organization, only its users)."""
    days = last_days(now)
    boundaries = _day_boundaries(days)
    inner = select(bucket(AuditEntry.at, boundaries).label("day"), AuditEntry.action.label("action")).where(
        AuditEntry.action.in_([LOCK_ACTION, BLOCK_ACTION]), AuditEntry.at >= boundaries[0],
        AuditEntry.at < boundaries[-1])
    if organization_code or not scope.every_bank:
        # The audit target is the UUID as text; SQLite stores a Uuid as 32 hex digits, PostgreSQL as
        # uuid: compared without hyphens, the join holds on both.
        inner = (inner.join(User, func.replace(AuditEntry.target_id, "-", "")
                            == func.replace(cast(User.uuid, String), "-", ""))
                 .join(Organization, Organization.id == User.organization_id)
                 .where(AuditEntry.target_kind == "user", in_scope(scope)))
        if organization_code:
            inner = inner.where(Organization.code == organization_code)
    rows = inner.subquery()
    counts = {(day, action): count for day, action, count in
              session.execute(select(rows.c.day, rows.c.action, func.count()).group_by(rows.c.day, rows.c.action))}
    return [LockDay(day, counts.get((index, LOCK_ACTION), 0), counts.get((index, BLOCK_ACTION), 0))
            for index, day in enumerate(days)]


def issuances_by_day(*, session: Session, now: datetime, organization_code: str | None = None,
        scope: BankScope = EVERY_BANK) -> list[IssuanceDay]:
    """Certificates signed per day over the last 30 days: delivered (the user got the .p12), or voided
    (revoked undelivered by the issuance saga). Pending ones are left out until they settle."""
    days = last_days(now)
    boundaries = _day_boundaries(days)
    delivered = Certificate.delivered_at.is_not(None)
    voided = and_(Certificate.delivered_at.is_(None), Certificate.status == CertificateStatus.REVOKED)
    inner = (select(bucket(Certificate.issued_at, boundaries).label("day"),
                    case((delivered, literal("delivered")), else_=literal("voided")).label("kind"))
             .where(or_(delivered, voided), Certificate.issued_at >= boundaries[0],
                    Certificate.issued_at < boundaries[-1]))
    inner = _narrowed(inner, Certificate.organization_id, organization_code, scope)
    rows = inner.subquery()
    counts = {(day, kind): count for day, kind, count in
              session.execute(select(rows.c.day, rows.c.kind, func.count()).group_by(rows.c.day, rows.c.kind))}
    return [IssuanceDay(day, counts.get((index, "delivered"), 0), counts.get((index, "voided"), 0))
            for index, day in enumerate(days)]


def organization_exists(*, session: Session, code: str, scope: BankScope = EVERY_BANK) -> bool:
    return session.scalar(select(exists().where(Organization.code == code, in_scope(scope)))) or False


def _narrowed(query: Select[T], organization_id: SQLColumnExpression[int], organization_code: str | None,
              scope: BankScope) -> Select[T]:
    """``query`` kept to one organization (the dashboard's filter) and to the organizations of ``scope``."""
    if not organization_code and scope.every_bank:
        return query
    query = query.join(Organization, Organization.id == organization_id).where(in_scope(scope))
    return query.where(Organization.code == organization_code) if organization_code else query

