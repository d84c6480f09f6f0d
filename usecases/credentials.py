"""Credentials after 初期登録 (issue 13): a user's own パスワード変更 and メールアドレス変更, a master
user's パスワード初期化 of a general user, and a Rokin administrator's of a master user.

- パスワード変更: the current password is judged by the lockout arbiter exactly as at a login
  (``authentication.authenticate_user``: the throttle, wrong ones counted toward the lock); the new
  one follows 初期登録's rules (``domain.credentials``).
- メールアドレス変更: the new address waits in ``pending_email`` until the user types the one-time
  code mailed there. The mail activity makes the code and stores only its argon2 hash, with an
  expiry, so the code is in no workflow history and nowhere in clear; until then the old address
  stays in use. After the change both addresses are told.
- パスワード初期化: a new one-time initial password (returned once, never stored) and 初期登録 again;
  the certificate stays but works only after it. A lock or a block is left as it is: a reset never
  unblocks silently (the master's or administrator's 閉塞解除 stays a separate, audited act).

Each change is audited, e-mailed (a reset to the master user too) and ends the user's other sessions
(the changer's own session goes on; a reset ends all of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from domain.credentials import check_new_password
from domain.notices import NoticeKind, NoticeRequest
from domain.roles import StaffRole, UserRole, UserStatus
from store import audit, db
from store import organizations as organization_store
from store import sessions as session_store
from store import staff as staff_store
from store import users as user_store
from store.errors import CredentialError, Refusal, ServiceError
from store.models import Staff, User
from store.passwords import hash_password
from store.sessions import EndReason, Principal
from store.users import EmailChangeProblem, EmailChangeRefused

from .authentication import AttemptOrigin, authenticate_user
from .notices import notify
from .ports import TemporalPort
from .transaction import committed


@dataclass(frozen=True)
class Reset:
    """A reset's outcome: the user, the one-time initial password to show once, and the audit entry
    of the reset (the printed notice refers to it to show the password only once)."""

    user: User
    initial_password: str
    reset_id: int


def change_password(session: Session, temporal: TemporalPort, *, user: User, current_password: str,
                    new_password: str, origin: AttemptOrigin, now: datetime, actor: audit.Actor,
                    keep_session_id: int | None) -> None:
    """パスワード変更. Raises ``CredentialError`` (the new password's rule: nothing is counted), then
    whatever ``authenticate_user`` raises for the current password (``AttemptRefused`` for a wrong
    one, counted toward the lock; ``AttemptThrottled``; ``TemporalUnavailable``)."""
    if (problem := check_new_password(new_password, user_id=user.user_id,
                                      previous_password=current_password)) is not None:
        raise CredentialError("new_password", problem)
    judged = authenticate_user(session, temporal, user_id=user.user_id, password=current_password,
                               origin=origin, now=now)
    if judged.uuid != user.uuid:  # the ID changed hands meanwhile: never
        raise ServiceError(Refusal.FORBIDDEN)
    password_hash = hash_password(new_password)  # slow: outside the writing transaction
    with committed(session):
        user_store.store_changed_password(session=session, user=judged, password_hash=password_hash, actor=actor)
        _end_other_sessions(session, judged, now=now, keep_session_id=keep_session_id,
                            reason=EndReason.PASSWORD_CHANGED, actor=actor)
    notify(temporal, NoticeRequest(NoticeKind.PASSWORD_CHANGED, str(user.uuid)))


def request_email_change(session: Session, temporal: TemporalPort, *, user: User, new_email: str,
                         actor: audit.Actor) -> None:
    """メールアドレス変更, first step: the new address waits and a code is mailed to it.

    Raises ``CredentialError("email", ...)``, ``EmailChangeRefused(SAME_AS_CURRENT)`` or, when the mail
    cannot be started, ``TemporalUnavailable`` (the change stays pending: the user may send again)."""
    with committed(session):
        user_store.request_email_change(session=session, user=user, new_email=new_email, actor=actor)
    send_email_code(session, temporal, user=user)


def send_email_code(session: Session, temporal: TemporalPort, *, user: User) -> None:
    """(Re)send a code to the pending address; the mail activity makes a new one, which replaces any
    earlier code. Raises ``EmailChangeRefused(NO_PENDING_CHANGE)`` or ``TemporalUnavailable``."""
    session.refresh(user)
    if not user.pending_email:
        raise EmailChangeRefused(EmailChangeProblem.NO_PENDING_CHANGE)
    db.end_reads(session)
    temporal.send_notice(NoticeRequest(NoticeKind.EMAIL_CHANGE_CODE, str(user.uuid), address="pending"))


def confirm_email_change(session: Session, temporal: TemporalPort, *, user: User, code: str, now: datetime,
                         actor: audit.Actor, keep_session_id: int | None) -> None:
    """メールアドレス変更, second step: the code from the mail. Raises ``EmailChangeRefused``: no change
    pending, no code sent yet, expired, wrong (counted; after ``EMAIL_CODE_MAX_FAILURES`` the code
    stops working and a new one must be sent)."""
    session.refresh(user)
    code_hash = user_store.email_code_to_check(user, now=now)
    db.end_reads(session)
    matches = user_store.code_matches(code_hash, code)  # argon2: outside the writing transaction
    wrong: EmailChangeProblem | None = None
    with committed(session):
        if matches:
            user_store.confirm_email_change(session=session, user=user, code_hash=code_hash, actor=actor)
            _end_other_sessions(session, user, now=now, keep_session_id=keep_session_id,
                                reason=EndReason.EMAIL_CHANGED, actor=actor)
        else:
            wrong = user_store.record_wrong_email_code(session=session, user=user, code_hash=code_hash, actor=actor)
    if wrong is not None:
        raise EmailChangeRefused(wrong)
    notify(temporal, NoticeRequest(NoticeKind.EMAIL_CHANGED, str(user.uuid)))
    notify(temporal, NoticeRequest(NoticeKind.EMAIL_CHANGED, str(user.uuid), address="previous"))


def cancel_email_change(session: Session, *, user: User, actor: audit.Actor) -> None:
    """取消し of a pending change: its code stops working; the address stays as it is."""
    with committed(session):
        user_store.cancel_email_change(session=session, user=user, actor=actor)


def reset_general_user_password(session: Session, temporal: TemporalPort, *, master: User, user_uuid: str,
                                actor: audit.Actor, now: datetime) -> Reset:
    """A master user's パスワード初期化 of one of their own general users (registered or still
    pending). Raises ``ServiceError`` (NOT_FOUND, FORBIDDEN: not the master's own general user)."""
    with committed(session):
        user = user_store.managed_general_user(session=session, master=master, user_uuid=user_uuid)
        reset = _reset(session, user, actor=actor, now=now)
    notify(temporal, NoticeRequest(NoticeKind.GENERAL_PASSWORD_RESET, str(user.uuid)))
    notify(temporal, NoticeRequest(NoticeKind.GENERAL_PASSWORD_RESET_TO_MASTER, str(master.uuid),
                                   about_user_uuid=str(user.uuid)))
    return reset


def reset_master_password(session: Session, temporal: TemporalPort, *, staff: Staff, user_uuid: str,
                          actor: audit.Actor, now: datetime) -> Reset:
    """A Rokin administrator's パスワード初期化 of a master user of their 労金 (the 連合会's: of any); the
    password goes on a new ご利用開始（変更）のお知らせ. Raises ``ServiceError`` (FORBIDDEN: not an
    administrator, or not a master user; NOT_FOUND, also for another 労金's user)."""
    with committed(session):
        if staff.role is not StaffRole.ADMINISTRATOR or not staff.active:
            raise ServiceError(Refusal.FORBIDDEN)
        user = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
        if user is None or user.status is UserStatus.DELETED:
            raise ServiceError(Refusal.NOT_FOUND)
        organization_store.require_in_scope(user.organization, staff_store.scope_of(staff))
        if user.role is not UserRole.MASTER:
            raise ServiceError(Refusal.FORBIDDEN)  # general users: their own master user resets them
        reset = _reset(session, user, actor=actor, now=now)
    notify(temporal, NoticeRequest(NoticeKind.MASTER_PASSWORD_RESET, str(user.uuid)))
    return reset


def show_reset_password_once(session: Session, *, user_uuid: str, reset_id: int, actor: audit.Actor) -> bool:
    """Record that the notice of reset ``reset_id`` shows its password now; False if it did before."""
    with committed(session):
        user = user_store.get_by_uuid(session=session, user_uuid=user_uuid)
        if user is None:
            return False
        return user_store.record_reset_notice_shown(session=session, user=user, reset_entry_id=reset_id,
                                                    actor=actor)


def _reset(session: Session, user: User, *, actor: audit.Actor, now: datetime) -> Reset:
    initial_password, reset_id = user_store.reset_password(session=session, user=user, actor=actor)
    _end_other_sessions(session, user, now=now, keep_session_id=None, reason=EndReason.PASSWORD_RESET,
                        actor=actor)
    return Reset(user, initial_password, reset_id)


def _end_other_sessions(session: Session, user: User, *, now: datetime, keep_session_id: int | None,
                        reason: EndReason, actor: audit.Actor) -> None:
    ended = session_store.end_all(session=session, principal=Principal.user(user.uuid), reason=reason, at=now,
                                  keep_id=keep_session_id)
    if ended:
        audit.record(session=session, actor=actor, action="session.end_all", target_kind="user",
                     target_id=user.uuid, detail=f"ended={ended} reason={reason.value}")
