"""The pages' side of authentication: call the use-case (``usecases.authentication``) with where the
attempt comes from, count its outcome (``web.metrics.LOGINS``) and, on a form, show a refusal.

Outcomes: success, wrong_password, locked_now, locked, blocked_now, blocked, unknown_id, throttled,
or unavailable (no answer from the lockout arbiter).

What the pages say (issue 12): a wrong password reads exactly like an unknown ID — no attempts-left
count, which told anyone which IDs exist. A lock or a block is still said, with until when or who
releases it (seed 001 ④): the arbiter gives that answer for a right and a wrong password alike, so it
reveals nothing about the password, and learning that an ID exists that way costs six counted
failures that lock the real user, who is told by e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TypeVar

from flask import current_app, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from store.errors import Refusal, ServiceError
from store.login_throttle import ThrottleLimits
from store.models import Staff, User
from usecases import authentication
from usecases.authentication import UNKNOWN_ID, AttemptOrigin, AttemptRefused, AttemptThrottled, UnknownCredentials
from usecases.ports import TemporalUnavailable

from .. import db, messages, metrics
from ..lockout import jst_time, refusal_text
from ..ports import temporal

log = logging.getLogger(__name__)

T = TypeVar("T")

FORWARDED_FOR = "X-Forwarded-For"


def client_address() -> str:
    """The address a password attempt is counted on: the peer's, or, when the peer is a trusted reverse
    proxy, the address the proxy saw — the last X-Forwarded-For entry (nginx appends it; anything before
    it the client may have written itself)."""
    peer = request.remote_addr or "unknown"
    if peer in current_app.extensions["rokin"].settings.trusted_proxies:
        hops = [hop.strip() for hop in request.headers.get(FORWARDED_FOR, "").split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return peer


def attempt_origin() -> AttemptOrigin:
    """This request's address and the configured throttle (``core.config``: ROKIN_THROTTLE_*)."""
    return AttemptOrigin(client_address(), ThrottleLimits.from_settings(current_app.extensions["rokin"].settings))


def now() -> datetime:
    return datetime.now(timezone.utc)


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
    except AttemptThrottled:
        metrics.count_login("throttled")
        raise
    except TemporalUnavailable as error:
        log.warning("lockout arbiter did not answer: %s", error)
        metrics.count_login("unavailable")
        raise
    metrics.count_login("success")
    return account


def authenticate(user_id: str, password: str) -> User:
    """``usecases.authentication.authenticate_user`` for this request, counted."""
    return counted(lambda: authentication.authenticate_user(db.session(), temporal(), user_id=user_id,
                                                            password=password, origin=attempt_origin(), now=now()))


def authenticate_staff(login: str, password: str) -> Staff:
    return counted(lambda: authentication.authenticate_staff(db.session(), temporal(), login=login,
                                                             password=password, origin=attempt_origin(), now=now()))


def refusal_message(refusal: Exception, *, staff: bool = False) -> str:
    """An authentication refusal as the page says it (staff pages say ログインID)."""
    if isinstance(refusal, AttemptThrottled):
        return _(messages.THROTTLED, until=jst_time(refusal.until))
    if isinstance(refusal, (AttemptRefused, TemporalUnavailable)):
        return refusal_text(refusal)
    if isinstance(refusal, ServiceError):
        return _credentials_message(refusal.refusal, staff)
    raise refusal


def _credentials_message(code: Refusal, staff: bool) -> str:
    wording = messages.STAFF.get(code) if staff else None
    return _(wording or messages.msgid(code)) % messages.PARAMETERS


def show_refusal(form: FlaskForm, refusal: Exception, *, staff: bool = False) -> None:
    """An authentication refusal as the form's message."""
    form.form_errors.append(refusal_message(refusal, staff=staff))


REFUSALS = (ServiceError, AttemptRefused, AttemptThrottled, TemporalUnavailable)  # what ``show_refusal`` says


def authenticate_on(form: FlaskForm, user_id: str, password: str) -> User | None:
    """``authenticate`` for a page: the user, or None with the refusal shown on ``form``."""
    try:
        return authenticate(user_id, password)
    except REFUSALS as refusal:
        show_refusal(form, refusal)
    return None
