"""Helpers for the lockout page tests: wrong passwords through the real pages, and waiting
for the read model that the lockout workflow mirrors after it has answered."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.lockout import MAX_CONSECUTIVE_FAILURES, LockoutStatus, Outcome
from domain.lockout_release import Releaser
from store import lockout as lockout_store
from store.errors import Refusal
from store.lockout import LockoutView
from store.models import AuditEntry, Staff, User
from tests.conftest import csrf_token
from web import messages

from .client_certificates import certificate_for, present
from .pages import errors

JST = ZoneInfo("Asia/Tokyo")
WRONG = "Wrong9999x"
WAIT_SECONDS = 10.0


def countdown(remaining: int) -> str:
    """What a wrong password reads with ``remaining`` tries left before the lock. Since issue 12 the
    generic refusal an unknown ID gets too: the tries left told which IDs exist. The arbiter still counts."""
    return messages.render(Refusal.INVALID_CREDENTIALS)


def blocked_message(releaser: Releaser) -> str:
    return messages.render(releaser)


def locked_message(locked_until: datetime) -> str:
    """The page's wording, with the lift time in Tokyo rounded up to the minute."""
    return messages.render(Outcome.LOCKED, until=hh_mm(locked_until))


def hh_mm(moment: datetime) -> str:
    tokyo = moment.astimezone(JST)
    if tokyo.second or tokyo.microsecond:
        tokyo = tokyo.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return f"{tokyo.hour:02d}:{tokyo.minute:02d}"


def fail_to_lock(client, user_id: str, path: str = "/login"):  # noqa: ANN001, ANN201
    """Six wrong passwords on the page at ``path``; checks the countdown, returns the 6th response.

    On /login the user's certificate says who (``client_certificates``); the ID field is ignored there.
    """
    if path == "/login":
        present(client, certificate_for(client.application, user_id))
    token = csrf_token(client, path)  # one form, posted six times, as a user retyping would
    for failures in range(1, MAX_CONSECUTIVE_FAILURES):
        response = client.post(path, data={"csrf_token": token, "user_id": user_id, "password": WRONG})
        assert errors(response) == [countdown(MAX_CONSECUTIVE_FAILURES - failures)]
    return client.post(path, data={"csrf_token": token, "user_id": user_id, "password": WRONG})


def lockout_of(app, login_id: str, *, staff: bool = False, now: datetime | None = None) -> LockoutView:  # noqa: ANN001
    """The mirrored state of a user ID (or a staff login ID), read in a fresh session."""
    model = Staff if staff else User
    column = Staff.login if staff else User.user_id
    with app.extensions["rokin"].session_factory() as session:
        row = session.scalar(select(model).where(column == login_id))
        assert row is not None, login_id
        return lockout_store.lockout_view(row, now or datetime.now(timezone.utc))


def wait_for_lockout(app, login_id: str, status: LockoutStatus, *, staff: bool = False) -> LockoutView:  # noqa: ANN001
    deadline = time.monotonic() + WAIT_SECONDS
    while (view := lockout_of(app, login_id, staff=staff)).status is not status:
        assert time.monotonic() < deadline, f"{login_id} still {view.status}, expected {status}"
        time.sleep(0.02)
    return view


def wait_for_audit(app, action: str, target_uuid: str, count: int = 1) -> list[AuditEntry]:  # noqa: ANN001
    """The releases' audit entries (written by the lockout workflow's activity): exactly ``count``."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with app.extensions["rokin"].session_factory() as session:
            entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                                    AuditEntry.target_id == target_uuid)
                                           .order_by(AuditEntry.id)))
        if len(entries) >= count:
            assert len(entries) == count, "one audit entry per release"
            return entries
        assert time.monotonic() < deadline, f"{len(entries)} {action} audit entries, expected {count}"
        time.sleep(0.02)


def uuid_of(app, login_id: str, *, staff: bool = False) -> str:  # noqa: ANN001
    model, column = (Staff, Staff.login) if staff else (User, User.user_id)
    with app.extensions["rokin"].session_factory() as session:
        return str(session.scalar(select(model.uuid).where(column == login_id)))
