"""Reads never take the SQLite write lock (issue 12, point 2): ``/readyz`` and a logged-in page
answer while another connection holds the write lock, with a session cookie or without. Both
databases; on PostgreSQL a writer never blocked a reader, and still does not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from core.config import Settings
from store import audit

READY = {"status": "ready", "checks": {"database": "ok", "temporal": "ok"}}


@pytest.fixture
def settings(settings: Settings, database_url: str) -> Settings:
    """The web tests' settings on each database (a fresh, migrated one)."""
    return replace(settings, database_url=database_url)


@contextmanager
def writer_holding_the_lock(app) -> Iterator[Session]:  # noqa: ANN001
    """Another connection in the middle of a write: it has written and not committed yet."""
    with app.extensions["rokin"].session_factory.begin() as session:
        audit.record(session=session, actor=audit.Actor.cli(), action="test.hold", target_kind="test",
                     target_id="write-lock")
        session.flush()  # on SQLite the write lock is this connection's until the commit
        yield session


def test_readyz_is_ready_with_a_logged_in_session(app, client, master):
    assert client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None  # the user loader runs
    response = client.get("/readyz")
    assert (response.status_code, response.json) == (200, READY)


def test_reads_answer_while_another_connection_holds_the_write_lock(app, client, master):
    anonymous = app.test_client()
    with writer_holding_the_lock(app):
        with_session = client.get("/readyz")
        without_session = anonymous.get("/readyz")
        page = client.get("/employer/")  # the user loader and the page's queries only read
    assert (with_session.status_code, with_session.json) == (200, READY)
    assert (without_session.status_code, without_session.json) == (200, READY)
    assert page.status_code == 200 and master.user_id in page.get_data(as_text=True)
