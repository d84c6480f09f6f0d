"""The logged-in employer user's own account (issue 13): パスワード変更 and メールアドレス変更.

Every action is a use-case of ``usecases.credentials``; the views only adapt the forms. The current
password is judged by the lockout arbiter as at a login, so wrong ones count toward the lock; the
new e-mail address is used only after the user types the code mailed to it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain.lockout import Outcome
from store.errors import CredentialError
from store.models import User
from store.users import (
    EMAIL_CODE_DIGITS,
    EMAIL_CODE_LIFETIME,
    EMAIL_CODE_MAX_FAILURES,
    EmailChangeProblem,
    EmailChangeRefused,
)
from usecases import credentials
from usecases.authentication import AttemptRefused
from usecases.ports import TemporalUnavailable

from .. import db, forms, messages
from ..auth.service import REFUSALS, attempt_origin, counted, refusal_message
from ..extensions import login_manager
from ..lockout import refusal_text
from ..ports import temporal
from ..principals import EmployerPrincipal, current_actor, current_login_session
from .forms import ConfirmForm, EmailChangeForm, EmailCodeForm, PasswordChangeForm

bp = Blueprint("account", __name__)


def N_(text: str) -> str:  # noqa: N802  marks text for extraction; translated where shown
    return text


EMAIL_CHANGE = {
    EmailChangeProblem.SAME_AS_CURRENT: N_("現在のメールアドレスと同じです。別のメールアドレスを入力してください。"),
    EmailChangeProblem.NO_PENDING_CHANGE: N_("手続き中のメールアドレス変更はありません。"),
    EmailChangeProblem.CODE_NOT_SENT: N_("確認コードをまだお送りしていません。"
                                         "しばらくしてから再度お試しいただくか、[確認コードを再送信]を押してください。"),
    EmailChangeProblem.CODE_EXPIRED: N_("確認コードの有効期限が過ぎました。"
                                        "[確認コードを再送信]を押して、新しい確認コードを受け取ってください。"),
    EmailChangeProblem.CODE_WRONG: N_("確認コードが正しくありません。"),
    EmailChangeProblem.CODE_EXHAUSTED: N_("確認コードを続けて%(max_failures)d回間違えたため、"
                                          "この確認コードは使用できなくなりました。"
                                          "[確認コードを再送信]を押して、新しい確認コードを受け取ってください。"),
}
WRONG_CURRENT_PASSWORD = N_("現在のパスワードが正しくありません。")


@bp.before_request
def _account_gate():  # noqa: ANN202
    """Any logged-in employer user (master or general); anonymous visitors go to the login screen,
    staff are refused."""
    principal = current_user._get_current_object()
    if not principal.is_authenticated:
        return login_manager.unauthorized()
    if not isinstance(principal, EmployerPrincipal):
        abort(403)
    return None


@bp.get("/")
def index():  # noqa: ANN201
    """The menu of one's own account: パスワード変更, メールアドレス変更."""
    return render_template("account/index.html", me=_me())


@bp.route("/password", methods=["GET", "POST"])
def change_password():  # noqa: ANN201
    """パスワード変更: the user's other sessions end; this one goes on."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        me = _me()
        try:
            counted(lambda: credentials.change_password(
                db.session(), temporal(), user=me, current_password=form.current_password.data,
                new_password=form.new_password.data, origin=attempt_origin(), now=_now(),
                actor=current_actor(request.remote_addr), keep_session_id=_session_id()))
        except CredentialError as error:
            forms.add_error(getattr(form, error.field), error.problem)
        except AttemptRefused as refusal:
            if refusal.result.outcome is Outcome.WRONG_PASSWORD:
                form.current_password.errors = [*form.current_password.errors, _(WRONG_CURRENT_PASSWORD)]
            else:
                form.form_errors.append(refusal_text(refusal))
        except REFUSALS as refusal:
            form.form_errors.append(refusal_message(refusal))
        else:
            flash(_("パスワードを変更しました。ほかの場所でのログインは終了しました。"), "success")
            return redirect(url_for("employer.top"))
    return render_template("account/password.html", form=form, me=_me())


@bp.route("/email", methods=["GET", "POST"])
def change_email():  # noqa: ANN201
    """メールアドレス変更, first step (the new address), or the code entry when a change is pending."""
    me = _me()
    form = EmailChangeForm()
    if form.validate_on_submit():
        try:
            credentials.request_email_change(db.session(), temporal(), user=me, new_email=form.email.data,
                                             actor=current_actor(request.remote_addr))
        except CredentialError as error:
            forms.add_error(getattr(form, error.field), error.problem)
        except EmailChangeRefused as refusal:
            form.email.errors = [*form.email.errors, _problem_text(refusal.problem)]
        except TemporalUnavailable:
            flash(_(messages.LOCKOUT_UNAVAILABLE), "error")
            return redirect(url_for("account.change_email"))
        else:
            flash(_("新しいメールアドレスに確認コードをお送りしました。"), "success")
            return redirect(url_for("account.change_email"))
    return _email_page(me, form, EmailCodeForm(formdata=None))


@bp.post("/email/code")
def confirm_email():  # noqa: ANN201
    me = _me()
    code_form = EmailCodeForm()
    if code_form.validate_on_submit():
        try:
            credentials.confirm_email_change(db.session(), temporal(), user=me, code=code_form.code.data,
                                             now=_now(), actor=current_actor(request.remote_addr),
                                             keep_session_id=_session_id())
        except EmailChangeRefused as refusal:
            code_form.code.errors = [*code_form.code.errors, _problem_text(refusal.problem)]
        else:
            flash(_("メールアドレスを変更しました。ほかの場所でのログインは終了しました。"), "success")
            return redirect(url_for("account.change_email"))
    return _email_page(me, EmailChangeForm(formdata=None), code_form)


@bp.post("/email/resend")
def resend_email_code():  # noqa: ANN201
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        credentials.send_email_code(db.session(), temporal(), user=_me())
    except EmailChangeRefused as refusal:
        flash(_problem_text(refusal.problem), "error")
    except TemporalUnavailable:
        flash(_(messages.LOCKOUT_UNAVAILABLE), "error")
    else:
        flash(_("新しい確認コードをお送りしました。前にお送りした確認コードは使用できません。"), "success")
    return redirect(url_for("account.change_email"))


@bp.post("/email/cancel")
def cancel_email_change():  # noqa: ANN201
    if not ConfirmForm().validate_on_submit():
        abort(400)
    credentials.cancel_email_change(db.session(), user=_me(), actor=current_actor(request.remote_addr))
    flash(_("メールアドレスの変更を取り消しました。"), "info")
    return redirect(url_for("account.change_email"))


def _email_page(me: User, form: EmailChangeForm, code_form: EmailCodeForm):  # noqa: ANN202
    return render_template("account/email.html", me=me, form=form, code_form=code_form, confirm_form=ConfirmForm(),
                           code_digits=EMAIL_CODE_DIGITS,
                           code_minutes=int(EMAIL_CODE_LIFETIME.total_seconds() // 60))


def _problem_text(problem: EmailChangeProblem) -> str:
    return _(EMAIL_CHANGE[problem], max_failures=EMAIL_CODE_MAX_FAILURES)


def _me() -> User:
    return current_user.user


def _session_id() -> int | None:
    login_session = current_login_session()
    return login_session.id if login_session is not None else None


def _now() -> datetime:
    return datetime.now(timezone.utc)
