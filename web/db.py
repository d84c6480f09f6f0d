"""One SQLAlchemy session per request; teardown closes it (rolling back the rest).

The session reads (the user loader, the pages' queries: on SQLite never under the write lock, see
``store.db``); what a request writes, a use-case writes in a transaction it asks for by name
(``usecases.transaction.committed``). A view neither writes nor commits.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from store import db as store_db


def session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["rokin"].session_factory()
    return g.db_session


def end_reads() -> None:
    """``store.db.end_reads`` on the request's session (see there why)."""
    store_db.end_reads(session())


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.close()
