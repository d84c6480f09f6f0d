"""ユーザー検索 and, for administrators, ロック解除 / 閉塞解除 of master users and staff accounts.

Any staff member may search and see the lockout state (受付 and 承認者 answer the phone too);
the release buttons appear only where ``domain.lockout_release`` lets the logged-in staff
member release: administrators, for master users and other staff accounts. General users are
released by their own master user (seed 001 ④), so their rows say so instead. The accounts come
from ``store.account_search``; the lockout state from the read model the lockout workflow mirrors.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for

from contract.lockout_client import ReleaseRefused
from domain.lockout import LockoutInput, LockoutStatus, ReleaseKind, SubjectKind
from domain.roles import StaffRole, UserRole, UserStatus
from store import account_search
from store.lockout import LockoutView
from store.models import Staff, User
from usecases import releases
from usecases.authentication import subject_of_staff, subject_of_user
from usecases.ports import TemporalUnavailable

from .. import db
from .. import lockout as web_lockout
from ..employer import labels as employer_labels
from ..ports import temporal
from ..principals import current_staff
from .forms import AccountSearchForm, ReleaseForm
from .views import ROLE_LABELS, bp

RELEASE_URL = "/accounts/<any(user, staff):account>/<account_uuid>/<any(unlock, unblock):kind>"


@dataclass(frozen=True)
class AccountRow:
    """One account as the search shows it."""

    record: User | Staff
    subject: LockoutInput
    login_id: str  # the user ID, or the staff login ID
    organization_code: str  # '' for staff
    organization_name: str
    role: UserRole | StaffRole
    user_status: UserStatus | None  # None for staff
    lockout: LockoutView

    @property
    def account(self) -> str:
        """The URL part that says which table the UUID is in."""
        return "staff" if self.subject.subject_kind is SubjectKind.STAFF else "user"


def account_row(record: User | Staff) -> AccountRow:
    if isinstance(record, Staff):
        return AccountRow(record, subject_of_staff(record), record.login, "", "", record.role, None,
                          web_lockout.view_of(record))
    return AccountRow(record, subject_of_user(record), record.user_id, record.organization.code,
                      record.organization.name, record.role, record.status, web_lockout.view_of(record))


@bp.get("/accounts")
def search_accounts():  # noqa: ANN201
    form = AccountSearchForm(request.args)
    rows = None
    if "q" in request.args and form.validate():
        rows = [account_row(record) for record in account_search.find_accounts(session=db.session(),
                                                                               query=form.q.data)]
    return render_template("staff/accounts.html", form=form, rows=rows, offered=web_lockout.offered_releases,
                           status_text=web_lockout.status_text, role_labels={**employer_labels.ROLE, **ROLE_LABELS},
                           user_status_labels=employer_labels.STATUS, release_labels=web_lockout.RELEASE_LABELS,
                           general=SubjectKind.GENERAL, normal=LockoutStatus.NORMAL,
                           administrator=StaffRole.ADMINISTRATOR)


@bp.get(RELEASE_URL)
def confirm_release(account: str, account_uuid: str, kind: str):  # noqa: ANN201
    """解除確認: a page of its own, like every confirmation (the CSP allows no inline confirm())."""
    row = _releasable_or_abort(account, account_uuid, ReleaseKind(kind))
    return render_template("staff/confirm_release.html", row=row, kind=ReleaseKind(kind), form=ReleaseForm(),
                           status_text=web_lockout.status_text(row.lockout),
                           label=web_lockout.RELEASE_LABELS[ReleaseKind(kind)])


@bp.post(RELEASE_URL)
def release(account: str, account_uuid: str, kind: str):  # noqa: ANN201
    if not ReleaseForm().validate_on_submit():
        abort(400)
    release_kind = ReleaseKind(kind)
    row = _releasable_or_abort(account, account_uuid, release_kind)
    try:
        releases.release(db.session(), temporal(), account=row.record, kind=release_kind, actor=current_staff())
    except ReleaseRefused as refusal:
        flash(web_lockout.release_refusal_text(refusal), "error")
    except TemporalUnavailable as refusal:
        flash(web_lockout.refusal_text(refusal), "error")
    else:
        flash(web_lockout.released_text(release_kind, row.login_id), "success")
    return redirect(url_for("staff.search_accounts", q=row.login_id))


def _releasable_or_abort(account: str, account_uuid: str, kind: ReleaseKind) -> AccountRow:
    """The account, if this staff member is one who releases it (404 / 403 otherwise)."""
    record = account_search.find_account(session=db.session(), account=account, account_uuid=account_uuid)
    if record is None:
        abort(404)
    row = account_row(record)
    if not web_lockout.may_release_now(row.subject, kind):
        abort(403)
    return row
