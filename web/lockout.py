"""How the web asks the lockout arbiter (issue 3), and how its answers read on the pages.

Every password check on a known ID ends in ``judge_attempt``: the web has verified the argon2
hash and reports only the outcome to that account's lockout workflow, through the app's
TemporalBridge. The user gets in only if the workflow allows it; when no answer comes —
Temporal down, no worker, a timeout — the attempt is refused, never allowed.

Unlocks and unblocks go through ``release``; the workflow checks who asks (and audits the
release with who did it), so the pages only show buttons the rules would allow.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from domain.lockout import AttemptResult, LockoutStatus, Outcome, ReleaseKind, SubjectKind
from domain.lockout_release import ActorKind, ReleaseRequest, ReleaseResult, may_release, who_releases
from domain.roles import StaffRole, UserRole
from store import lockout as lockout_store
from store.lockout import LockoutView
from store.models import Staff, User
from workflows import lockout_client

from . import db, messages
from .principals import EmployerPrincipal, StaffPrincipal

log = logging.getLogger(__name__)

JST = ZoneInfo("Asia/Tokyo")
ANSWER_DEADLINE_SECONDS = 8.0  # the client helper retries within this; then the page says "try later"
MIRROR_WAIT_SECONDS = 3.0  # after a release, how long the redirect waits for the list to show it
MIRROR_POLL_SECONDS = 0.02

STATUS_LABELS = {
    LockoutStatus.NORMAL: _l("正常"),
    LockoutStatus.LOCKED: _l("ロック中"),
    LockoutStatus.BLOCKED: _l("閉塞"),
}
RELEASE_LABELS = {ReleaseKind.UNLOCK: _l("ロック解除"), ReleaseKind.UNBLOCK: _l("閉塞解除")}
NEEDS = {ReleaseKind.UNLOCK: LockoutStatus.LOCKED, ReleaseKind.UNBLOCK: LockoutStatus.BLOCKED}


class ArbiterRefusal(Exception):
    """The attempt may not go on: ``refusal_text`` says why on the page."""


class AttemptRefused(ArbiterRefusal):
    def __init__(self, result: AttemptResult, subject_kind: SubjectKind) -> None:
        super().__init__(result.outcome.value)
        self.result = result
        self.subject_kind = subject_kind


class ArbiterUnavailable(ArbiterRefusal):
    """No answer from the lockout workflow: refuse, and ask to try again later."""


@dataclass(frozen=True)
class LockoutSubject:
    """Whose lockout: identifiers only, as the workflow knows them."""

    uuid: str
    organization_code: str  # '' for a staff account
    kind: SubjectKind

    @classmethod
    def of_user(cls, user: User) -> LockoutSubject:
        kind = SubjectKind.MASTER if user.role is UserRole.MASTER else SubjectKind.GENERAL
        return cls(str(user.uuid), user.organization.code, kind)

    @classmethod
    def of_staff(cls, staff: Staff) -> LockoutSubject:
        return cls(str(staff.uuid), "", SubjectKind.STAFF)


def judge_attempt(subject: LockoutSubject, password_ok: bool) -> AttemptResult:
    """The arbiter's answer to one attempt whose hash the caller checked; raises unless allowed."""
    rokin = current_app.extensions["rokin"]
    deadline = current_app.config.get("LOCKOUT_DEADLINE_SECONDS", ANSWER_DEADLINE_SECONDS)
    db.end_reads()  # the activities mirroring the state need the SQLite write lock
    try:
        result = rokin.temporal.call(
            lambda client: lockout_client.attempt(
                client, user_uuid=subject.uuid, organization_code=subject.organization_code,
                subject_kind=subject.kind, password_ok=password_ok, task_queue=rokin.settings.task_queue,
                deadline=deadline),
            timeout=deadline + 2)
    except Exception as error:  # noqa: BLE001  whatever it is, nobody gets in without an answer
        log.warning("lockout arbiter did not answer (%s)", type(error).__name__)
        raise ArbiterUnavailable from None
    if not result.allowed:
        raise AttemptRefused(result, subject.kind)
    return result


def release(subject: LockoutSubject, kind: ReleaseKind) -> ReleaseResult:
    """Unlock or unblock as the logged-in user or staff member.

    Raises ``lockout_client.ReleaseRefused`` (with the rule's reason) or ``ArbiterUnavailable``.
    Returns once the read model shows the release, so the page after the redirect does too.
    """
    request = ReleaseRequest(kind, *_actor())
    deadline = current_app.config.get("LOCKOUT_DEADLINE_SECONDS", ANSWER_DEADLINE_SECONDS)
    db.end_reads()  # the activities mirroring the state need the SQLite write lock
    try:
        result = current_app.extensions["rokin"].temporal.call(
            lambda client: lockout_client.release(
                client, user_uuid=subject.uuid, organization_code=subject.organization_code,
                subject_kind=subject.kind, request=request, deadline=deadline),
            timeout=deadline + 2)
    except lockout_client.ReleaseRefused:
        raise
    except Exception as error:  # noqa: BLE001
        log.warning("lockout release got no answer (%s)", type(error).__name__)
        raise ArbiterUnavailable from None
    _wait_until_mirrored(subject, result.status)
    return result


def may_release_now(subject: LockoutSubject, kind: ReleaseKind) -> bool:
    """Whether the logged-in actor is one who releases ``subject`` (the rule of domain.lockout_release)."""
    return may_release(ReleaseRequest(kind, *_actor()), subject_kind=subject.kind, subject_uuid=subject.uuid,
                       subject_organization_code=subject.organization_code) is None


def _actor() -> tuple[ActorKind, str, str]:
    principal = current_user._get_current_object()
    if isinstance(principal, EmployerPrincipal):
        kind = ActorKind.MASTER_USER if principal.is_master else ActorKind.GENERAL_USER
        return kind, str(principal.user.uuid), principal.user.organization.code
    if isinstance(principal, StaffPrincipal):
        administrator = principal.staff.role is StaffRole.ADMINISTRATOR
        return (ActorKind.ROKIN_ADMINISTRATOR if administrator else ActorKind.ROKIN_STAFF,
                str(principal.staff.uuid), "")
    raise PermissionError("no logged-in actor")


def _wait_until_mirrored(subject: LockoutSubject, expected: LockoutStatus) -> None:
    """The workflow answers before its activity writes the read model: wait (briefly) for it."""
    factory = current_app.extensions["rokin"].session_factory
    model = Staff if subject.kind is SubjectKind.STAFF else User
    give_up_at = time.monotonic() + MIRROR_WAIT_SECONDS
    while time.monotonic() < give_up_at:
        with factory() as session:
            row = session.get(model, uuid.UUID(subject.uuid))
            if row is None or lockout_store.lockout_view(row, now()).status is expected:
                return
        time.sleep(MIRROR_POLL_SECONDS)


# --- how it reads ------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(timezone.utc)


def jst_time(moment: datetime) -> str:
    """hh:mm in Tokyo, rounded up: "until 10:16" must not be read as a minute too early."""
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment.astimezone(JST).strftime("%H:%M")


def refusal_text(refusal: ArbiterRefusal) -> str:
    """The page's message for a refused attempt; staff accounts read ログインID."""
    if not isinstance(refusal, AttemptRefused):
        return gettext(messages.LOCKOUT_UNAVAILABLE)
    result, staff = refusal.result, refusal.subject_kind is SubjectKind.STAFF
    if result.outcome is Outcome.WRONG_PASSWORD:
        return _render(Outcome.WRONG_PASSWORD, staff, remaining=result.remaining_before_lock)
    if result.blocked:
        return _render(who_releases(refusal.subject_kind), staff)
    return _render(Outcome.LOCKED, staff, until=jst_time(result.locked_until) if result.locked_until else "")


def _render(code: object, staff: bool, **values: object) -> str:
    wording = messages.STAFF.get(code) if staff else None
    return gettext(wording or messages.msgid(code)) % {**messages.PARAMETERS, **values}


def release_refusal_text(refusal: lockout_client.ReleaseRefused) -> str:
    return messages.render(refusal.refusal, gettext)


def status_text(view: LockoutView) -> str:
    """正常 / ロック中（hh:mmまで） / 閉塞, as the lists show it."""
    if view.status is LockoutStatus.LOCKED and view.locked_until is not None:
        return gettext("ロック中（%(until)sまで）", until=jst_time(view.locked_until))
    return str(STATUS_LABELS[view.status])


def view_of(account: User | Staff) -> LockoutView:
    return lockout_store.lockout_view(account, now())


def released_text(kind: ReleaseKind, login_id: str) -> str:
    if kind is ReleaseKind.UNLOCK:
        return gettext("%(login_id)s のロックを解除しました。", login_id=login_id)
    return gettext("%(login_id)s の閉塞を解除しました。", login_id=login_id)


def offered_releases(subject: LockoutSubject, view: LockoutView) -> list[ReleaseKind]:
    """The buttons to show: the release the state needs, if the logged-in actor may do it."""
    return [kind for kind in ReleaseKind if view.status is NEEDS[kind] and may_release_now(subject, kind)]
