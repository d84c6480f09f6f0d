"""Read and writing transactions (issue 12, point 2; ``store.db``), on SQLite and PostgreSQL: a
session's own transaction reads and never waits for a writer; one that writes is asked for by
name (``writing``, ``begin()``); on SQLite a write in a read transaction fails at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from store import audit
from store.db import is_writing, writing
from store.models import AuditEntry, Organization


def hold_the_write_lock(session_factory):  # noqa: ANN001, ANN201
    """A writer in the middle of its transaction (written, not committed)."""
    session = session_factory()
    session.begin()  # asked for by name: a writing transaction
    audit.record(session=session, actor=audit.Actor.cli(), action="test.hold", target_kind="test", target_id="1")
    session.flush()
    return session


def test_a_read_answers_while_a_writer_holds_the_lock(session_factory):  # noqa: ANN001
    writer = hold_the_write_lock(session_factory)
    try:
        with session_factory() as reader:
            assert reader.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "test.hold")) == 0  # not committed yet
    finally:
        writer.commit()
        writer.close()


def test_a_write_in_a_read_transaction_fails_at_once_on_sqlite(session_factory, database_url):  # noqa: ANN001
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL's transactions are unchanged: read and write alike")
    with session_factory() as session:
        session.execute(select(1))
        with pytest.raises(OperationalError, match="readonly"):
            session.execute(update(Organization).values(name=Organization.name))


def test_writing_ends_the_read_transaction_and_sees_the_rows_as_they_are_now(session_factory, organization):  # noqa: ANN001
    with session_factory() as session:
        row = session.get(Organization, organization.organization_id)
        assert row is not None and not is_writing(session)
        with session_factory.begin() as other:  # someone else renames it meanwhile
            other.execute(update(Organization).where(Organization.id == row.id).values(name="改名後の労働組合"))
        with writing(session):
            assert is_writing(session) and row.name == "改名後の労働組合"  # reloaded, not the stale read
            with writing(session):  # an inner block joins the outer transaction
                row.name = "さらに改名"
            assert session.in_transaction()  # not committed by the inner block
        assert not session.in_transaction()
    with session_factory() as session:
        assert session.scalar(text("SELECT name FROM organizations WHERE id = :id"), {"id": row.id}) == "さらに改名"


def test_changes_made_before_a_writing_block_are_refused(session_factory, organization):  # noqa: ANN001
    with session_factory() as session:
        row = session.get(Organization, organization.organization_id)
        row.name = "書き忘れ"
        with pytest.raises(RuntimeError, match="outside a writing transaction"), writing(session):
            pass
