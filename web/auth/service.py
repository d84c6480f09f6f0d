"""The pages' side of authentication: call the use-case (``usecases.authentication``), count its
outcome (``web.metrics.LOGINS``) and, on a form, show a refusal.

Outcomes: success, wrong_password, locked_now, locked, blocked_now, blocked, unknown_id, or
unavailable (no answer from the lockout arbiter).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from flask_babel import gettext as _
from flask_wtf import FlaskForm

from store.errors import ServiceError
from store.models import Staff, User
from usecases import authentication
from usecases.authentication import UNKNOWN_ID, AttemptRefused, UnknownCredentials
from usecases.ports import TemporalUnavailable

from .. import db, messages, metrics
from ..lockout import refusal_text
from ..ports import temporal

log = logging.getLogger(__name__)

T = TypeVar("T")


def counted(authenticate: Callable[[], T]) -> T:
    """Run one authentication use-case and count how it ended; its refusals pass through."""
    try:
        account = authenticate()
    except UnknownCredentials:
        metrics.count_login(UNKNOWN_ID)
        raise
    except AttemptRefused as refusal:
        metrics.count_login(refusal.result.outcome.value)
        raise
    except TemporalUnavailable as error:
        log.warning("lockout arbiter did not answer: %s", error)
        metrics.count_login("unavailable")
        raise
    metrics.count_login("success")
    return account


def authenticate(user_id: str, password: str) -> User:
    """``usecases.authentication.authenticate_user``, counted."""
    return counted(lambda: authentication.authenticate_user(db.session(), temporal(), user_id=user_id,
                                                            password=password))


def authenticate_staff(login: str, password: str) -> Staff:
    return counted(lambda: authentication.authenticate_staff(db.session(), temporal(), login=login,
                                                             password=password))


def show_refusal(form: FlaskForm, refusal: Exception) -> None:
    """An authentication refusal as the form's message."""
    if isinstance(refusal, ServiceError):
        form.form_errors.append(messages.render(refusal.refusal, _))
    elif isinstance(refusal, (AttemptRefused, TemporalUnavailable)):
        form.form_errors.append(refusal_text(refusal))
    else:
        raise refusal


REFUSALS = (ServiceError, AttemptRefused, TemporalUnavailable)  # what ``show_refusal`` says


def authenticate_on(form: FlaskForm, user_id: str, password: str) -> User | None:
    """``authenticate`` for a page: the user, or None with the refusal shown on ``form``."""
    try:
        return authenticate(user_id, password)
    except REFUSALS as refusal:
        show_refusal(form, refusal)
    return None
