"""Rokin staff pages: 職員ログイン, the first password change, the staff menu and logout, and the
gate in front of every page of this blueprint.

``_staff_gate`` decides who enters each endpoint, in one place: the login form is open; every
other page needs a logged-in staff member (anonymous visitors go to 職員ログイン, employer users
are refused) whose one-time initial password has been replaced (else the password change), and
of a role ``ROLES`` allows (any staff member where it says nothing). Which 労金's objects a member
reaches is ``domain.staff_scope``'s rule, applied by the store's queries and the use-cases. Organization pages (団体登録,
団体一覧, ご利用開始のお知らせ) are in ``organization_views``; ユーザー検索 and the release of locked or
blocked accounts in ``account_views``; 職員登録 in ``staff_account_views``; the written revocation requests (失効依頼一覧, a request's
page, 受付 / 承認 / 否認 / 取下げ) in ``request_views``; filing from paper and 緊急失効 in ``filing_views``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from domain.banks import bank_name
from domain.credentials import MAX_LENGTH, MIN_LENGTH
from domain.roles import StaffRole
from store.errors import CredentialError
from usecases import organizations

from .. import db
from ..auth.service import REFUSALS, authenticate_staff, show_refusal
from ..extensions import login_manager
from ..principals import StaffPrincipal, current_actor, current_login_session, current_scope, log_in, log_out
from . import dashboard
from .forms import FirstPasswordForm, StaffLoginForm, add_staff_error

bp = Blueprint("staff", __name__)

ROLE_LABELS = {
    StaffRole.ADMINISTRATOR: _l("管理者"),
    StaffRole.RECEIVER: _l("受付担当者"),
    StaffRole.APPROVER: _l("承認者"),
}

# The gate's table. OPEN: anyone. BEFORE_FIRST_PASSWORD_CHANGE: also a staff member who still has
# the one-time initial password. ROLES: the staff roles an endpoint admits; any staff member where
# it has no entry. (Which request a staff member may act on is the rules' decision, in the views.)
OPEN = frozenset({"staff.login"})
BEFORE_FIRST_PASSWORD_CHANGE = frozenset({"staff.change_password", "staff.logout"})
ANY_STAFF = frozenset(StaffRole)
ADMINISTRATOR = frozenset({StaffRole.ADMINISTRATOR})
ROLES = {
    "staff.register_organization": ADMINISTRATOR,  # 団体登録
    "staff.organizations": ADMINISTRATOR,  # 団体一覧
    "staff.notice": ADMINISTRATOR,  # ご利用開始のお知らせ
    "staff.withdraw": ADMINISTRATOR,  # 取下げ of a written request
    "staff.emergency": ADMINISTRATOR,  # 緊急失効
    "staff.file_on_behalf": frozenset({StaffRole.RECEIVER}),  # a request from the paper received by post
    "staff.confirm_end_staff_sessions": ADMINISTRATOR,  # セッション終了 of any staff member (session_views)
    "staff.end_staff_sessions": ADMINISTRATOR,
    "staff.new_staff_account": ADMINISTRATOR,  # 職員登録 (staff_account_views)
    "staff.staff_account_created": ADMINISTRATOR,
}

# The staff menu: (label, description, endpoint); each entry shows to the roles the gate admits there.
MENU = (
    (_l("団体登録"), _l("団体とマスターユーザーを登録し、ご利用開始のお知らせを印刷します。"),
     "staff.register_organization"),
    (_l("団体一覧"), _l("登録済みの団体とマスターユーザーの状況を確認し、ご利用開始のお知らせを再印刷します。"),
     "staff.organizations"),
    (_l("ユーザー検索"), _l("ユーザーID・団体コード・職員のログインIDで検索し、ロック・閉塞の状態を確認します。管理者はマスターユーザーと職員のロック・閉塞を解除できます。"),  # noqa: E501
     "staff.search_accounts"),
    (_l("失効依頼一覧"), _l("電子証明書の失効依頼を状態と経過営業日数で確認し、書面受付・承認・否認を行います。"),
     "staff.inbox"),
    (_l("緊急失効"), _l("不正利用の疑いなどで、電子証明書を直ちに失効します。"),
     "staff.emergency"),
    (_l("職員登録"), _l("職員（管理者・受付担当者・承認者）のアカウントを作成し、初期パスワードを表示します。"),
     "staff.new_staff_account"),
    (_l("ログイン中のセッション"), _l("ご自身がログイン中のセッションを確認し、ほかのセッションを終了します。"),
     "staff.my_sessions"),
)


def admitted_roles(endpoint: str | None) -> frozenset[StaffRole]:
    return ROLES.get(endpoint or "", ANY_STAFF)


@bp.record_once
def _staff_login_view(_state) -> None:  # noqa: ANN001
    # Anonymous visitors of staff pages go to the staff login, not the employers' login screen.
    login_manager.blueprint_login_views[bp.name] = "staff.login"


@bp.before_request
def _staff_gate():  # noqa: ANN202
    if request.endpoint in OPEN:
        return None
    principal = current_user._get_current_object()
    if not principal.is_authenticated:
        return login_manager.unauthorized()
    if not isinstance(principal, StaffPrincipal):
        abort(403)
    if principal.staff.initial_password and request.endpoint not in BEFORE_FIRST_PASSWORD_CHANGE:
        return redirect(url_for("staff.change_password"))
    if principal.staff.role not in admitted_roles(request.endpoint):
        abort(403)
    return None


@bp.context_processor
def _staff_context() -> dict:
    principal = current_user._get_current_object()
    staff = principal.staff if isinstance(principal, StaffPrincipal) else None
    return {"staff_member": staff, "role_label": ROLE_LABELS.get(staff.role) if staff else None,
            "staff_bank": bank_name(staff.bank_code) if staff else None}


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    """職員ログイン, judged by the account's lockout workflow like every employer login.

    An unknown login ID gets the generic refusal in the same hashing time."""
    form = StaffLoginForm()
    if form.validate_on_submit():
        try:
            staff = authenticate_staff(form.login.data, form.password.data)
        except REFUSALS as refusal:
            show_refusal(form, refusal, staff=True)
        else:
            log_in(staff)  # a new server-side session; the browser's previous one ends (no fixation)
            if staff.initial_password:
                flash(_("初回ログインです。ご自身のパスワードを設定してください。"), "info")
                return redirect(url_for("staff.change_password"))
            return redirect(_next_staff_page() or url_for("staff.top"))
    return render_template("staff/login.html", form=form)


@bp.post("/logout")
def logout():  # noqa: ANN201
    log_out()  # ends the session on the server: a copy of the cookie is worth nothing afterwards
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
def change_password():  # noqa: ANN201
    """パスワード変更 at first login: the initial password from ``rokin admin create-staff`` stops working."""
    staff = current_user.staff
    if not staff.initial_password:
        return redirect(url_for("staff.top"))
    form = FirstPasswordForm()
    if form.validate_on_submit():
        try:
            organizations.replace_initial_staff_password(db.session(), staff=staff,
                                                         new_password=form.new_password.data,
                                                         actor=current_actor(request.remote_addr),
                                                         keep_session=current_login_session())
        except CredentialError as error:
            add_staff_error(getattr(form, error.field), error.problem)
        else:
            flash(_("パスワードを変更しました。"), "success")
            return redirect(url_for("staff.top"))
    return render_template("staff/password.html", form=form, login_id=staff.login,
                           min_length=MIN_LENGTH, max_length=MAX_LENGTH)


@bp.get("/")
def top():  # noqa: ANN201
    """The staff menu, and below it the dashboard of the member's 労金 (counts only: every staff role sees
    it; ``?org=`` filters)."""
    role = current_user.staff.role
    menu = [(label, description, endpoint) for label, description, endpoint in MENU if role in admitted_roles(endpoint)]
    now = datetime.now(timezone.utc)
    board = dashboard.build(db.session(), now=now, organization_code=dashboard.organization_filter(request.args.get("org")),
                            scope=current_scope())
    return render_template("staff/top.html", menu=menu, dashboard=board, dashboard_today=dashboard.today_text(now))


def _next_staff_page() -> str | None:
    """The staff page that sent an anonymous visitor to log in, reduced to its path: no open redirect."""
    target = urlsplit(request.args.get("next", ""))
    staff_root = url_for("staff.top")
    if target.path.startswith(staff_root) and not target.path.startswith("//"):
        return target.path + (f"?{target.query}" if target.query else "")
    return None


from . import (  # noqa: E402, F401  (their pages)
    account_views,
    filing_views,
    organization_views,
    request_views,
    session_views,
    staff_account_views,
)
