"""The use-cases own their transactions: what an action decided is committed together, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from store.db import writing


@contextmanager
def committed(session: Session) -> Iterator[None]:
    """A writing transaction (``store.db.writing``: on SQLite it holds the write lock from its start)
    for the block: commit what it wrote; if it raised (a refusal, a failed start of a workflow), roll
    it all back — the session stays usable for the page that says why — and let the exception go on.

    What the action checks before it writes belongs inside the block: reads before it were made in a
    transaction of their own, which has ended."""
    with writing(session):
        yield
