"""ろうきん賃金控除事務支援システムログイン画面, logout and 初期登録 (master and general).

ログイン itself is certificate login (``web.certificates.login``). 初期登録 does not log in: the
user has no certificate yet, so it ends at 電子証明書発行 (seed 001 ③–⑧).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from domain.roles import UserRole, UserStatus
from store import users as user_store
from store.errors import CredentialError, ServiceError
from usecases import registration

from .. import db, forms, messages
from ..ports import temporal
from ..principals import current_actor, log_out
from ..security import fresh_session
from .forms import InitialPasswordForm, RegistrationForm
from .service import REFUSALS, authenticate, show_refusal

bp = Blueprint("auth", __name__)

# Between 初期登録's two steps the session remembers who passed step one, for this long.
REGISTRATION_STEP_SECONDS = 10 * 60
KINDS = {"master": UserRole.MASTER, "general": UserRole.GENERAL}
# After 初期登録, whose ID ④ ユーザー認証 fills in (``registered_user_id``), for as long as step one's.
ISSUANCE_USER_KEY = "registered_for_issuance"


@bp.get("/")
def login_screen():  # noqa: ANN201
    return render_template("auth/login_screen.html")


@bp.post("/logout")
def logout():  # noqa: ANN201
    log_out()  # ends the session on the server: a copy of the cookie is worth nothing afterwards
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("auth.login_screen"))


@bp.route("/register/<kind>", methods=["GET", "POST"])
def register_login(kind: str):  # noqa: ANN201
    """初期登録ログイン: the ID and initial password given by Rokin (master) or the master user."""
    role = _role_or_404(kind)
    form = InitialPasswordForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.user_id.data, form.password.data)
            user_store.check_pending_registration(user, role=role)
        except REFUSALS as refusal:
            show_refusal(form, refusal)
        else:
            fresh_session()
            session["registration"] = {"uuid": str(user.uuid), "kind": kind, "at": time.time()}
            return redirect(url_for("auth.register", kind=kind))
    return render_template("auth/register_login.html", form=form, kind=kind)


@bp.route("/register/<kind>/password", methods=["GET", "POST"])
def register(kind: str):  # noqa: ANN201
    """初期登録: set one's own password and e-mail; the initial password stops working."""
    role = _role_or_404(kind)
    user = _registering_user(kind)
    if user is None:
        flash(_("初期登録の有効時間が過ぎました。もう一度ユーザーIDと初期パスワードを入力してください。"), "error")
        return redirect(url_for("auth.register_login", kind=kind))
    form = RegistrationForm()
    if form.validate_on_submit():
        try:
            registration.complete_registration(
                db.session(), temporal(), user=user, role=role, new_password=form.new_password.data,
                email=form.email.data, actor=current_actor(request.remote_addr))
        except CredentialError as error:
            forms.add_error(getattr(form, error.field), error.problem)
        except ServiceError as refusal:
            form.form_errors.append(messages.render(refusal.refusal, _))
        else:
            fresh_session()
            if registration.next_step(db.session(), user=user, now=datetime.now(timezone.utc)) \
                    is registration.NextStep.LOG_IN:  # a reset user whose certificate stayed valid
                flash(_("初期登録が完了しました。お持ちの電子証明書でログインしてください。"), "success")
                return redirect(url_for("auth.login_screen"))
            # ④ ユーザー認証 comes next: it shows this user's ID already filled in (issue 13).
            session[ISSUANCE_USER_KEY] = {"uuid": str(user.uuid), "at": time.time()}
            flash(_("初期登録が完了しました。続けて電子証明書を発行してください。"), "success")
            return redirect(url_for("certificates.authenticate_user"))
    return render_template("auth/register.html", form=form, kind=kind, user_id=user.user_id)


def _role_or_404(kind: str) -> UserRole:
    if kind not in KINDS:
        abort(404)
    return KINDS[kind]


def _registering_user(kind: str):  # noqa: ANN202
    step = session.get("registration")
    if not step or step.get("kind") != kind or time.time() - step.get("at", 0) > REGISTRATION_STEP_SECONDS:
        return None
    user = user_store.get_by_uuid(session=db.session(), user_uuid=step["uuid"])
    return user if user is not None and user.status is UserStatus.PENDING else None



def registered_user_id() -> str | None:
    """The ID of the user who has just finished 初期登録 in this browser, for ④ to fill in: the user
    goes on to 電子証明書発行 and should not have to type it again. Only while that user is active."""
    step = session.get(ISSUANCE_USER_KEY)
    if not step or time.time() - step.get("at", 0) > REGISTRATION_STEP_SECONDS:
        return None
    user = user_store.get_by_uuid(session=db.session(), user_uuid=step.get("uuid", ""))
    return user.user_id if user is not None and user.status is UserStatus.ACTIVE else None


def forget_registered_user() -> None:
    session.pop(ISSUANCE_USER_KEY, None)
