"""How the lockout arbiter's answers read on the pages (the asking is ``usecases.authentication``
and ``usecases.releases``): refusal texts, the lock/block state on the lists, and which release
buttons the logged-in actor may press (the rule of ``domain.lockout_release``).
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contract import lockout_client
from domain.lockout import LockoutInput, LockoutStatus, Outcome, ReleaseKind, SubjectKind, lift_time_text
from domain.lockout_release import may_release, who_releases
from store import lockout as lockout_store
from store.errors import Refusal
from store.lockout import LockoutView
from store.models import Staff, User
from usecases.authentication import AttemptRefused
from usecases.ports import TemporalUnavailable
from usecases.releases import release_request

from . import messages
from .principals import EmployerPrincipal, StaffPrincipal

STATUS_LABELS = {
    LockoutStatus.NORMAL: _l("正常"),
    LockoutStatus.LOCKED: _l("ロック中"),
    LockoutStatus.BLOCKED: _l("閉塞"),
}
RELEASE_LABELS = {ReleaseKind.UNLOCK: _l("ロック解除"), ReleaseKind.UNBLOCK: _l("閉塞解除")}
NEEDS = {ReleaseKind.UNLOCK: LockoutStatus.LOCKED, ReleaseKind.UNBLOCK: LockoutStatus.BLOCKED}

def may_release_now(subject: LockoutInput, kind: ReleaseKind) -> bool:
    """Whether the logged-in actor is one who releases ``subject`` (the rule of domain.lockout_release)."""
    return may_release(release_request(kind, _actor()), subject_kind=subject.subject_kind,
                       subject_uuid=subject.user_uuid, subject_organization_code=subject.organization_code) is None


def _actor() -> User | Staff:
    principal = current_user._get_current_object()
    if isinstance(principal, EmployerPrincipal):
        return principal.user
    if isinstance(principal, StaffPrincipal):
        return principal.staff
    raise PermissionError("no logged-in actor")


# --- how it reads ------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(timezone.utc)


def jst_time(moment: datetime) -> str:
    """hh:mm in Tokyo, rounded up: the one rule of ``domain.lockout.lift_time_text``, which the lock
    e-mail uses too, so page and e-mail name the same minute."""
    return lift_time_text(moment)


def refusal_text(refusal: AttemptRefused | TemporalUnavailable) -> str:
    """The page's message for a refused attempt; staff accounts read ログインID."""
    if not isinstance(refusal, AttemptRefused):
        return gettext(messages.LOCKOUT_UNAVAILABLE)
    result, staff = refusal.result, refusal.subject_kind is SubjectKind.STAFF
    if result.outcome is Outcome.WRONG_PASSWORD:  # worded as for an unknown ID, so neither tells the other
        return _render(Refusal.INVALID_CREDENTIALS, staff)
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


def offered_releases(subject: LockoutInput, view: LockoutView) -> list[ReleaseKind]:
    """The buttons to show: the release the state needs, if the logged-in actor may do it."""
    return [kind for kind in ReleaseKind if view.status is NEEDS[kind] and may_release_now(subject, kind)]
