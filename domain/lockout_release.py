"""Who may lift a lock or a block (seed 001 ④, SPEC.md §2 "Lockout").

- A general user is released by the master user of its own organization — seed 001 sends a
  blocked general user to their master user, and the organization manages its own users.
- A master user is released by a Rokin administrator (労金へお問い合わせください); so is a
  staff account.
- Nobody releases themselves, and Rokin does not release general users directly: the chain
  is Rokin → master user → general users, so a blocked organization gets its master user
  back first and then manages its own people.

Authorization is checked before the state, so a refused actor learns nothing about the ID.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .lockout import LockoutState, LockoutStatus, ReleaseKind, SubjectKind, status


class ActorKind(enum.StrEnum):
    MASTER_USER = "master_user"
    GENERAL_USER = "general_user"
    ROKIN_ADMINISTRATOR = "rokin_administrator"
    ROKIN_STAFF = "rokin_staff"  # 受付 / 承認者: no release rights


class Releaser(enum.StrEnum):
    """Whom a locked or blocked user should contact (the pages and the e-mails say it)."""

    MASTER_USER = "master_user"  # マスターユーザー
    ROKIN = "rokin"  # 労金


class ReleaseRefusal(enum.StrEnum):
    """Why a release was refused; the workflow raises it as the ApplicationError type."""

    SELF_RELEASE = "SelfRelease"
    NEEDS_MASTER_OF_ORGANIZATION = "NeedsMasterOfOrganization"
    NEEDS_ROKIN_ADMINISTRATOR = "NeedsRokinAdministrator"
    NOT_LOCKED = "NotLocked"
    NOT_BLOCKED = "NotBlocked"


REFUSAL_TEXT = {  # for histories and logs; the web shows its own Japanese text per code
    ReleaseRefusal.SELF_RELEASE: "an account cannot release itself",
    ReleaseRefusal.NEEDS_MASTER_OF_ORGANIZATION:
        "only the master user of the same organization releases a general user",
    ReleaseRefusal.NEEDS_ROKIN_ADMINISTRATOR: "only a Rokin administrator releases a master user or a staff account",
    ReleaseRefusal.NOT_LOCKED: "the ID is not locked",
    ReleaseRefusal.NOT_BLOCKED: "the ID is not blocked",
}


@dataclass(frozen=True)
class ReleaseRequest:
    """An unlock or unblock, as the web's authenticated principal asks for it."""

    kind: ReleaseKind
    actor_kind: ActorKind
    actor_uuid: str
    actor_organization_code: str = ""  # '' for staff


@dataclass(frozen=True)
class ReleaseResult:
    status: LockoutStatus  # after the release: always NORMAL
    lock_count: int


@dataclass(frozen=True)
class ReleaseAudit:
    """Activity input: one granted release for the audit log; ``release_id`` is the update's ID."""

    user_uuid: str
    subject_kind: SubjectKind
    kind: ReleaseKind
    actor_kind: ActorKind
    actor_uuid: str
    release_id: str


def who_releases(subject_kind: SubjectKind) -> Releaser:
    return Releaser.MASTER_USER if subject_kind is SubjectKind.GENERAL else Releaser.ROKIN


def may_release(
    request: ReleaseRequest, *, subject_kind: SubjectKind, subject_uuid: str, subject_organization_code: str
) -> ReleaseRefusal | None:
    """Authorization only: is this actor one who releases this subject?"""
    if request.actor_uuid == subject_uuid:
        return ReleaseRefusal.SELF_RELEASE
    if subject_kind is SubjectKind.GENERAL:
        same_organization = (request.actor_kind is ActorKind.MASTER_USER
                             and request.actor_organization_code == subject_organization_code
                             and subject_organization_code != "")
        return None if same_organization else ReleaseRefusal.NEEDS_MASTER_OF_ORGANIZATION
    if request.actor_kind is ActorKind.ROKIN_ADMINISTRATOR:
        return None
    return ReleaseRefusal.NEEDS_ROKIN_ADMINISTRATOR


def release_refusal(
    request: ReleaseRequest,
    state: LockoutState,
    now: datetime,
    *,
    subject_kind: SubjectKind,
    subject_uuid: str,
    subject_organization_code: str,
) -> ReleaseRefusal | None:
    """Everything the unlock/unblock validator checks: the actor first, then the state."""
    refusal = may_release(request, subject_kind=subject_kind, subject_uuid=subject_uuid,
                          subject_organization_code=subject_organization_code)
    if refusal is not None:
        return refusal
    current = status(state, now)
    if request.kind is ReleaseKind.UNLOCK and current is not LockoutStatus.LOCKED:
        return ReleaseRefusal.NOT_LOCKED
    if request.kind is ReleaseKind.UNBLOCK and current is not LockoutStatus.BLOCKED:
        return ReleaseRefusal.NOT_BLOCKED
    return None
