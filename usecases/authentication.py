"""Authentication at every entry that asks for a password: ログイン (after the certificate),
初期登録, 電子証明書発行 ④, 電子証明書の失効依頼 and the staff login.

First the throttle (``store.login_throttle``): a client address, or the organization of an existing
ID, with too many failed attempts across IDs is refused before anything else — no hash, no arbiter,
nothing counted against the account's lockout. Then the argon2 hash is checked, outside any
transaction, and the account's lockout workflow judges the attempt (``TemporalPort.judge_attempt``);
only its "allowed" lets anyone in. An unknown ID never reaches the arbiter: it costs the same hashing
time and gets the generic refusal, as a wrong password does (the pages say the same for both). Every
refusal adds one failure to the address and, for an existing ID, to its organization. Without an
answer the attempt is refused (``TemporalUnavailable`` passes through) and counted nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sqlalchemy.orm import Session

from domain.lockout import AttemptResult, LockoutInput, SubjectKind
from domain.roles import UserRole
from store import db
from store import login_throttle as throttle
from store import staff as staff_store
from store import users as user_store
from store.errors import Refusal, ServiceError
from store.login_throttle import ThrottleLimits
from store.models import Staff, User

from .ports import TemporalPort
from .transaction import committed

UNKNOWN_ID = "unknown_id"  # the outcome label of an ID that does not exist (metrics)


class AttemptRefused(Exception):
    """The arbiter refused the attempt: a wrong password, or a locked or blocked ID."""

    def __init__(self, result: AttemptResult, subject_kind: SubjectKind) -> None:
        super().__init__(result.outcome.value)
        self.result = result
        self.subject_kind = subject_kind


class AttemptThrottled(Exception):
    """Too many failed attempts from this address, or on this ID's organization: refused unseen."""

    def __init__(self, until: datetime) -> None:
        super().__init__("throttled")
        self.until = until  # aware UTC: when the window that reached its limit ends


@dataclass(frozen=True)
class AttemptOrigin:
    """Where a password attempt comes from, and the throttle limits it answers to."""

    client_address: str | None  # None: not over the network (``rokin simulate``): the organization only
    limits: ThrottleLimits


class UnknownCredentials(ServiceError):
    """No such (live) ID: said exactly like a wrong password would be, without naming which."""

    def __init__(self) -> None:
        super().__init__(Refusal.INVALID_CREDENTIALS)


@dataclass(frozen=True)
class UserSubject(LockoutInput):
    """An employer user as the lockout arbiter's starter sees it: also the organization's 労金, which the
    start sets as the RokinBankCode search attribute ('' while it has none). Not part of the workflow's
    input (``contract.lockout_client`` starts it with a plain ``LockoutInput``), so histories are unchanged."""

    bank_code: str = ""


def subject_of_user(user: User) -> UserSubject:
    kind = SubjectKind.MASTER if user.role is UserRole.MASTER else SubjectKind.GENERAL
    return UserSubject(str(user.uuid), user.organization.code, kind, bank_code=user.organization.bank_code or "")


def subject_of_staff(staff: Staff) -> LockoutInput:
    return LockoutInput(str(staff.uuid), "", SubjectKind.STAFF)


def authenticate_user(session: Session, temporal: TemporalPort, *, user_id: str, password: str,
                      origin: AttemptOrigin, now: datetime) -> User:
    """The live user whose password this is.

    Raises ``AttemptThrottled``, ``UnknownCredentials``, ``AttemptRefused`` or ``TemporalUnavailable``.
    """
    attempt = _Attempt(session, origin, now)
    attempt.refuse_if_throttled()
    user = user_store.get_by_user_id(session=session, user_id=user_id)
    if user is None:
        attempt.unknown(password)
    subject = subject_of_user(user)  # loads the organization before the transaction ends
    attempt.of_organization(subject.organization_code)
    db.end_reads(session)  # not across the hash: on SQLite it would serialize every login
    attempt.judge(temporal, subject, user_store.password_matches(user, password))
    return user


def authenticate_staff(session: Session, temporal: TemporalPort, *, login: str, password: str,
                       origin: AttemptOrigin, now: datetime) -> Staff:
    """The active staff account whose password this is; refusals as for ``authenticate_user``.
    Throttled per address only: staff belong to no organization."""
    attempt = _Attempt(session, origin, now)
    attempt.refuse_if_throttled()
    staff = staff_store.get_by_login(session=session, login=login)
    if staff is None:
        attempt.unknown(password)
    db.end_reads(session)
    attempt.judge(temporal, subject_of_staff(staff), staff_store.password_matches(staff, password))
    return staff


class _Attempt:
    """One password attempt as the throttle sees it: the keys it counts on, its limits, its moment."""

    def __init__(self, session: Session, origin: AttemptOrigin, now: datetime) -> None:
        self.session, self.limits, self.now = session, origin.limits, now
        self.address = [] if origin.client_address is None else [throttle.address_key(origin.client_address)]
        self.keys = list(self.address)

    def refuse_if_throttled(self) -> None:
        """Before the password is looked at: no hash, no arbiter, nothing against the lockout."""
        until = throttle.throttled_until(session=self.session, keys=self.keys, limits=self.limits, now=self.now)
        if until is not None:
            db.end_reads(self.session)
            raise AttemptThrottled(until)

    def of_organization(self, code: str) -> None:
        """The ID exists: its organization counts too. Its throttle's refusal still counts on the address,
        since it tells that the ID exists: probing IDs that way must cost as much as guessing does."""
        self.keys.append(throttle.organization_key(code))
        try:
            self.refuse_if_throttled()
        except AttemptThrottled:
            self._count(self.address)
            raise

    def unknown(self, password: str) -> NoReturn:
        """No such ID: the hashing time of a known one, counted on the address only (an unknown ID has no
        organization, and counting a guessed one would tell which IDs exist)."""
        db.end_reads(self.session)
        user_store.password_matches(None, password)
        self._count(self.address)
        raise UnknownCredentials

    def judge(self, temporal: TemporalPort, subject: LockoutInput, password_ok: bool) -> AttemptResult:
        """The arbiter's answer. Every refusal counts (locked and blocked too, whatever the password), so
        the throttle's count says nothing about whether a password was right."""
        result = temporal.judge_attempt(subject, password_ok=password_ok)
        if not result.allowed:
            self._count(self.keys)
            raise AttemptRefused(result, subject.subject_kind)
        return result

    def _count(self, keys: Sequence[throttle.Key]) -> None:
        with committed(self.session):
            throttle.count_failure(session=self.session, keys=keys, limits=self.limits, now=self.now)
