"""The migrations build exactly the schema the models declare, on SQLite and on PostgreSQL: a model
change without its migration (or a migration that differs from its model) fails here."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from store.db import make_engine
from store.schema import metadata


def test_the_migrated_schema_is_the_models(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert differences == []
    assert {"users", "staff", "certificates", "revocation_requests", "revocation_notes", "login_sessions",
            "login_throttle", "branches"} <= set(metadata.tables)
