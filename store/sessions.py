"""Server-side login sessions (migration 0006): the only thing that makes a request authenticated.

One row per login. The browser holds an opaque random ID; the row holds its SHA-256 only, so the
table cannot be replayed from a backup or a read-only leak. A row is live while it is not ended and
neither its idle nor its absolute lifetime has run out; everything else is anonymous.

Whatever must log a principal out calls ``end_all`` (every session of a user or staff member) or
``end_for_certificate`` (the employer sessions opened with one certificate) inside its own
transaction, so the ending commits or rolls back with the action that caused it.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .models import Base, _enum

TOKEN_BYTES = 32  # 256 bits of randomness: the ID cannot be guessed
USER_AGENT_LENGTH = 120  # enough to tell browsers apart on the staff list


class EndReason(StrEnum):
    """Why a session ended (stored; the staff list and an investigation read it)."""

    LOGOUT = "logout"
    REPLACED = "replaced"  # a new login in the same browser: the old ID must not live on (no fixation)
    EXPIRED = "expired"  # idle or absolute lifetime, noticed at its next request
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"  # by the master user or a Rokin administrator
    EMAIL_CHANGED = "email_changed"
    BLOCKED = "blocked"
    DELETED = "deleted"
    CERTIFICATE_ENDED = "certificate_ended"  # the certificate it was opened with was revoked or superseded
    CERTIFICATE_CHANGED = "certificate_changed"  # a request came without that certificate: perhaps a copy
    ENDED_BY_SELF = "ended_by_self"  # from the staff member's own session list
    ENDED_BY_ADMINISTRATOR = "ended_by_admin"


@dataclass(frozen=True)
class Principal:
    """Whose session: an employer user or a staff member, by UUID."""

    kind: str  # "user" or "staff", as in the audit log
    uuid: uuid.UUID

    @classmethod
    def user(cls, user_uuid: uuid.UUID | str) -> Principal:
        return cls("user", _as_uuid(user_uuid))

    @classmethod
    def staff(cls, staff_uuid: uuid.UUID | str) -> Principal:
        return cls("staff", _as_uuid(staff_uuid))


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


class LoginSession(Base):
    __tablename__ = "login_sessions"
    __table_args__ = (CheckConstraint("(user_uuid IS NULL) <> (staff_uuid IS NULL)", name="one_principal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_uuid: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.uuid"), index=True)
    staff_uuid: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff.uuid"), index=True)
    certificate_serial: Mapped[str | None] = mapped_column(String(40), index=True)  # employer sessions
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[EndReason | None] = mapped_column(_enum(EndReason))
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_LENGTH), default="")
    client_address: Mapped[str | None] = mapped_column(String(45))

    @property
    def principal(self) -> Principal:
        if self.staff_uuid is not None:
            return Principal.staff(self.staff_uuid)
        assert self.user_uuid is not None  # the check constraint: exactly one of the two
        return Principal.user(self.user_uuid)

    def expired(self, now: datetime, lifetimes: Lifetimes) -> bool:
        return now - self.last_seen_at > lifetimes.idle or now - self.created_at > lifetimes.absolute


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(*, session: Session, principal: Principal, now: datetime, certificate_serial: str | None = None,
                 user_agent: str = "", client_address: str | None = None) -> tuple[LoginSession, str]:
    """A new live session and its opaque ID, which only the browser keeps."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = LoginSession(
        token_sha256=hash_token(token),
        user_uuid=principal.uuid if principal.kind == "user" else None,
        staff_uuid=principal.uuid if principal.kind == "staff" else None,
        certificate_serial=certificate_serial, created_at=now, last_seen_at=now,
        user_agent=user_agent[:USER_AGENT_LENGTH], client_address=client_address)
    session.add(row)
    session.flush()
    return row, token


def by_token(*, session: Session, token: str) -> LoginSession | None:
    """The row of an ID, ended or not (the caller decides what an ended or expired one means)."""
    return session.scalar(select(LoginSession).where(LoginSession.token_sha256 == hash_token(token)))


def end(*, row: LoginSession, reason: EndReason, at: datetime) -> bool:
    """End one session; False if it had ended already (its first reason stays)."""
    if row.ended_at is not None:
        return False
    row.ended_at = at
    row.end_reason = reason
    return True


def end_all(*, session: Session, principal: Principal, reason: EndReason, at: datetime,
            keep_id: int | None = None) -> int:
    """End every session of a user or staff member, but ``keep_id`` (the session that asked for it).

    Returns how many ended. Idempotent: ended sessions keep their first reason."""
    column = LoginSession.staff_uuid if principal.kind == "staff" else LoginSession.user_uuid
    statement = update(LoginSession).where(column == principal.uuid, LoginSession.ended_at.is_(None))
    if keep_id is not None:
        statement = statement.where(LoginSession.id != keep_id)
    return _end_where(session, statement, reason, at)


def end_for_certificate(*, session: Session, serial: str, reason: EndReason, at: datetime) -> int:
    """End the employer sessions opened with the certificate ``serial``; how many ended."""
    statement = update(LoginSession).where(LoginSession.certificate_serial == serial, LoginSession.ended_at.is_(None))
    return _end_where(session, statement, reason, at)


def live_sessions(*, session: Session, principal: Principal, now: datetime, lifetimes: Lifetimes) -> list[LoginSession]:
    """A principal's live sessions, the most recently seen first."""
    column = LoginSession.staff_uuid if principal.kind == "staff" else LoginSession.user_uuid
    rows = session.scalars(select(LoginSession)
                           .where(column == principal.uuid, LoginSession.ended_at.is_(None),
                                  LoginSession.created_at >= now - lifetimes.absolute,
                                  LoginSession.last_seen_at >= now - lifetimes.idle)
                           .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc()))
    return list(rows)


def _end_where(session: Session, statement, reason: EndReason, at: datetime) -> int:  # noqa: ANN001
    result = session.execute(statement.values(ended_at=at, end_reason=reason)
                             .execution_options(synchronize_session="fetch"))
    return result.rowcount


def _as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)
