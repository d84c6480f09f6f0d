"""Alembic environment: the URL comes from the caller (``store.migrate``) or DATABASE_URL."""

from alembic import context
from sqlalchemy import pool

from store.db import make_engine
from store.schema import metadata

config = context.config


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # noqa: ANN001
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch operation copies a table into a new one and drops the old: with foreign keys enforced, that
        # fails on any table others refer to once it holds rows. The pragma is a no-op inside a transaction,
        # so it goes straight to the driver's connection (autocommit: store.db) before the migration's begins.
        _foreign_keys(connection, "OFF")
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=sqlite)
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            _foreign_keys(connection, "ON")


def _foreign_keys(connection, state: str) -> None:  # noqa: ANN001
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={state}")


run_migrations_online()
