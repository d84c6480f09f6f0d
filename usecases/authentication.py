"""Authentication at every entry that asks for a password: ログイン (after the certificate),
初期登録, 電子証明書発行 ④, 電子証明書の失効依頼 and the staff login.

The argon2 hash is checked here, outside any transaction; then the account's lockout workflow
judges the attempt (``TemporalPort.judge_attempt``), and only its "allowed" lets anyone in.
An unknown ID never reaches the arbiter: it costs the same hashing time and gets the generic
refusal. Without an answer the attempt is refused (``TemporalUnavailable`` passes through).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.lockout import AttemptResult, LockoutInput, SubjectKind
from domain.roles import UserRole
from store import db
from store import staff as staff_store
from store import users as user_store
from store.errors import Refusal, ServiceError
from store.models import Staff, User

from .ports import TemporalPort

UNKNOWN_ID = "unknown_id"  # the outcome label of an ID that does not exist (metrics)


class AttemptRefused(Exception):
    """The arbiter refused the attempt: a wrong password, or a locked or blocked ID."""

    def __init__(self, result: AttemptResult, subject_kind: SubjectKind) -> None:
        super().__init__(result.outcome.value)
        self.result = result
        self.subject_kind = subject_kind


class UnknownCredentials(ServiceError):
    """No such (live) ID: said exactly like a wrong password would be, without naming which."""

    def __init__(self) -> None:
        super().__init__(Refusal.INVALID_CREDENTIALS)


def subject_of_user(user: User) -> LockoutInput:
    kind = SubjectKind.MASTER if user.role is UserRole.MASTER else SubjectKind.GENERAL
    return LockoutInput(str(user.uuid), user.organization.code, kind)


def subject_of_staff(staff: Staff) -> LockoutInput:
    return LockoutInput(str(staff.uuid), "", SubjectKind.STAFF)


def authenticate_user(session: Session, temporal: TemporalPort, *, user_id: str, password: str) -> User:
    """The live user whose password this is.

    Raises ``UnknownCredentials``, ``AttemptRefused`` or ``TemporalUnavailable``.
    """
    user = user_store.get_by_user_id(session=session, user_id=user_id)
    if user is not None:
        subject = subject_of_user(user)  # loads the organization before the transaction ends
    db.end_reads(session)  # not across the hash: on SQLite it would serialize every login
    password_ok = user_store.password_matches(user, password)  # burns the same time for an unknown ID
    if user is None:
        raise UnknownCredentials
    _judge(temporal, subject, password_ok)
    return user


def authenticate_staff(session: Session, temporal: TemporalPort, *, login: str, password: str) -> Staff:
    """The active staff account whose password this is; refusals as for ``authenticate_user``."""
    staff = staff_store.get_by_login(session=session, login=login)
    db.end_reads(session)
    password_ok = staff_store.password_matches(staff, password)
    if staff is None:
        raise UnknownCredentials
    _judge(temporal, subject_of_staff(staff), password_ok)
    return staff


def _judge(temporal: TemporalPort, subject: LockoutInput, password_ok: bool) -> AttemptResult:
    result = temporal.judge_attempt(subject, password_ok=password_ok)
    if not result.allowed:
        raise AttemptRefused(result, subject.subject_kind)
    return result
