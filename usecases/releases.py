"""ロック解除 / 閉塞解除: a master user for the general users of their organization, a Rokin
administrator for master users and staff (seed 001 ④). The lockout workflow decides (its
validator applies ``domain.lockout_release``) and audits the release naming who did it. Staff release
only accounts of their 労金 (``domain.staff_scope``): another's is ``ServiceError(NOT_FOUND)``."""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from domain.lockout import LockoutStatus, ReleaseKind
from domain.lockout_release import ActorKind, ReleaseRequest, ReleaseResult
from domain.roles import StaffRole
from store import lockout as lockout_store
from store import organizations as organization_store
from store import staff as staff_store
from store.models import Staff, User

from .authentication import subject_of_staff, subject_of_user
from .ports import TemporalPort

MIRROR_WAIT_SECONDS = 3.0  # after a release, how long to wait for the read model to show it
MIRROR_POLL_SECONDS = 0.02


def release_request(kind: ReleaseKind, actor: User | Staff) -> ReleaseRequest:
    """``kind`` asked by ``actor`` (a logged-in employer user or staff member)."""
    if isinstance(actor, Staff):
        administrator = actor.role is StaffRole.ADMINISTRATOR
        return ReleaseRequest(kind, ActorKind.ROKIN_ADMINISTRATOR if administrator else ActorKind.ROKIN_STAFF,
                              str(actor.uuid), "")
    return ReleaseRequest(kind, ActorKind.MASTER_USER if actor.is_master else ActorKind.GENERAL_USER,
                          str(actor.uuid), actor.organization.code)


def release(session: Session, temporal: TemporalPort, *, account: User | Staff, kind: ReleaseKind,
            actor: User | Staff) -> ReleaseResult:
    """Unlock or unblock ``account``; returns once the read model shows it, so the next page does too.

    Raises ``contract.lockout_client.ReleaseRefused`` (with the rule's reason), ``ServiceError(NOT_FOUND)``
    (a staff member and another 労金's account) or ``TemporalUnavailable``.
    """
    if isinstance(actor, Staff):
        _require_within_reach(account, actor)
    subject = subject_of_staff(account) if isinstance(account, Staff) else subject_of_user(account)
    request = release_request(kind, actor)
    session.commit()  # the activities mirroring the state need the SQLite write lock
    result = temporal.release(subject, request)
    _wait_until_mirrored(session, account, result.status)
    return result


def _require_within_reach(account: User | Staff, staff: Staff) -> None:
    scope = staff_store.scope_of(staff)
    if isinstance(account, Staff):
        staff_store.require_staff_in_scope(account, scope)
    else:
        organization_store.require_in_scope(account.organization, scope)


def _wait_until_mirrored(session: Session, account: User | Staff, expected: LockoutStatus) -> None:
    """The workflow answers before its activity writes the read model: wait (briefly) for it."""
    give_up_at = time.monotonic() + MIRROR_WAIT_SECONDS
    while time.monotonic() < give_up_at:
        session.refresh(account)
        seen = lockout_store.lockout_view(account, datetime.now(timezone.utc)).status
        session.commit()
        if seen is expected:
            return
        time.sleep(MIRROR_POLL_SECONDS)
