"""The lockout read model and the audit of releases.

The lockout workflow decides; its activities call ``mirror_state`` so that lists (the master
user's users, the staff search) show 正常 / ロック中 (until hh:mm) / 閉塞 straight from the
``users`` and ``staff`` rows, and ``record_release`` so every unlock and unblock is in the
audit log with who did it. Both are idempotent: activities are retried.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from domain.lockout import (
    LockoutState,
    LockoutStatus,
    ReleaseKind,
    SubjectKind,
    expire_lock,
    status,
)
from domain.lockout_release import ActorKind
from domain.roles import UserRole, UserStatus

from . import audit
from . import sessions as login_sessions
from .models import AuditEntry, LockoutReadModel, Organization, Staff, User
from .sessions import EndReason, Principal


@dataclass(frozen=True)
class LockoutView:
    """What a page shows about one account, as of ``now``."""

    status: LockoutStatus
    locked_until: datetime | None  # aware UTC, only while LOCKED
    lock_count: int
    failures: int


def _model(subject_kind: SubjectKind) -> type[User | Staff]:
    return Staff if subject_kind is SubjectKind.STAFF else User


def mirror_state(
    *, session: Session, subject_kind: SubjectKind, user_uuid: str, state: LockoutState, as_of: datetime
) -> bool:
    """Write the workflow's state as of ``as_of``; an older snapshot never replaces a newer one.

    Returns False when the account does not exist or a newer snapshot is already stored.
    """
    model = _model(subject_kind)
    before = session.execute(select(model.lockout_status, model.locked_until)
                             .where(model.uuid == uuid.UUID(user_uuid))).one_or_none()
    result = session.execute(
        update(model)
        .where(model.uuid == uuid.UUID(user_uuid),
               or_(model.lockout_as_of.is_(None), model.lockout_as_of <= as_of))
        .values(lockout_status=status(state, as_of), locked_until=state.locked_until,
                lock_count=state.lock_count, failed_attempts=state.failures, lockout_as_of=as_of)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # Each lock and each block once in the audit log (the staff dashboard counts them per day): a
    # retried mirror of the same state finds it stored already and records nothing.
    target_kind = "staff" if subject_kind is SubjectKind.STAFF else "user"
    if state.blocked and (before is None or before.lockout_status is not LockoutStatus.BLOCKED):
        audit.record(session=session, actor=LOCKOUT_ACTOR, action=BLOCK_ACTION, target_kind=target_kind,
                     target_id=user_uuid, detail=f"lock_count={state.lock_count}")
    elif state.locked_until is not None and (before is None or before.locked_until != state.locked_until):
        audit.record(session=session, actor=LOCKOUT_ACTOR, action=LOCK_ACTION, target_kind=target_kind,
                     target_id=user_uuid, detail=f"lock_count={state.lock_count}")
    if state.blocked:  # 閉塞: the account's sessions end with it (issue 12); idempotent for a retry
        principal = Principal.staff(user_uuid) if subject_kind is SubjectKind.STAFF else Principal.user(user_uuid)
        login_sessions.end_all(session=session, principal=principal, reason=EndReason.BLOCKED, at=as_of)
    return True


def lockout_view(account: LockoutReadModel, now: datetime) -> LockoutView:
    """The row's mirrored state at ``now``: a lock whose hour is over reads as 正常 even
    before the workflow's timer has mirrored it."""
    state = expire_lock(LockoutState(
        failures=account.failed_attempts,
        locked_until=account.locked_until,
        lock_count=account.lock_count,
        blocked=account.lockout_status is LockoutStatus.BLOCKED,
    ), now)
    return LockoutView(status=status(state, now), locked_until=state.locked_until,
                       lock_count=state.lock_count, failures=state.failures)


def get_view(*, session: Session, subject_kind: SubjectKind, user_uuid: str, now: datetime) -> LockoutView | None:
    account = session.get(_model(subject_kind), uuid.UUID(user_uuid))
    return None if account is None else lockout_view(account, now)


LOCK_ACTION = "account.locked"  # store.dashboard_queries counts these two
BLOCK_ACTION = "account.blocked"
LOCKOUT_ACTOR = audit.Actor("system", "lockout")
RELEASE_ACTIONS = {ReleaseKind.UNLOCK: "lockout.unlock", ReleaseKind.UNBLOCK: "lockout.unblock"}


def record_release(
    *,
    session: Session,
    subject_kind: SubjectKind,
    user_uuid: str,
    kind: ReleaseKind,
    actor_kind: ActorKind,
    actor_uuid: str,
    release_id: str,
) -> AuditEntry:
    """Audit one release once: ``release_id`` (the update's ID) makes a retried activity a no-op."""
    action = RELEASE_ACTIONS[kind]
    target_kind = "staff" if subject_kind is SubjectKind.STAFF else "user"
    detail = f"release={release_id} actor={actor_kind.value}"
    existing = session.scalar(
        select(AuditEntry).where(AuditEntry.action == action, AuditEntry.target_kind == target_kind,
                                 AuditEntry.target_id == user_uuid, AuditEntry.detail == detail)
    )
    if existing is not None:
        return existing
    actor = audit.Actor("user" if actor_kind in (ActorKind.MASTER_USER, ActorKind.GENERAL_USER) else "staff",
                        actor_uuid)
    return audit.record(session=session, actor=actor, action=action, target_kind=target_kind,
                        target_id=user_uuid, detail=detail)


def master_uuid_of(*, session: Session, organization_code: str) -> str | None:
    """The organization's master user, to tell about a blocked general user."""
    found = session.scalar(
        select(User.uuid).join(Organization, User.organization_id == Organization.id)
        .where(Organization.code == organization_code, User.role == UserRole.MASTER,
               User.status != UserStatus.DELETED)
    )
    return None if found is None else str(found)
