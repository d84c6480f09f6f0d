"""The use-cases own their transactions: what an action decided is committed together, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def committed(session: Session) -> Iterator[None]:
    """Commit what the block wrote; if it raised (a refusal, a failed start of a workflow), roll it all
    back — the session stays usable for the page that says why — and let the exception go on."""
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    session.commit()
