"""One SQLAlchemy session per request; views commit, teardown closes (rolling back the rest)."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session


def session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["rokin"].session_factory()
    return g.db_session


def end_reads() -> None:
    """Commit the request's read-only transaction, keeping its objects loaded.

    Call it before anything slow: an argon2 check, or waiting on Temporal. On SQLite every
    transaction holds the write lock from its BEGIN (``store.db``), so a transaction left open
    across a 200 ms hash makes every other request wait, and the workflows' activities too.
    Nothing may be written before this point; unsaved changes are a bug, not something to commit.
    """
    db_session = session()
    if db_session.new or db_session.dirty or db_session.deleted:
        raise RuntimeError("unsaved changes before a slow step")
    db_session.commit()


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.close()
