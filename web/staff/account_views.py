"""ユーザー検索 and, for administrators, ロック解除 / 閉塞解除 of master users and staff accounts.

Any staff member may search and see the lockout state (受付 and 承認者 answer the phone too);
the release buttons appear only where ``domain.lockout_release`` lets the logged-in staff
member release: administrators, for master users and other staff accounts. General users are
released by their own master user (seed 001 ④), so their rows say so instead. The accounts come
from ``store.account_search``; the lockout state from the read model the lockout workflow mirrors.
Administrators also reset a master user's password here (パスワード初期化, issue 13) and print the new
ご利用開始（変更）のお知らせ. Everything is within the staff member's 労金 (``domain.staff_scope``): the
search finds only its users and staff, and another 労金's account is 404 on every page here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from contract.lockout_client import ReleaseRefused
from domain.lockout import LockoutInput, LockoutStatus, ReleaseKind, SubjectKind
from domain.roles import StaffRole, UserRole, UserStatus
from store import account_search, organization_queries
from store.errors import Refusal, ServiceError
from store.lockout import LockoutView
from store.models import Staff, User
from usecases import credentials, releases
from usecases.authentication import subject_of_staff, subject_of_user
from usecases.ports import TemporalUnavailable

from .. import db
from .. import lockout as web_lockout
from ..employer import labels as employer_labels
from ..ports import temporal
from ..principals import current_actor, current_scope, current_staff
from . import one_time
from .forms import AccountSearchForm, MasterResetForm, ReleaseForm
from .views import ADMINISTRATOR, ROLE_LABELS, ROLES, bp

JST = ZoneInfo("Asia/Tokyo")

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
                                                                               query=form.q.data,
                                                                               scope=current_scope())]
    return render_template("staff/accounts.html", form=form, rows=rows, offered=web_lockout.offered_releases,
                           status_text=web_lockout.status_text, role_labels={**employer_labels.ROLE, **ROLE_LABELS},
                           user_status_labels=employer_labels.STATUS, release_labels=web_lockout.RELEASE_LABELS,
                           general=SubjectKind.GENERAL, normal=LockoutStatus.NORMAL,
                           administrator=StaffRole.ADMINISTRATOR, master=UserRole.MASTER)


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
    except ServiceError:  # another 労金's account (the lookup above says so first)
        abort(404)
    except ReleaseRefused as refusal:
        flash(web_lockout.release_refusal_text(refusal), "error")
    except TemporalUnavailable as refusal:
        flash(web_lockout.refusal_text(refusal), "error")
    else:
        flash(web_lockout.released_text(release_kind, row.login_id), "success")
    return redirect(url_for("staff.search_accounts", q=row.login_id))


def _releasable_or_abort(account: str, account_uuid: str, kind: ReleaseKind) -> AccountRow:
    """The account, if this staff member is one who releases it (404 / 403 otherwise)."""
    record = account_search.find_account(session=db.session(), account=account, account_uuid=account_uuid,
                                         scope=current_scope())
    if record is None:
        abort(404)
    row = account_row(record)
    if not web_lockout.may_release_now(row.subject, kind):
        abort(403)
    return row


# --- パスワード初期化 of a master user (issue 13): administrators only --------------------------------
# A confirmation page, the reset (``usecases.credentials.reset_master_password``), then the printable
# ご利用開始（変更）のお知らせ showing the new initial password once (``one_time.hold_reset`` / ``take_reset``).

MASTER_RESET_URL = "/accounts/user/<account_uuid>/reset-password"
ROLES.update({  # the staff gate's table (views.ROLES): these pages are the administrators'
    "staff.confirm_master_reset": ADMINISTRATOR,
    "staff.master_reset": ADMINISTRATOR,
    "staff.master_reset_notice": ADMINISTRATOR,
})


@bp.get(MASTER_RESET_URL)
def confirm_master_reset(account_uuid: str):  # noqa: ANN201
    row = _master_row_or_abort(account_uuid)
    return render_template("staff/master_reset_confirm.html", row=row, form=MasterResetForm(),
                           status_text=web_lockout.status_text(row.lockout),
                           blocked=row.lockout.status is LockoutStatus.BLOCKED)


@bp.post(MASTER_RESET_URL)
def master_reset(account_uuid: str):  # noqa: ANN201
    if not MasterResetForm().validate_on_submit():
        abort(400)
    row = _master_row_or_abort(account_uuid)
    try:
        reset = credentials.reset_master_password(db.session(), temporal(), staff=current_staff(),
                                                  user_uuid=str(row.record.uuid),
                                                  actor=current_actor(request.remote_addr),
                                                  now=datetime.now(timezone.utc))
    except ServiceError as refusal:
        abort(403 if refusal.refusal is Refusal.FORBIDDEN else 404)
    one_time.hold_reset(str(reset.user.uuid), reset.initial_password, reset.reset_id)
    flash(_("パスワードを初期化しました。ご利用開始（変更）のお知らせを印刷し、団体へお渡しください。"), "success")
    return redirect(url_for("staff.master_reset_notice", account_uuid=str(reset.user.uuid)))


@bp.get("/accounts/user/<account_uuid>/reset-notice")
def master_reset_notice(account_uuid: str):  # noqa: ANN201
    """ご利用開始（変更）のお知らせ, printable; the new initial password appears only right after the reset."""
    row = _master_row_or_abort(account_uuid)
    organization = organization_queries.organization_row(session=db.session(), scope=current_scope(),
                                                         code=row.organization_code)
    if organization is None:
        abort(404)
    return render_template(
        "staff/master_reset_notice.html", row=row, organization=organization,
        initial_password=one_time.take_reset(str(row.record.uuid)),
        system_url=current_app.extensions["rokin"].settings.public_url,
        issued_on=format_date(datetime.now(JST).date(), "long"),
        blocked=row.lockout.status is LockoutStatus.BLOCKED,
    )


def _master_row_or_abort(account_uuid: str) -> AccountRow:
    record = account_search.find_account(session=db.session(), account="user", account_uuid=account_uuid,
                                         scope=current_scope())
    if record is None:
        abort(404)
    if not isinstance(record, User) or record.role is not UserRole.MASTER:
        abort(403)  # a general user's password is reset by their own master user
    return account_row(record)
