"""The audit log is append-only in the database itself, whoever connects (raw SQL, both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from store import audit
from store.models import AuditEntry

from .conftest import ACTOR


@pytest.fixture
def entry_id(session_factory) -> int:  # noqa: ANN001
    with session_factory.begin() as session:
        entry = audit.record(session=session, actor=ACTOR, action="test.action", target_kind="user",
                             target_id="00000000-0000-0000-0000-000000000001", detail="role=general")
        session.flush()
        return entry.id


def test_entries_are_recorded_with_identifiers_only(session_factory, entry_id):
    with session_factory() as session:
        entry = session.get(AuditEntry, entry_id)
        assert (entry.actor_kind, entry.actor_id, entry.client_address) == ("cli", "cli", "192.0.2.1")
        assert entry.at is not None and entry.detail == "role=general"


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET detail = 'rewritten' WHERE id = :id",
    "UPDATE audit_log SET actor_id = 'someone-else'",
    "DELETE FROM audit_log WHERE id = :id",
    "DELETE FROM audit_log",
])
def test_raw_sql_cannot_change_or_remove_entries(session_factory, entry_id, statement):
    with pytest.raises(DatabaseError, match="append-only"), session_factory.begin() as session:
        session.execute(text(statement), {"id": entry_id})
    with session_factory() as session:
        entry = session.get(AuditEntry, entry_id)
        assert entry.detail == "role=general" and entry.actor_id == "cli"


def test_inserts_still_work_after_a_refused_change(session_factory, entry_id):
    with pytest.raises(DatabaseError), session_factory.begin() as session:
        session.execute(text("DELETE FROM audit_log"))
    with session_factory.begin() as session:
        session.execute(text(
            "INSERT INTO audit_log (at, actor_kind, actor_id, action, target_kind, target_id, detail) "
            "VALUES (CURRENT_TIMESTAMP, 'cli', 'cli', 'raw.insert', 'user', 'x', '')"))
    with session_factory() as session:
        assert session.query(AuditEntry).count() == 2


def test_the_orm_refuses_too(session_factory, entry_id):
    with pytest.raises(PermissionError), session_factory.begin() as session:
        session.get(AuditEntry, entry_id).detail = "rewritten"
    with pytest.raises(PermissionError), session_factory.begin() as session:
        session.delete(session.get(AuditEntry, entry_id))
