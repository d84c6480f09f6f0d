"""ログイン中のセッション: a staff member's own live sessions, and an administrator's セッション終了.

Any staff member sees where they are logged in (started, last used, address, browser) and ends
their other sessions — a forgotten PC, a session they do not recognise. An administrator ends every
session of any staff member from ユーザー検索 (a lost laptop, a leaver). Each is a POST with the
CSRF token and is audited (``usecases.sessions``); the gate's ``ROLES`` admits only administrators
to the latter, and only for staff of their own 労金 (the 連合会's: anyone); another's is 404.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from store.errors import ServiceError
from store.models import Staff
from store.sessions import Lifetimes, LoginSession
from usecases import sessions

from .. import db, messages
from ..principals import current_actor, current_login_session, current_scope, current_staff
from .views import ROLE_LABELS, bp

STAFF_SESSIONS_URL = "/accounts/staff/<account_uuid>/sessions"


class EndSessionsForm(FlaskForm):
    """セッション終了: nothing to fill in but the CSRF token."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _lifetimes() -> Lifetimes:
    return sessions.lifetimes(current_app.extensions["rokin"].settings)


def _current() -> LoginSession:
    current = current_login_session()
    if current is None:  # behind the gate a staff member always has one
        raise PermissionError("no login session")
    return current


@bp.get("/sessions")
def my_sessions():  # noqa: ANN201
    rows = sessions.staff_sessions(db.session(), staff=current_staff(), now=_now(), lifetimes=_lifetimes())
    return render_template("staff/sessions.html", rows=rows, current_id=_current().id, form=EndSessionsForm())


@bp.post("/sessions/<int:session_id>/end")
def end_my_session(session_id: int):  # noqa: ANN201
    if not EndSessionsForm().validate_on_submit():
        abort(400)
    try:
        sessions.end_own_session(db.session(), staff=current_staff(), session_id=session_id, current=_current(),
                                 now=_now(), actor=current_actor(request.remote_addr))
    except ServiceError as refusal:
        flash(messages.render(refusal.refusal, _), "error")
    else:
        flash(_("セッションを終了しました。"), "success")
    return redirect(url_for("staff.my_sessions"))


@bp.post("/sessions/end-others")
def end_my_other_sessions():  # noqa: ANN201
    if not EndSessionsForm().validate_on_submit():
        abort(400)
    ended = sessions.end_other_own_sessions(db.session(), staff=current_staff(), current=_current(), now=_now(),
                                            actor=current_actor(request.remote_addr))
    flash(_("ほかのセッションを%(count)d件終了しました。", count=ended), "success")
    return redirect(url_for("staff.my_sessions"))


@bp.get(STAFF_SESSIONS_URL)
def confirm_end_staff_sessions(account_uuid: str):  # noqa: ANN201
    """セッション終了の確認 (administrators): the member's live sessions, and the button."""
    staff = _staff_or_404(account_uuid)
    rows = sessions.staff_sessions(db.session(), staff=staff, now=_now(), lifetimes=_lifetimes())
    return render_template("staff/end_staff_sessions.html", member=staff, member_role=ROLE_LABELS[staff.role],
                           rows=rows, form=EndSessionsForm())


@bp.post(STAFF_SESSIONS_URL)
def end_staff_sessions(account_uuid: str):  # noqa: ANN201
    if not EndSessionsForm().validate_on_submit():
        abort(400)
    staff = _staff_or_404(account_uuid)
    current = _current()
    try:
        ended = sessions.end_staff_sessions(db.session(), staff_uuid=account_uuid, now=_now(),
                                            actor=current_actor(request.remote_addr), scope=current_scope(),
                                            keep=current if current.staff_uuid == staff.uuid else None)
    except ServiceError:
        abort(404)
    flash(_("%(login)sのセッションを%(count)d件終了しました。", login=staff.login, count=ended), "success")
    return redirect(url_for("staff.search_accounts", q=staff.login))


def _staff_or_404(account_uuid: str) -> Staff:
    try:
        return sessions.staff_member(db.session(), staff_uuid=account_uuid, scope=current_scope())
    except ServiceError:
        abort(404)
