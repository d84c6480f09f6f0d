"""Login sessions, server side: open one at login, resume it on each request, end it.

The web keeps only the opaque ID in the browser (``web.principals``). What logs a principal out
from elsewhere — a password change, a block, a deletion, a revocation — calls
``store.sessions.end_all`` / ``end_for_certificate`` inside its own transaction; the staff's own
session list and an administrator's 全セッション終了 are here, audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from core.config import Settings
from domain.staff_scope import BankScope
from store import audit
from store import sessions as session_store
from store import staff as staff_store
from store.errors import Refusal, ServiceError
from store.models import Staff
from store.sessions import EndReason, Lifetimes, LoginSession, Principal

from .transaction import committed

# last_seen is written at most this often: a request within it changes nothing, so most page views
# stay read-only (issue 12, point 2) and the idle lifetime is still exact to within a minute.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class Opened:
    row: LoginSession
    token: str  # for the browser's cookie only: never logged, never stored


def lifetimes(settings: Settings) -> Lifetimes:
    return Lifetimes(idle=timedelta(seconds=settings.session_idle_seconds),
                     absolute=timedelta(seconds=settings.session_absolute_seconds))


def open_session(session: Session, *, principal: Principal, now: datetime, replacing: str | None,
                 certificate_serial: str | None = None, user_agent: str = "",
                 client_address: str | None = None) -> Opened:
    """Log in: a new session with a new ID; the browser's previous one (``replacing``) ends, so an ID
    planted before login or copied from the earlier session is worth nothing afterwards."""
    with committed(session):
        if replacing and (previous := session_store.by_token(session=session, token=replacing)) is not None:
            session_store.end(row=previous, reason=EndReason.REPLACED, at=now)
        row, token = session_store.open_session(session=session, principal=principal, now=now,
                                                certificate_serial=certificate_serial, user_agent=user_agent,
                                                client_address=client_address)
    return Opened(row, token)


def resume(session: Session, *, token: str, now: datetime, lifetimes: Lifetimes) -> LoginSession | None:
    """The live session of an ID, or None (unknown, ended or expired: the request is anonymous).

    Writes only when it must — an expired session is marked ended, a live one's last_seen moves
    on once per ``TOUCH_INTERVAL`` — and never when the caller's session holds other changes."""
    row = session_store.by_token(session=session, token=token)
    if row is None or row.ended_at is not None:
        return None
    writable = not (session.new or session.dirty or session.deleted)
    if row.expired(now, lifetimes):
        if writable:
            with committed(session):
                session_store.end(row=row, reason=EndReason.EXPIRED, at=now)
        return None
    if writable and now - row.last_seen_at >= TOUCH_INTERVAL:
        with committed(session):
            row.last_seen_at = now
    return row


def why_ended(session: Session, *, token: str) -> EndReason | None:
    """Why the session of an ID ended (None: unknown, or still live), for telling its browser."""
    row = session_store.by_token(session=session, token=token)
    return row.end_reason if row is not None and row.ended_at is not None else None


def log_out(session: Session, *, token: str, now: datetime, reason: EndReason = EndReason.LOGOUT) -> None:
    """ログアウト: the session ends on the server, so a copy of the cookie is worth nothing."""
    with committed(session):
        if (row := session_store.by_token(session=session, token=token)) is not None:
            session_store.end(row=row, reason=reason, at=now)


def staff_sessions(session: Session, *, staff: Staff, now: datetime, lifetimes: Lifetimes) -> list[LoginSession]:
    """A staff member's live sessions, the most recently used first."""
    return session_store.live_sessions(session=session, principal=Principal.staff(staff.uuid), now=now,
                                       lifetimes=lifetimes)


def end_own_session(session: Session, *, staff: Staff, session_id: int, current: LoginSession, now: datetime,
                    actor: audit.Actor) -> None:
    """End one of one's own other sessions (the current one ends by ログアウト).

    Raises ``ServiceError(NOT_FOUND)`` for another's session, the current one or an unknown ID."""
    with committed(session):
        row = session.get(LoginSession, session_id)
        if row is None or row.staff_uuid != staff.uuid or row.id == current.id:
            raise ServiceError(Refusal.NOT_FOUND)
        if session_store.end(row=row, reason=EndReason.ENDED_BY_SELF, at=now):
            audit.record(session=session, actor=actor, action="session.end", target_kind="staff",
                         target_id=staff.uuid, detail=f"session={row.id}")


def end_other_own_sessions(session: Session, *, staff: Staff, current: LoginSession, now: datetime,
                           actor: audit.Actor) -> int:
    """End all of one's own sessions but the current one; how many ended."""
    with committed(session):
        ended = session_store.end_all(session=session, principal=Principal.staff(staff.uuid),
                                      reason=EndReason.ENDED_BY_SELF, at=now, keep_id=current.id)
        audit.record(session=session, actor=actor, action="session.end_others", target_kind="staff",
                     target_id=staff.uuid, detail=f"ended={ended}")
    return ended


def end_staff_sessions(session: Session, *, staff_uuid: str, now: datetime, actor: audit.Actor,
                       scope: BankScope, keep: LoginSession | None = None) -> int:
    """An administrator ends every session of a staff member of their 労金 (``scope``; the 連合会's: of
    anyone), their own current one excepted, if it is theirs. Raises ``ServiceError(NOT_FOUND)`` for an
    unknown staff member and for another 労金's alike."""
    with committed(session):
        staff = staff_member(session, staff_uuid=staff_uuid, scope=scope)
        ended = session_store.end_all(session=session, principal=Principal.staff(staff.uuid),
                                      reason=EndReason.ENDED_BY_ADMINISTRATOR, at=now,
                                      keep_id=keep.id if keep is not None else None)
        audit.record(session=session, actor=actor, action="session.end_all", target_kind="staff",
                     target_id=staff.uuid, detail=f"ended={ended}")
    return ended


def staff_member(session: Session, *, staff_uuid: str, scope: BankScope) -> Staff:
    """The staff account ``staff_uuid`` if ``scope`` sees it; ``ServiceError(NOT_FOUND)`` otherwise."""
    key = _uuid_or_none(staff_uuid)
    return staff_store.require_staff_in_scope(session.get(Staff, key) if key is not None else None, scope)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
