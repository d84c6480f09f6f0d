"""The one place where the web checks a password: employers' and Rokin staff's.

Every page that asks for a password (certificate login, 初期登録, 電子証明書発行 ④, staff
login) goes through ``authenticate`` or ``authenticate_staff``. The
argon2 hash is checked here; then the account's lockout workflow judges the attempt
(``web.lockout.judge_attempt``), and only its "allowed" lets anyone in. An unknown ID never
reaches the arbiter: it costs the same hashing time and gets the generic refusal.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm

from store import staff as staff_store
from store import users as user_store
from store.errors import Refusal, ServiceError
from store.models import Staff, User

from .. import db, messages, metrics
from ..lockout import ArbiterRefusal, ArbiterUnavailable, AttemptRefused, LockoutSubject, judge_attempt, refusal_text


def authenticate(user_id: str, password: str) -> User:
    """The live user whose password this is.

    Raises ``ServiceError(INVALID_CREDENTIALS)`` for an unknown ID, ``web.lockout.AttemptRefused``
    for a wrong password or a locked/blocked ID, ``web.lockout.ArbiterUnavailable`` without an answer.
    """
    user = user_store.get_by_user_id(session=db.session(), user_id=user_id)
    db.end_reads()  # not across the hash: on SQLite it would serialize every login
    password_ok = user_store.password_matches(user, password)  # burns the same time for an unknown ID
    if user is None:
        metrics.count_login("unknown_id")
        raise ServiceError(Refusal.INVALID_CREDENTIALS)
    _judge_and_count(LockoutSubject.of_user(user), password_ok)
    return user


def authenticate_on(form: FlaskForm, user_id: str, password: str) -> User | None:
    """``authenticate`` for a page: the user, or None with the refusal shown on ``form``."""
    try:
        return authenticate(user_id, password)
    except ServiceError as refusal:
        form.form_errors.append(messages.render(refusal.refusal, _))
    except ArbiterRefusal as refusal:
        form.form_errors.append(refusal_text(refusal))
    return None


def authenticate_staff(login: str, password: str) -> Staff:
    """The active staff account whose password this is; refusals as for ``authenticate``."""
    staff = staff_store.get_by_login(session=db.session(), login=login)
    db.end_reads()
    password_ok = staff_store.password_matches(staff, password)
    if staff is None:
        metrics.count_login("unknown_id")
        raise ServiceError(Refusal.INVALID_CREDENTIALS)
    _judge_and_count(LockoutSubject.of_staff(staff), password_ok)
    return staff


def _judge_and_count(subject: LockoutSubject, password_ok: bool) -> None:
    """``judge_attempt``, counting its outcome (``web.metrics.LOGINS``): success, wrong_password,
    locked_now, locked, blocked_now, blocked, or unavailable (no answer)."""
    try:
        judge_attempt(subject, password_ok)
    except AttemptRefused as refusal:
        metrics.count_login(refusal.result.outcome.value)
        raise
    except ArbiterUnavailable:
        metrics.count_login("unavailable")
        raise
    metrics.count_login("success")
