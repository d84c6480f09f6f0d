"""パスワード初期化 of a general user by the master user of their organization (issue 13).

A confirmation page of its own (the CSP allows no inline confirm()), then the reset: a new one-time
initial password rendered straight into the POST's response, as when the user was created
(``views.create_user``): nothing else ever holds it. The user goes through 一般ユーザーの初期登録 again;
the certificate stays. A locked or blocked ID stays so: the confirmation page says that 閉塞解除 is
a separate step. Master-only by the employer blueprint's gate.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, render_template, request
from flask_wtf import FlaskForm

from domain.lockout import LockoutStatus
from store.errors import ServiceError
from usecases import credentials

from .. import db
from .. import lockout as web_lockout
from ..ports import temporal
from ..principals import current_actor
from .views import _HTTP_STATUS, bp, current_employer, managed_user_or_abort

RESET_URL = "/users/<user_uuid>/reset-password"


class ResetPasswordForm(FlaskForm):
    """The confirmation step of パスワード初期化: nothing to fill in but the CSRF token."""


@bp.get(RESET_URL)
def confirm_reset_password(user_uuid: str):  # noqa: ANN201
    user = managed_user_or_abort(user_uuid)
    view = web_lockout.view_of(user)
    return render_template("employer/reset_confirm.html", user=user, form=ResetPasswordForm(),
                           status_text=web_lockout.status_text(view),
                           blocked=view.status is LockoutStatus.BLOCKED, locked=view.status is LockoutStatus.LOCKED)


@bp.post(RESET_URL)
def reset_password(user_uuid: str):  # noqa: ANN201
    if not ResetPasswordForm().validate_on_submit():
        abort(400)
    try:
        reset = credentials.reset_general_user_password(db.session(), temporal(), master=current_employer(),
                                                        user_uuid=user_uuid, actor=current_actor(request.remote_addr),
                                                        now=datetime.now(timezone.utc))
    except ServiceError as refusal:
        abort(_HTTP_STATUS.get(refusal.refusal, 400))
    view = web_lockout.view_of(reset.user)
    return render_template("employer/reset_done.html", user=reset.user, initial_password=reset.initial_password,
                           status_text=web_lockout.status_text(view), blocked=view.status is LockoutStatus.BLOCKED,
                           locked=view.status is LockoutStatus.LOCKED)
